/// TestPersist12C, TestPersist22C and TestPersist32C (part2c_scenarios.hpp).

#include <catch2/catch.hpp>

#include <thread>

#include "course_harness.hpp"
#include "part2c_scenarios.hpp"

namespace raft::testing {

using namespace std::chrono_literals;

void basic_persistence(network_mode mode) {
  const std::size_t servers = 3;
  test_cluster c{options_for(mode, servers)};
  INFO("cluster seed " << c.seed());
  c.one("11", servers, true);
  // Crash and restart all.
  for (peer_id id = 1; id <= servers; ++id)
    c.start1(id);
  for (peer_id id = 1; id <= servers; ++id) {
    c.disconnect(id);
    c.connect(id);
  }
  c.one("12", servers, true);
  auto leader1 = c.check_one_leader();
  c.disconnect(leader1);
  c.start1(leader1);
  c.connect(leader1);
  c.one("13", servers, true);
  auto leader2 = c.check_one_leader();
  c.disconnect(leader2);
  c.one("14", servers - 1, true);
  c.start1(leader2);
  c.connect(leader2);
  c.wait(4, servers, std::nullopt); // wait for leader2 to join before killing i3
  auto i3 = plus(c.check_one_leader(), 1, servers);
  c.disconnect(i3);
  c.one("15", servers - 1, true);
  c.start1(i3);
  c.connect(i3);
  c.one("16", servers, true);
  c.check_safety();
}

void more_persistence(network_mode mode) {
  const std::size_t servers = 5;
  test_cluster c{options_for(mode, servers)};
  INFO("cluster seed " << c.seed());
  auto at = [&](peer_id x, std::size_t k) { return plus(x, k, servers); };
  int index = 1;
  for (int iters = 0; iters < 5; ++iters) {
    c.one(std::to_string(10 + index), servers, true);
    ++index;
    auto leader1 = c.check_one_leader();
    c.disconnect(at(leader1, 1));
    c.disconnect(at(leader1, 2));
    c.one(std::to_string(10 + index), servers - 2, true);
    ++index;
    c.disconnect(at(leader1, 0));
    c.disconnect(at(leader1, 3));
    c.disconnect(at(leader1, 4));
    c.start1(at(leader1, 1));
    c.start1(at(leader1, 2));
    c.connect(at(leader1, 1));
    c.connect(at(leader1, 2));
    std::this_thread::sleep_for(1s); // the course's RaftElectionTimeout
    c.start1(at(leader1, 3));
    c.connect(at(leader1, 3));
    c.one(std::to_string(10 + index), servers - 2, true);
    ++index;
    c.connect(at(leader1, 4));
    c.connect(at(leader1, 0));
  }
  c.one("1000", servers, true);
  c.check_safety();
}

void partitioned_leader_and_follower_crash(network_mode mode) {
  const std::size_t servers = 3;
  test_cluster c{options_for(mode, servers)};
  INFO("cluster seed " << c.seed());
  auto at = [&](peer_id x, std::size_t k) { return plus(x, k, servers); };
  c.one("101", 3, true);
  auto leader = c.check_one_leader();
  c.disconnect(at(leader, 2));
  c.one("102", 2, true);
  c.crash1(at(leader, 0));
  c.crash1(at(leader, 1));
  c.connect(at(leader, 2));
  c.start1(at(leader, 0));
  c.connect(at(leader, 0));
  c.one("103", 2, true);
  c.start1(at(leader, 1));
  c.connect(at(leader, 1));
  c.one("104", servers, true);
  c.check_safety();
}

} // namespace raft::testing

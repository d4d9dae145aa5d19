/// Message budgets and rates: the course's RPC counts and heartbeat limit, measured with the
/// simulated network's counters.

#include <catch2/catch.hpp>

#include <thread>

#include "actors/test_cluster.hpp"
#include "cluster_test_util.hpp"

using namespace raft;
using namespace raft::testing;
using namespace std::chrono_literals;

TEST_CASE("the leader sends at most ten heartbeats per second to each follower, and does "
          "send them",
          "[cluster][rates]") {
  test_cluster c{{}};
  INFO("cluster seed " << c.seed());
  auto leader = c.check_one_leader();
  auto term = c.check_terms();
  std::vector<std::uint64_t> before;
  for (peer_id f = 1; f <= c.size(); ++f)
    before.push_back(c.heartbeats_sent(leader, f));
  auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(3s); // the measuring window
  auto window = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(c.check_terms() == term);
  for (peer_id f = 1; f <= c.size(); ++f) {
    if (f == leader)
      continue;
    auto sent = c.heartbeats_sent(leader, f) - before[f - 1];
    INFO("follower " << f << ": " << sent << " heartbeats in " << window << " s");
    // Ten per second, plus one for the fence post (a send at each end of the window).
    CHECK(static_cast<double>(sent) <= 10.0 * window + 1.0);
    // And the leader keeps sending them: at least eight per second.
    CHECK(static_cast<double>(sent) >= 8.0 * window);
  }
  c.check_safety();
}

TEST_CASE("at most thirty RPCs elect the first leader of three peers and at most sixty "
          "messages flow in an idle second",
          "[cluster][rates]") {
  test_cluster c{{}};
  INFO("cluster seed " << c.seed());
  c.check_one_leader();
  auto rpcs = c.rpcs_sent();
  INFO("RPCs to elect the first leader: " << rpcs);
  CHECK(rpcs >= 1);
  CHECK(rpcs <= 30);
  auto term = c.check_terms();
  auto messages_before = c.total_messages();
  auto rpcs_before = c.rpcs_sent();
  std::this_thread::sleep_for(1s);
  auto messages = c.total_messages() - messages_before;
  auto idle_rpcs = c.rpcs_sent() - rpcs_before;
  INFO("in an idle second: " << idle_rpcs << " RPCs, " << messages << " messages with replies");
  CHECK(c.check_terms() == term);
  // The course allows 60 RPCs; we hold every message, replies included, to that budget.
  CHECK(messages <= 60);
  CHECK(idle_rpcs <= 30);
  c.check_safety();
}

TEST_CASE("an idle healthy cluster keeps its term and its leader for ten seconds",
          "[cluster][stability]") {
  test_cluster c{{}};
  INFO("cluster seed " << c.seed());
  auto leader = c.check_one_leader();
  auto term = c.check_terms();
  auto changes_before = c.role_log().size();
  bool stable = throughout(
    [&] {
      for (peer_id id = 1; id <= c.size(); ++id) {
        auto st = c.get_state(id);
        if (!st || st->term != term || st->is_leader != (id == leader))
          return false;
      }
      return true;
    },
    10s);
  CHECK(stable);
  CHECK(c.role_log().size() == changes_before);
  c.check_safety();
}

#include "part2b_scenarios.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "course_harness.hpp"

namespace raft::testing {

using namespace std::chrono_literals;

namespace {

/// RaftElectionTimeout: the course's one second.
constexpr auto election_timeout = 1s;

} // namespace

void basic_agreement(network_mode mode) {
  const std::size_t servers = 3;
  test_cluster c{options_for(mode, servers)};
  INFO("cluster seed " << c.seed());
  for (log_index index = 1; index <= 3; ++index) {
    if (auto [nd, cmd] = c.n_committed(index); nd > 0)
      FAIL("some have committed before Start() (" << c.describe_index(index) << ")");
    auto command = std::to_string(index * 100);
    auto xindex = c.one(command, servers, false);
    if (xindex != index)
      FAIL("got index " << xindex << " but expected " << index << " for command " << command
                        << " (" << c.describe_index(xindex) << ")");
  }
  c.check_safety();
}

void progressive_follower_failure(network_mode mode) {
  const std::size_t servers = 3;
  test_cluster c{options_for(mode, servers)};
  INFO("cluster seed " << c.seed());
  c.one("101", servers, false);
  // Disconnect one follower from the network.
  auto leader1 = c.check_one_leader();
  c.disconnect(plus(leader1, 1, servers));
  // The leader and the remaining follower should be able to agree despite the disconnected
  // follower.
  c.one("102", servers - 1, false);
  std::this_thread::sleep_for(election_timeout); // the course's pause between the two
  c.one("103", servers - 1, false);
  // Disconnect the remaining follower.
  auto leader2 = c.check_one_leader();
  c.disconnect(plus(leader2, 1, servers));
  c.disconnect(plus(leader2, 2, servers));
  // Submit a command.
  auto r = must_start(c, leader2, "104");
  if (!r.is_leader)
    FAIL("leader rejected Start() (peer " << leader2 << ", term " << r.term << ", command 104)");
  if (r.index != 4)
    FAIL("expected index 4, got " << r.index << " (leader " << leader2 << ", command 104)");
  // The course's wait: twice the election timeout for a commit that must not come.
  std::this_thread::sleep_for(2 * election_timeout);
  // Check that command 104 did not commit.
  if (auto [n, cmd] = c.n_committed(r.index); n > 0)
    FAIL(n << " committed but no majority (" << c.describe_index(r.index) << ")");
  c.check_safety();
}

void leader_failure(network_mode mode) {
  const std::size_t servers = 3;
  test_cluster c{options_for(mode, servers)};
  INFO("cluster seed " << c.seed());
  c.one("101", servers, false);
  // Disconnect the first leader.
  auto leader1 = c.check_one_leader();
  c.disconnect(leader1);
  // The remaining followers should elect a new leader.
  c.one("102", servers - 1, false);
  std::this_thread::sleep_for(election_timeout); // the course's pause between the two
  c.one("103", servers - 1, false);
  // Disconnect the new leader.
  auto leader2 = c.check_one_leader();
  c.disconnect(leader2);
  // Submit a command to each server.
  for (peer_id id = 1; id <= servers; ++id)
    must_start(c, id, "104");
  // The course's wait: twice the election timeout for a commit that must not come.
  std::this_thread::sleep_for(2 * election_timeout);
  // Check that command 104 did not commit.
  if (auto [n, cmd] = c.n_committed(4); n > 0)
    FAIL(n << " committed but no majority (" << c.describe_index(4) << "; leaders " << leader1
           << " and " << leader2 << " disconnected)");
  c.check_safety();
}

void agreement_after_follower_reconnects(network_mode mode) {
  const std::size_t servers = 3;
  test_cluster c{options_for(mode, servers)};
  INFO("cluster seed " << c.seed());
  c.one("101", servers, false);
  // Disconnect one follower from the network.
  auto leader = c.check_one_leader();
  auto follower = plus(leader, 1, servers);
  c.disconnect(follower);
  // The leader and the remaining follower should be able to agree despite the disconnected
  // follower.
  c.one("102", servers - 1, false);
  c.one("103", servers - 1, false);
  std::this_thread::sleep_for(election_timeout); // the course's pause: no election may follow
  c.one("104", servers - 1, false);
  c.one("105", servers - 1, false);
  // Re-connect: it must catch up.
  c.connect(follower);
  c.one("106", servers, true);
  std::this_thread::sleep_for(election_timeout); // the course's pause
  c.one("107", servers, true);
  c.check_safety();
}

void no_agreement_if_too_many_followers_disconnect(network_mode mode) {
  const std::size_t servers = 5;
  test_cluster c{options_for(mode, servers)};
  INFO("cluster seed " << c.seed());
  c.one("10", servers, false);
  // Three of five followers disconnect.
  auto leader = c.check_one_leader();
  for (std::size_t k = 1; k <= 3; ++k)
    c.disconnect(plus(leader, k, servers));
  auto r = must_start(c, leader, "20");
  if (!r.is_leader)
    FAIL("leader rejected Start() (peer " << leader << ", term " << r.term << ", command 20)");
  if (r.index != 2)
    FAIL("expected index 2, got " << r.index << " (leader " << leader << ", command 20)");
  // The course's wait: twice the election timeout for a commit that must not come.
  std::this_thread::sleep_for(2 * election_timeout);
  if (auto [n, cmd] = c.n_committed(r.index); n > 0)
    FAIL(n << " committed but no majority (" << c.describe_index(r.index) << ")");
  // Repair.
  for (std::size_t k = 1; k <= 3; ++k)
    c.connect(plus(leader, k, servers));
  // The disconnected majority may have chosen a leader from among their own ranks,
  // forgetting index 2.
  auto leader2 = c.check_one_leader();
  auto r2 = must_start(c, leader2, "30");
  if (!r2.is_leader)
    FAIL("leader2 rejected Start() (peer " << leader2 << ", term " << r2.term
                                           << ", command 30)");
  if (r2.index < 2 || r2.index > 3)
    FAIL("unexpected index " << r2.index << " (leader " << leader2 << ", command 30)");
  c.one("1000", servers, true);
  c.check_safety();
}

void concurrent_starts(network_mode mode) {
  const std::size_t servers = 3;
  test_cluster c{options_for(mode, servers)};
  INFO("cluster seed " << c.seed());
  bool success = false;
  std::ostringstream tries; // why each try was given up, for "term changed too often"
  // The course's own five tries: a term may change under a Start(), and then the test is
  // run again rather than judged.
  for (int attempt = 0; attempt < 5 && !success; ++attempt) {
    if (attempt > 0)
      std::this_thread::sleep_for(3s); // the course's pause: give the peers time to settle
    auto leader = c.check_one_leader();
    auto first = must_start(c, leader, "1");
    tries << "\n  try " << attempt + 1 << ": leader " << leader << " in term " << first.term;
    if (!first.is_leader) {
      tries << " refused Start(1)";
      continue; // leader moved on really quickly
    }
    auto term = first.term;
    const int iters = 5;
    std::mutex mtx;
    std::vector<log_index> is;
    thread_failures failures;
    {
      joined_threads starters;
      for (int i = 0; i < iters; ++i)
        starters.spawn([&, i] {
          failures.guard([&] {
            auto r = must_start(c, leader, std::to_string(100 + i));
            if (r.term != term || !r.is_leader)
              return;
            std::lock_guard<std::mutex> guard{mtx};
            is.push_back(r.index);
          });
        });
    }
    if (auto f = failures.first())
      FAIL(*f);
    bool moved_on = false;
    for (peer_id id = 1; id <= servers; ++id) {
      auto st = c.get_state(id);
      if (!st)
        FAIL("peer " << id << " did not answer GetState()");
      if (st->term != term)
        tries << ", peer " << id << " moved on to term " << st->term;
      moved_on = moved_on || st->term != term; // term changed: can't expect all to commit
    }
    if (moved_on)
      continue;
    bool failed = false;
    std::vector<std::string> cmds;
    std::ostringstream where; // index → command, for the failure message
    for (auto index : is) {
      auto cmd = c.wait(index, servers, term);
      if (!cmd) {
        // Peers have moved on to later terms, so we can't expect all Start()s to have
        // succeeded.
        tries << ", a peer moved on while index " << index << " was awaited";
        failed = true;
        break;
      }
      if (!as_int(*cmd))
        FAIL("value " << *cmd << " is not an int (index " << index << ")");
      cmds.push_back(*cmd);
      where << " " << index << ":" << *cmd;
    }
    if (failed)
      continue;
    for (int i = 0; i < iters; ++i) {
      auto x = std::to_string(100 + i);
      if (std::find(cmds.begin(), cmds.end(), x) == cmds.end())
        FAIL("cmd " << x << " missing in [" << where.str() << " ] (leader " << leader
                    << ", term " << term << ")");
    }
    success = true;
  }
  if (!success)
    FAIL("term changed too often" << tries.str());
  c.check_safety();
}

void rejoin_of_partitioned_leader(network_mode mode) {
  const std::size_t servers = 3;
  test_cluster c{options_for(mode, servers)};
  INFO("cluster seed " << c.seed());
  c.one("101", servers, true);
  // Leader network failure.
  auto leader1 = c.check_one_leader();
  c.disconnect(leader1);
  // Make the old leader try to agree on some entries.
  must_start(c, leader1, "102");
  must_start(c, leader1, "103");
  must_start(c, leader1, "104");
  // New leader commits, also for index 2.
  c.one("103", 2, true);
  // New leader network failure.
  auto leader2 = c.check_one_leader();
  c.disconnect(leader2);
  // Old leader connected again.
  c.connect(leader1);
  c.one("104", 2, true);
  // All together now.
  c.connect(leader2);
  c.one("105", servers, true);
  c.check_safety();
}

void leader_backs_up_quickly(network_mode mode) {
  const std::size_t servers = 5;
  test_cluster c{options_for(mode, servers)};
  INFO("cluster seed " << c.seed());
  course_random rnd{c.seed()};
  auto at = [&](peer_id x, std::size_t k) { return plus(x, k, servers); };
  c.one(rnd.command(), servers, true);
  // Put the leader and one follower in a partition.
  auto leader1 = c.check_one_leader();
  c.disconnect(at(leader1, 2));
  c.disconnect(at(leader1, 3));
  c.disconnect(at(leader1, 4));
  // Submit lots of commands that won't commit.
  for (int i = 0; i < 50; ++i)
    must_start(c, leader1, rnd.command());
  std::this_thread::sleep_for(election_timeout / 2); // the course's RaftElectionTimeout/2
  c.disconnect(at(leader1, 0));
  c.disconnect(at(leader1, 1));
  // Allow the other partition to recover.
  c.connect(at(leader1, 2));
  c.connect(at(leader1, 3));
  c.connect(at(leader1, 4));
  // Lots of successful commands to the new group.
  for (int i = 0; i < 50; ++i)
    c.one(rnd.command(), 3, true);
  // Now another partitioned leader and one follower.
  auto leader2 = c.check_one_leader();
  auto other = at(leader1, 2);
  if (leader2 == other)
    other = at(leader2, 1);
  c.disconnect(other);
  // Lots more commands that won't commit.
  for (int i = 0; i < 50; ++i)
    must_start(c, leader2, rnd.command());
  std::this_thread::sleep_for(election_timeout / 2); // the course's RaftElectionTimeout/2
  // Bring the original leader back to life.
  for (peer_id id = 1; id <= servers; ++id)
    c.disconnect(id);
  c.connect(at(leader1, 0));
  c.connect(at(leader1, 1));
  c.connect(other);
  // Lots of successful commands to the new group.
  for (int i = 0; i < 50; ++i)
    c.one(rnd.command(), 3, true);
  // Now everyone.
  for (peer_id id = 1; id <= servers; ++id)
    c.connect(id);
  c.one(rnd.command(), servers, true);
  c.check_safety();
}

} // namespace raft::testing

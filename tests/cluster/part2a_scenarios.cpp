#include "part2a_scenarios.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <thread>

#include "testing/polling.hpp"

namespace raft::testing {

using namespace std::chrono_literals;

namespace {

/// check_terms(), except that where messages are lost the peers are given up to 2 s to
/// agree: a lost heartbeat can legitimately leave a follower in a new term for a moment.
term_t agreed_term(test_cluster& c, network_mode mode) {
  if (mode != network_mode::unreliable)
    return c.check_terms();
  term_t term = 0;
  bool agreed = eventually(
    [&] {
      try {
        term = c.check_terms();
        return true;
      } catch (const cluster_check_failed&) {
        return false;
      }
    },
    std::chrono::seconds(2));
  if (!agreed)
    return c.check_terms(); // fails with the checker's message
  return term;
}

} // namespace

void initial_election(network_mode mode) {
  test_cluster c{options_for(mode, 3)};
  INFO("cluster seed " << c.seed());
  c.check_one_leader();
  // The course sleeps 50 ms so that followers hear the new leader before terms are compared.
  std::this_thread::sleep_for(50ms);
  auto term1 = agreed_term(c, mode);
  CHECK(term1 >= 1);
  // Two seconds without failures: no election may happen.
  std::this_thread::sleep_for(2s);
  auto term2 = agreed_term(c, mode);
  CHECK(term1 == term2);
  c.check_one_leader();
  c.check_safety();
}

void re_election(network_mode mode) {
  test_cluster c{options_for(mode, 3)};
  INFO("cluster seed " << c.seed());
  auto n = static_cast<peer_id>(c.size());
  auto leader1 = c.check_one_leader();
  // If the leader disconnects, a new one should be elected.
  c.disconnect(leader1);
  c.check_one_leader();
  // If the old leader rejoins, that shouldn't disturb the new leader (one leader per term).
  c.connect(leader1);
  auto leader2 = c.check_one_leader();
  // If there's no quorum, no new leader should be elected.
  auto other = static_cast<peer_id>(leader2 % n + 1); // the course's (leader2 + 1) % n
  c.disconnect(leader2);
  c.disconnect(other);
  std::this_thread::sleep_for(2s);
  c.check_no_leader();
  // If a quorum arises, it should elect a leader.
  c.connect(other);
  c.check_one_leader();
  // Re-join of the last node shouldn't prevent leadership.
  c.connect(leader2);
  c.check_one_leader();
  c.check_safety();
}

void many_elections(network_mode mode) {
  test_cluster c{options_for(mode, 7)};
  INFO("cluster seed " << c.seed());
  std::mt19937_64 rng{c.seed()};
  auto n = c.size();
  c.check_one_leader();
  for (int round = 0; round < 9; ++round) {
    // Disconnect three peers chosen at random (repeats allowed: 1–3 go down).
    peer_id picks[3];
    for (auto& p : picks)
      p = static_cast<peer_id>(rng() % n + 1);
    for (auto p : picks)
      c.disconnect(p);
    // Either the current leader should still be alive, or the remaining four should elect
    // a new one.
    c.check_one_leader();
    for (auto p : picks)
      c.connect(p);
  }
  c.check_one_leader();
  c.check_safety();
}

} // namespace raft::testing

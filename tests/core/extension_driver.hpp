#pragma once
/// A node with the product's settings (node::with_defaults: pre-vote, check-quorum, retried
/// vote requests), driven with explicit times in milliseconds from 0, for the rule tests of
/// the election extensions. Every step is checked against the effect-ordering contract.

#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "core_test_util.hpp"

namespace raft_test {

inline time_point at(long ms) {
  return std::chrono::duration_cast<time_point>(std::chrono::milliseconds(ms));
}

/// A node with pre-vote and check-quorum on, and the last timer generations it armed.
struct driver {
  node n;
  std::uint64_t election_gen = 0;
  std::uint64_t heartbeat_gen = 0;
  std::optional<duration> last_election_delay;
  effects last;

  driver(peer_id self, std::vector<peer_id> members, persistent_state st = {})
    : n(node::with_defaults(self, std::move(members), timing{}, 7), std::move(st)) {
  }
  driver(node::options o, persistent_state st = {}) : n(std::move(o), std::move(st)) {}

  effects& take(effects fx) {
    INFO(effect_order_problem(fx));
    REQUIRE(effect_order_problem(fx).empty());
    for (auto& t : effects_of<arm_election_timer>(fx)) {
      election_gen = t.generation;
      last_election_delay = t.after;
    }
    for (auto& t : effects_of<arm_heartbeat_timer>(fx))
      heartbeat_gen = t.generation;
    // Whatever persist says must be what the node now holds.
    for (const auto& p : effects_of<persist>(fx)) {
      CHECK(p.current_term == n.current_term());
      CHECK(p.voted_for == n.voted_for());
    }
    last = std::move(fx);
    return last;
  }
  effects& start(long ms) { return take(n.start(at(ms))); }
  effects& receive(message m, long ms) { return take(n.receive(m, at(ms))); }
  effects& election_timeout(long ms) { return take(n.election_timer_fired(election_gen, at(ms))); }
  effects& heartbeat_timeout(long ms) {
    return take(n.heartbeat_timer_fired(heartbeat_gen, at(ms)));
  }
  effects& tick(long ms) { return take(n.tick(at(ms))); }
  effects& lost(peer_id p, long ms) { return take(n.connection_lost(p, at(ms))); }
  effects& restored(peer_id p, long ms) { return take(n.connection_restored(p, at(ms))); }
};

/// Makes `d` (a member of 1..3) leader of term 1 at time `ms` with votes from `voter`.
inline void make_leader(driver& d, peer_id voter, long ms) {
  d.start(0);
  d.election_timeout(ms);
  d.receive(pre_vote_reply{1, true, voter}, ms);
  REQUIRE(d.n.role() == role::candidate);
  d.receive(vote_reply(1, true, voter), ms);
  REQUIRE(d.n.is_leader());
}

/// Follows leader 1 of term 1 (heard at 100 ms) until, at 150 ms, the transport reports the
/// connection to it down: the start of the crash fast path.
inline void follow_then_lose_leader(driver& d) {
  d.start(0);
  d.receive(heartbeat(1, 1), 100);
  d.lost(1, 150);
}

} // namespace raft_test

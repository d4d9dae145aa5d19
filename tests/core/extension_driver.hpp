#pragma once
/// A node with the product's settings (node::with_defaults: pre-vote, check-quorum, retried
/// vote requests), driven with explicit times in milliseconds from 0, for the rule tests of
/// the election extensions. Every step is checked by the testing library's driver.

#include <utility>
#include <vector>

#include "core_test_util.hpp"

namespace raft_test {

/// The driver (testing/core_driver.hpp) of a node with the product's settings (pre-vote,
/// check-quorum, retried vote requests; seed 7) when given a member list.
struct driver : raft::testing::core_driver {
  using core_driver::core_driver;
  driver(peer_id self, std::vector<peer_id> members, persistent_state st = {})
    : core_driver(node::with_defaults(self, std::move(members), timing{}, 7), std::move(st)) {}
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

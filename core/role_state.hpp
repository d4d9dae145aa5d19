#pragma once
/// What a peer holds only in one role (Figure 2's volatile state, split by role), as a
/// `std::variant`: the node builds a new alternative in become_follower, become_candidate and
/// become_leader and nowhere else, so nothing of an earlier role can be left over (no votes
/// at a follower, no progress at a candidate, no known leader at a candidate).

#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "core/progress.hpp"
#include "core/role.hpp"
#include "core/timing.hpp"
#include "core/vote_tracker.hpp"

namespace raft {

struct follower_role {
  /// The leader of the current term, once one was heard from (or none).
  std::optional<peer_id> leader;
  /// When that leader was last heard from in this term (the leader lease; pre-vote).
  std::optional<time_point> leader_contact;
  /// While asking for pre-votes for current_term + 1 (thesis §9.6): the answers so far.
  std::optional<vote_tracker> pre_votes;
  /// Entries through this index match the leader's log but are not durable yet: the success
  /// reply goes when they are (node::log_synced), acknowledging this index.
  std::optional<log_index> ack_pending;
  /// The highest heartbeat round of this leader received in this term (echoed in replies).
  std::uint64_t leader_round = 0;
  /// The leader's snapshot being received, chunk by chunk (Figure 13 steps 2–5).
  struct incoming_snapshot {
    log_index index = 0;
    term_t term = 0;
    std::string data;
  };
  std::optional<incoming_snapshot> incoming;
};

struct candidate_role {
  vote_tracker votes; ///< the answers to this term's RequestVotes; self counted
};

/// A read waiting to be served (node::read, ReadIndex, Raft thesis §6.4).
struct pending_read {
  std::uint64_t id = 0;
  log_index index = 0;     ///< the commit index when the read began (its read index)
  std::uint64_t round = 0; ///< the heartbeat round that confirms it (0: not yet assigned)
};

struct leader_role {
  std::set<peer_id> voters;             ///< who elected it (a majority)
  std::map<peer_id, progress> followers; ///< every other member
  // ReadIndex: heartbeat rounds. Every AppendEntries carries the latest round; a follower's
  // reply echoes the highest it has seen. A round a majority echoed confirms this node was
  // still the leader after the round began (no other leader could have been elected
  // without one of that majority changing term first).
  std::uint64_t round = 0;           ///< highest round broadcast
  std::uint64_t confirmed_round = 0; ///< highest round a majority acknowledged
  std::map<std::uint64_t, time_point> round_sent_at; ///< unconfirmed rounds, when sent
  std::optional<time_point> lease_until; ///< lease reads may be served before this
  std::vector<pending_read> awaiting_commit;    ///< no entry of this term committed yet
  std::vector<pending_read> awaiting_round;     ///< a round is out: they go in the next
  std::vector<pending_read> in_round;           ///< waiting for their round's confirmation
};

using role_state = std::variant<follower_role, candidate_role, leader_role>;

inline raft::role role_of(const role_state& s) {
  return static_cast<raft::role>(s.index());
}
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(role::follower), role_state>, follower_role>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(role::candidate), role_state>, candidate_role>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(role::leader), role_state>, leader_role>);

} // namespace raft

#pragma once
/// The closed set of effects a step of the Raft core asks its shell to carry out.
///
/// Ordering contract: within the effects of one step, a `persist` (at most one) comes first.
/// The shell carries the effects out in order, so the term and vote are on stable storage
/// before any `send` of the same step leaves the node (Figure 2: "updated on stable storage
/// before responding to RPCs").

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/message.hpp"
#include "core/role.hpp"
#include "core/timing.hpp"

namespace raft {

/// Send `msg` to peer `to` (one-way; it may be lost).
struct send {
  peer_id to = 0;
  message msg;
};

/// Write current_term and voted_for durably before carrying out anything after it.
struct persist {
  term_t current_term = 0;
  std::optional<peer_id> voted_for;
};

/// Deliver `election_timer_fired(generation)` after `after`. Arming a timer makes every
/// earlier election timer stale: the core ignores a firing whose generation is not current.
struct arm_election_timer {
  duration after{};
  std::uint64_t generation = 0;
};

/// Deliver `heartbeat_timer_fired(generation)` after `after` (leaders only).
struct arm_heartbeat_timer {
  duration after{};
  std::uint64_t generation = 0;
};

/// The role, the term or the known leader changed during a step (at most one per step,
/// right after any persist), and once from `start`.
struct role_changed {
  raft::role role = raft::role::follower;
  term_t term = 0;
  std::optional<peer_id> leader;
};

/// A message was dropped without effect on the state; the shell logs `reason`.
struct message_rejected {
  peer_id from = 0;
  std::string reason;
};

using effect = std::variant<send, persist, arm_election_timer, arm_heartbeat_timer,
                            role_changed, message_rejected>;
using effects = std::vector<effect>;

} // namespace raft

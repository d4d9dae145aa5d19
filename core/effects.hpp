#pragma once
/// The closed set of effects a step of the Raft core asks its shell to carry out.
///
/// Ordering contract: within the effects of one step, a `persist` (at most one) comes first,
/// then at most one `role_changed`; the rest in the order the rules produced them. The shell
/// carries the effects out in that order, so the term and vote are on stable storage before
/// any `send` of the same step leaves the node (Figure 2: "updated on stable storage before
/// responding to RPCs").
///
/// Log writes are asynchronous, for group commit: a `write_log` only hands entries to the
/// store, and the shell must later make everything written durable (one fdatasync for all
/// writes so far) and then call node::log_synced(). The core never emits a send that depends
/// on an entry being durable before that call: a follower's acknowledgement of entries waits
/// for it, and a leader counts its own copy towards commitment only from it (it may send
/// entries to followers before; core/node.hpp says why that is safe). `save_snapshot` is
/// durable on return and makes every earlier write durable too.
///
/// Every shell handles effects with one `std::visit` over all alternatives, so adding an
/// effect here breaks the build of any shell that does not handle it.

#include <memory>
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

/// Hand log changes to the store (Figure 2's log[] is persistent state): first remove the
/// entries from `truncate_from` on (when set), then append `entries`, the first with index
/// `first`. Not durable until the shell syncs and calls node::log_synced().
struct write_log {
  std::optional<log_index> truncate_from;
  log_index first = 0;
  std::vector<log_entry> entries;
};

/// Store a snapshot of the entries through `index` (of term `term`) and discard them from the
/// stored log (§7; storage/log_store.hpp save_snapshot). Durable on return, together with
/// every earlier write_log. `data` is the service's state at `index`.
struct save_snapshot {
  log_index index = 0;
  term_t term = 0;
  std::shared_ptr<const std::string> data;
};

/// Deliver these committed entries to the service, in this order: the first has index
/// `first` and follows the last one applied (Figure 2: "If commitIndex > lastApplied:
/// increment lastApplied, apply log[lastApplied] to state machine"). Only entries that are
/// committed and durable here are applied, each exactly once per incarnation.
struct apply {
  log_index first = 0;
  std::vector<log_entry> entries;
};

/// Replace the service's state with this snapshot (Figure 13 step 8: "Reset state machine
/// using snapshot contents"); the next entry applied follows `index`.
struct apply_snapshot {
  log_index index = 0;
  term_t term = 0;
  std::shared_ptr<const std::string> data;
};

/// Read `id` may be served once the service has applied through `index` (node::read): every
/// write committed before the read began is at or before `index`.
struct read_ready {
  std::uint64_t id = 0;
  log_index index = 0;
};

/// Read `id` cannot be served here: this node is not the leader, or lost leadership before
/// the read was confirmed. `leader` is the leader this node knows of, if any.
struct read_failed {
  std::uint64_t id = 0;
  std::optional<peer_id> leader;
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

using effect = std::variant<send, persist, write_log, save_snapshot, apply, apply_snapshot,
                            read_ready, read_failed, arm_election_timer, arm_heartbeat_timer,
                            role_changed, message_rejected>;
using effects = std::vector<effect>;

} // namespace raft

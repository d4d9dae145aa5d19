#pragma once
/// The peer actor: a thin CAF shell around the Raft core (core/node.hpp).
///
/// The shell feeds every message and timer to the core and carries out the effects the core
/// returns, in order, with one exhaustive visit (a new effect that this shell forgets does
/// not compile). Because the core puts `persist` first, the term and vote are on stable
/// storage before any message of the same step is sent (Figure 2). A failed store call stops
/// the peer before it sends anything that depended on it (fail-stop), so no message can
/// promise a vote or an entry that a restart would forget.
///
/// Clients (messages/client.hpp): a write is proposed on the leader (after the state
/// machine's `prepare`) and answered with the machine's result once applied here; if another
/// entry takes its index, or a snapshot covers it before it is answered, the client hears
/// `unknown`. A linearizable or lease read goes through node::read and is answered once the
/// machine has applied through its read index; a local read is answered at once.
///
/// Group commit: a `write_log` only hands entries to the store; the first one after a sync
/// sends the peer a `sync` message, which queues behind every message already waiting (say,
/// 64 proposals or a burst of AppendEntries). When it is handled, one sync makes all of their
/// writes durable and the core learns it (node::log_synced): a follower then acknowledges,
/// a leader counts its own copy.
///
/// Election timers: the core re-arms its election timer on every AppendEntries a follower
/// takes (thousands a second under load), and each `arm_election_timer` used to become a
/// delayed message of its own: CAF's clock thread woken to file it, the peer woken 300–600
/// ms later for a message the core then ignored as stale. The shell now keeps one message in
/// flight: a new arming whose deadline is no earlier than that message's arrival sends
/// nothing; when the message arrives and the core has re-armed since, the shell sends one
/// for the rest of the latest deadline; once that deadline has passed, the core gets the
/// latest generation. An arming due earlier than the message in flight sends a new one (the
/// old one then reaches the core as a stale generation, as before). So the core still sees
/// its current generation fire at or after the deadline it asked for, never earlier.
///
/// Time is the actor's clock (`self->clock().now()`), so under CAF's deterministic test
/// coordinator the product's time-based rules (leases, check-quorum) run in virtual time.

#include <functional>
#include <map>
#include <memory>
#include <variant>

#include "actors/peer_interface.hpp"
#include "actors/peer_stats.hpp"
#include "core/effects.hpp"
#include "core/node.hpp"
#include "kv/state_machine.hpp"
#include "storage/log_store.hpp"

namespace caf {
class actor_system;
}

namespace raft {

/// What a peer tells its owner, called from inside the peer actor (so it must be
/// thread-safe): role changes, rejected messages, and a fatal error (a store failure or a
/// broken invariant), after which the peer stops.
struct peer_event {
  peer_id peer = 0;
  std::variant<role_changed, message_rejected, std::string /* fatal error */> what;
};
using peer_observer = std::function<void(const peer_event&)>;

/// What the peer hands its service, in order, each exactly once per incarnation: committed
/// entries and snapshots to restore (the course's apply channel). Called from inside the
/// peer actor: it must not block on the peer (to take a snapshot, send the peer `snapshot`).
using applied = std::variant<apply, apply_snapshot>;
using apply_sink = std::function<void(peer_id self, const applied&)>;

struct peer_config {
  node::options core;
  std::map<peer_id, link_actor> links; ///< one link per other member
  /// Figure 2's persistent state, the log and the snapshot; loaded once by spawn_peer.
  std::shared_ptr<log_store> store;
  /// What `store->load()` returned, when the caller loaded it already (to report a corrupt
  /// store before anything else starts); otherwise spawn_peer loads it.
  std::optional<recovered_state> recovered;
  apply_sink sink;                     ///< may be empty
  /// The replicated state machine the log drives (kv/state_machine.hpp), if any: every
  /// committed command is applied to it once, in order (no-op entries, empty commands, are
  /// not), snapshots restore it, and clients' requests (messages/client.hpp) are answered
  /// from it. Without one, client requests are refused.
  std::shared_ptr<kv::state_machine> machine;
  /// With a machine: the peer snapshots it once this many entries were applied since its
  /// last snapshot (0: never), so the log stays short (§7).
  std::uint64_t snapshot_every = 0;
  peer_observer observer;              ///< may be empty
  std::shared_ptr<peer_stats> stats;   ///< message counters; may be empty
};

/// Loads the store and spawns a peer. Throws what building the core or loading the store
/// throws (bad options, a corrupt state or log) before any actor exists. The snapshot the
/// store holds (if any) reaches the sink first, before any entry. With `detached`, the peer
/// gets a thread of its own, so its fsyncs never hold up a scheduler worker shared with other
/// actors.
peer_actor spawn_peer(caf::actor_system& sys, peer_config cfg, bool detached = false);

} // namespace raft

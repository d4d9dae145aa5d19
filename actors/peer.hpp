#pragma once
/// The peer actor: a thin CAF shell around the Raft core (core/node.hpp).
///
/// The shell feeds every message and timer to the core and carries out the effects the core
/// returns, in order. Because the core puts `persist` first, the term and vote are on stable
/// storage before any message of the same step is sent (Figure 2). A failed save stops the
/// peer before it sends anything (fail-stop), so no message can promise a vote that a
/// restart would forget.

#include <functional>
#include <map>
#include <memory>

#include "actors/peer_interface.hpp"
#include "actors/peer_stats.hpp"
#include "core/effects.hpp"
#include "core/node.hpp"
#include "storage/state_store.hpp"

namespace caf {
class actor_system;
}

namespace raft {

/// What a peer tells its owner, called from inside the peer actor (so it must be
/// thread-safe): role changes, rejected messages, and a fatal storage failure.
struct peer_event {
  peer_id peer = 0;
  std::variant<role_changed, message_rejected, std::string /* fatal error */> what;
};
using peer_observer = std::function<void(const peer_event&)>;

struct peer_config {
  node::options core;
  std::map<peer_id, link_actor> links; ///< one link per other member
  std::shared_ptr<state_store> store;  ///< Figure 2's persistent state
  peer_observer observer;              ///< may be empty
  std::shared_ptr<peer_stats> stats;   ///< message counters; may be empty
};

/// Spawns a peer. Throws what building the core or loading the store throws (bad options,
/// a corrupt state file) before any actor exists. With `detached`, the peer gets a thread of its own, so its fsyncs never
/// hold up a scheduler worker shared with other actors.
peer_actor spawn_peer(caf::actor_system& sys, peer_config cfg, bool detached = false);

} // namespace raft

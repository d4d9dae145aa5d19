#pragma once
/// Reaching a member's published endpoint from a tool (raftctl, the kv_client library,
/// kv-bench): a time-limited TCP probe first (a host that drops packets must not block CAF's
/// middleman, whose connect blocks without a limit: shared/CAF_NOTES.md), then the
/// middleman's connect with what is left of the deadline, through the transport the actor
/// system was configured with (plain or TLS: actors/node_system.hpp).

#include <chrono>

#include "actors/peer_interface.hpp"
#include "config/cluster_config.hpp"

namespace caf {
class actor_system;
class scoped_actor;
} // namespace caf

namespace raft {

/// The member's endpoint, connected by `deadline`; an invalid handle when the host does not
/// answer in time or does not offer the node's interface.
node_endpoint connect_endpoint(caf::actor_system& sys, caf::scoped_actor& self,
                               const peer_address& p,
                               std::chrono::steady_clock::time_point deadline);

} // namespace raft

#pragma once
/// kv_client's transport to raft-node processes: each member's published endpoint, connected
/// lazily through the actor system's transport (plain or TLS) with a time-limited probe first
/// (client/endpoint_connect.hpp), reconnected after a failure.

#include <map>
#include <memory>
#include <vector>

#include "client/kv_transport.hpp"
#include "config/cluster_config.hpp"

namespace caf {
class actor_system;
}

namespace raft {

/// `sys` must be configured as raftctl's is (actors/node_system.hpp). One per thread.
std::shared_ptr<kv_transport> make_remote_transport(caf::actor_system& sys,
                                                    std::vector<peer_address> members);

} // namespace raft

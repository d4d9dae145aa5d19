#pragma once
/// Registers the wire messages (messages/wire.hpp) with CAF. Every process that talks to
/// other peers must call this on its config before creating the actor system: a node
/// that lacks a registration receives empty messages or fails typed handshakes
/// (CAF 0.17 checks the typed interface by type names).

namespace caf {
class actor_system_config;
}

namespace raft {

void register_messages(caf::actor_system_config& cfg);

} // namespace raft

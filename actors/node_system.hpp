#pragma once
/// The CAF settings every networked process of the project uses (raft-node, raftctl).

namespace caf {
class actor_system_config;
}

namespace raft {

/// Registers the messages, loads the middleman, and sets:
/// - `scheduler.max-throughput` 1, so no busy actor starves another's timer;
/// - idle scheduler workers sleep on their condition variable instead of polling;
/// - middleman heartbeats every 100 ms with a 1 s connection timeout, so a frozen (SIGSTOP)
///   or silently vanished host is noticed and its link reconnects; without them CAF 0.17
///   never notices a frozen peer.
void configure_node_system(caf::actor_system_config& cfg);

} // namespace raft

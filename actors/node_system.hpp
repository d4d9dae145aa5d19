#pragma once
/// The CAF settings every networked process of the project uses (raft-node, raftctl).

#include "config/transport_timing.hpp"

namespace caf {
class actor_system_config;
}

namespace raft {

/// Registers the messages, loads the middleman, and sets:
/// - `scheduler.max-throughput` 1, so no busy actor starves another's timer;
/// - idle scheduler workers sleep on their condition variable instead of polling;
/// - middleman heartbeats and connection timeout from `transport` (transport_timing_for the
///   cluster's timing: config/transport_timing.hpp), so a frozen (SIGSTOP) or silently
///   vanished host is noticed and its link reconnects — never before an election timeout
///   would have fired; without heartbeats CAF 0.17 never notices a frozen peer.
void configure_node_system(caf::actor_system_config& cfg, const transport_timing& transport);

} // namespace raft

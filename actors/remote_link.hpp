#pragma once
/// A link to a peer on another host, through CAF's middleman.
///
/// One actor per remote peer keeps the connection: it first checks with a time-limited
/// non-blocking probe (net/tcp_probe.hpp) that the host answers — so a dead or
/// black-holed host never blocks the shared middleman —, then asks the middleman to connect
/// with a timeout, checks the remote's typed interface, and monitors it. When the remote
/// goes down (killed, restarted, or frozen past the middleman's connection timeout) it
/// reconnects with capped, jittered exponential backoff. While disconnected, messages are
/// dropped, never queued: Raft treats a lost message like any network loss.

#include <cstdint>
#include <functional>
#include <string>

#include <memory>

#include "actors/fault_switch.hpp"
#include "actors/peer_interface.hpp"

namespace caf {
class actor_system;
}

namespace raft {

struct remote_link_config {
  peer_id peer = 0;
  std::string host;
  std::uint16_t port = 0;
  /// Called from the link's thread when the connection comes up (true) or goes down.
  std::function<void(peer_id peer, bool up, const std::string& detail)> on_change;
  /// Fault injection (tests and benchmarks only): drop what goes to a cut peer.
  std::shared_ptr<const fault_switch> faults;
};

/// Spawns the link on a thread of its own (the probe blocks for up to 300 ms).
link_actor spawn_remote_link(caf::actor_system& sys, remote_link_config cfg);

} // namespace raft

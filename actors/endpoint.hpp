#pragma once
/// The actor a node publishes on its port (`node_endpoint`): it passes wire messages from
/// members on to the local peer and answers `status`. A message whose sender id is not a
/// member is dropped and reported once per id; the peer's timers and `kill` are not part of
/// the published interface, so no remote party can reach them.

#include <functional>
#include <string>
#include <vector>

#include <memory>

#include "actors/fault_switch.hpp"
#include "actors/peer_interface.hpp"

namespace caf {
class actor_system;
}

namespace raft {

struct endpoint_config {
  peer_actor peer;
  std::vector<peer_id> members;
  /// Called once per unknown sender id, with the kind of the first message it sent.
  std::function<void(peer_id from, const std::string& kind)> on_unknown_sender;
  /// Fault injection (tests and benchmarks only): drop what comes from a cut peer.
  std::shared_ptr<const fault_switch> faults;
};

node_endpoint spawn_endpoint(caf::actor_system& sys, endpoint_config cfg);

} // namespace raft

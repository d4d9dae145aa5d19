#pragma once
/// The CAF actor system the test clients share, configured as raftctl's is
/// (actors/node_system.hpp): the messages registered, the middleman loaded, its heartbeats
/// derived from the cluster's timing. kv_client needs only such a system; each client then
/// makes its own blocking actor on its own thread (client/kv_client.hpp), so one system
/// serves them all and the machine runs one scheduler and one middleman for the clients
/// instead of one per client.

#include <memory>

#include "core/timing.hpp"

namespace caf {
class actor_system;
class actor_system_config;
} // namespace caf

namespace raft::linearizability {

class client_system {
public:
  /// `t`: the cluster's Raft timing (its transport timeouts follow from it).
  explicit client_system(const timing& t = {});
  /// Waits for the system's actors: destroy every kv_client made on it first.
  ~client_system();
  client_system(const client_system&) = delete;
  client_system& operator=(const client_system&) = delete;

  caf::actor_system& get() { return *sys_; }

private:
  std::unique_ptr<caf::actor_system_config> cfg_;
  std::unique_ptr<caf::actor_system> sys_;
};

} // namespace raft::linearizability

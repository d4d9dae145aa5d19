#include "client_system.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "actors/node_system.hpp"
#include "config/transport_timing.hpp"

namespace raft::linearizability {

client_system::client_system(const timing& t)
  : cfg_(std::make_unique<caf::actor_system_config>()) {
  configure_node_system(*cfg_, transport_timing_for(t));
  sys_ = std::make_unique<caf::actor_system>(*cfg_);
}

client_system::~client_system() {
  sys_.reset(); // before the config it was made from
}

} // namespace raft::linearizability

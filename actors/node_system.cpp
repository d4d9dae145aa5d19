#include "actors/node_system.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>

#include <chrono>

#include "messages/registration.hpp"

namespace raft {

void configure_node_system(caf::actor_system_config& cfg) {
  using namespace std::chrono_literals;
  register_messages(cfg);
  cfg.load<caf::io::middleman>();
  cfg.set("scheduler.max-throughput", 1);
  cfg.set("middleman.heartbeat-interval", caf::timespan{100ms});
  cfg.set("middleman.connection-timeout", caf::timespan{1000ms});
}

} // namespace raft

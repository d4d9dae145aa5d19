#include "actors/node_system.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>

#include <chrono>

#include "messages/registration.hpp"

namespace raft {

void configure_node_system(caf::actor_system_config& cfg, const transport_timing& transport,
                           const std::optional<tls_settings>& tls) {
  using namespace std::chrono_literals;
  register_messages(cfg);
  cfg.load<caf::io::middleman>();
  cfg.set("scheduler.max-throughput", 1);
  // CAF's work-stealing workers spin and poll for ~25 ms after each job by default, which
  // keeps an idle node at ~10% of a core with heartbeats every 100 ms. A worker with no work
  // now goes straight to its condition variable (an enqueue wakes it at once). No moderate
  // poll at all: its one attempt was a 50 us nanosleep, during which an enqueue does not
  // wake the worker (only a worker waiting on the condition variable is notified), so a
  // message arriving then waited for the sleep to end, and every idle worker switched
  // twice.
  cfg.set("work-stealing.aggressive-poll-attempts", 1);
  cfg.set("work-stealing.moderate-poll-attempts", 0);
  cfg.set("work-stealing.relaxed-sleep-duration", caf::timespan{100ms});
  cfg.set("middleman.heartbeat-interval", caf::timespan{transport.heartbeat_interval});
  cfg.set("middleman.connection-timeout", caf::timespan{transport.connection_timeout});
  if (tls) {
    cfg.load<caf::openssl::manager>();
    cfg.openssl_certificate = tls->cert_file.path;
    cfg.openssl_key = tls->key_file.path;
    cfg.openssl_cafile = tls->ca_file.path;
  }
}

caf::io::middleman_actor transport_of(caf::actor_system& sys) {
  return sys.has_openssl_manager() ? sys.openssl_manager().actor_handle()
                                   : sys.middleman().actor_handle();
}

} // namespace raft

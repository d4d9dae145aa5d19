#pragma once
/// The CAF settings every networked process of the project uses (raft-node, raftctl).

#include <optional>

#include <caf/io/middleman_actor.hpp>

#include "config/cluster_config.hpp"
#include "config/transport_timing.hpp"

namespace caf {
class actor_system;
class actor_system_config;
} // namespace caf

namespace raft {

/// Registers the messages, loads the middleman, and sets:
/// - `scheduler.max-throughput` 1, so no busy actor starves another's timer;
/// - idle scheduler workers sleep on their condition variable instead of polling;
/// - middleman heartbeats and connection timeout from `transport` (transport_timing_for the
///   cluster's timing: config/transport_timing.hpp), so a frozen (SIGSTOP) or silently
///   vanished host is noticed and its link reconnects — never before an election timeout
///   would have fired; without heartbeats CAF 0.17 never notices a frozen peer.
///
/// With `tls`, also loads CAF's OpenSSL module (libcaf_openssl) with the certificate, key
/// and CA of `tls`: every connection made or accepted through `transport_of` then requires a
/// certificate signed by that CA on both sides (CAF sets SSL_VERIFY_PEER and
/// SSL_VERIFY_FAIL_IF_NO_PEER_CERT for client and server alike) and presents this process's
/// own. Call check_tls_files (tls/certificate_check.hpp) first: CAF reports bad files only
/// as an exception without their names.
void configure_node_system(caf::actor_system_config& cfg, const transport_timing& transport,
                           const std::optional<tls_settings>& tls = std::nullopt);


/// The middleman actor to connect and publish through: CAF's OpenSSL one when the system
/// was configured with TLS, the plain one otherwise. Both answer `connect_atom` and
/// `publish_atom` alike.
caf::io::middleman_actor transport_of(caf::actor_system& sys);

} // namespace raft

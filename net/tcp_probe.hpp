#pragma once
/// A TCP reachability check with a hard time limit.
///
/// CAF 0.17's middleman connects with a blocking connect(): a host that silently drops
/// packets would hold the middleman (and every other connect queued behind it) for minutes.
/// Asking this probe first, with a non-blocking socket and poll(), keeps a dead or black-holed
/// host from delaying traffic to the healthy ones (../shared/CAF_NOTES.md).

#include <chrono>
#include <cstdint>
#include <string>

namespace raft {

/// True when a TCP connection to host:port completes within `limit`; the connection is
/// closed at once. `host` should be an IP literal: a name is resolved with getaddrinfo, which
/// itself may block.
bool tcp_reachable(const std::string& host, std::uint16_t port,
                   std::chrono::milliseconds limit);

} // namespace raft

#pragma once
/// Sockets opened inside a test namespace, for the harness's own checks of the network
/// (what reaches whom), without any helper program: a socket belongs to the network
/// namespace of the thread that created it, so a short-lived thread enters the namespace
/// (setns) and creates it; the test thread then uses it like any other.

#include <chrono>
#include <cstdint>
#include <string>

#include "net_namespace.hpp"

namespace raft::hosts {

/// An open file descriptor, closed by the destructor.
class socket_fd {
public:
  explicit socket_fd(int fd) : fd_(fd) {}
  socket_fd(socket_fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  socket_fd(const socket_fd&) = delete;
  socket_fd& operator=(const socket_fd&) = delete;
  socket_fd& operator=(socket_fd&&) = delete;
  ~socket_fd();
  int get() const { return fd_; }

private:
  int fd_;
};

/// A socket of `type` (SOCK_DGRAM, SOCK_STREAM) in namespace `ns`, bound to
/// `address:port`. Throws with the failing call's error.
socket_fd bound_socket(const net_namespace& ns, int type, const std::string& address,
                       std::uint16_t port);

/// Sends `text` in one datagram from `from` to `address:port`; throws when sendto fails.
void send_datagram(const socket_fd& from, const std::string& address, std::uint16_t port,
                   const std::string& text);

/// Whether a datagram holding `text` arrives on `on` within `limit` (others are skipped).
bool receive_datagram(const socket_fd& on, const std::string& text,
                      std::chrono::milliseconds limit);

/// How a TCP connect ended.
enum class connect_outcome { connected, refused, unreachable, timed_out, other_error };

/// A non-blocking TCP connect from namespace `ns` to `address:port`, given up after
/// `limit`. A network that drops packets silently gives timed_out; one that answers
/// gives connected, refused (RST) or unreachable (ICMP).
connect_outcome tcp_connect_from(const net_namespace& ns, const std::string& address,
                                 std::uint16_t port, std::chrono::milliseconds limit);

const char* to_string(connect_outcome o);

} // namespace raft::hosts

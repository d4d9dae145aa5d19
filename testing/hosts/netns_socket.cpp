#include "netns_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace raft::hosts {

namespace {

using steady = std::chrono::steady_clock;

sockaddr_in ipv4(const std::string& address, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (::inet_pton(AF_INET, address.c_str(), &a.sin_addr) != 1)
    throw std::invalid_argument("not an IPv4 address: " + address);
  return a;
}

std::runtime_error sys_error(const std::string& what, int err) {
  return std::runtime_error(what + ": " + std::strerror(err));
}

/// A socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK) created inside namespace `ns`.
socket_fd socket_in(const net_namespace& ns, int type) {
  int fd = -1;
  int err = 0;
  std::string step;
  std::thread t([&] {
    auto path = "/run/netns/" + ns.name();
    int nsfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (nsfd < 0) {
      err = errno;
      step = "open " + path;
      return;
    }
    if (::setns(nsfd, CLONE_NEWNET) != 0) {
      err = errno;
      step = "setns " + path;
      ::close(nsfd);
      return;
    }
    ::close(nsfd);
    fd = ::socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
      err = errno;
      step = "socket in " + ns.name();
    }
  });
  t.join();
  if (fd < 0)
    throw sys_error(step, err);
  return socket_fd{fd};
}

} // namespace

socket_fd::~socket_fd() {
  if (fd_ >= 0)
    ::close(fd_);
}

socket_fd bound_socket(const net_namespace& ns, int type, const std::string& address,
                       std::uint16_t port) {
  auto s = socket_in(ns, type);
  int one = 1;
  ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  auto a = ipv4(address, port);
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    throw sys_error("bind " + address + ":" + std::to_string(port) + " in " + ns.name(), errno);
  if (type == SOCK_STREAM && ::listen(s.get(), 16) != 0)
    throw sys_error("listen in " + ns.name(), errno);
  return s;
}

void send_datagram(const socket_fd& from, const std::string& address, std::uint16_t port,
                   const std::string& text) {
  auto a = ipv4(address, port);
  if (::sendto(from.get(), text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&a),
               sizeof a) != static_cast<ssize_t>(text.size()))
    throw sys_error("sendto " + address, errno);
}

bool receive_datagram(const socket_fd& on, const std::string& text,
                      std::chrono::milliseconds limit) {
  auto deadline = steady::now() + limit;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
    if (left.count() <= 0)
      return false;
    pollfd p{on.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      continue;
    char buf[512];
    auto n = ::recv(on.get(), buf, sizeof buf, 0);
    if (n > 0 && std::string(buf, static_cast<std::size_t>(n)) == text)
      return true;
  }
}

connect_outcome tcp_connect_from(const net_namespace& ns, const std::string& address,
                                 std::uint16_t port, std::chrono::milliseconds limit) {
  auto s = socket_in(ns, SOCK_STREAM);
  auto a = ipv4(address, port);
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0)
    return connect_outcome::connected;
  if (errno != EINPROGRESS)
    return errno == ECONNREFUSED ? connect_outcome::refused : connect_outcome::other_error;
  pollfd p{s.get(), POLLOUT, 0};
  int r = ::poll(&p, 1, static_cast<int>(limit.count()));
  if (r == 0)
    return connect_outcome::timed_out;
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  switch (err) {
    case 0: return connect_outcome::connected;
    case ECONNREFUSED: return connect_outcome::refused;
    case EHOSTUNREACH:
    case ENETUNREACH: return connect_outcome::unreachable;
    default: return connect_outcome::other_error;
  }
}

const char* to_string(connect_outcome o) {
  switch (o) {
    case connect_outcome::connected: return "connected";
    case connect_outcome::refused: return "refused";
    case connect_outcome::unreachable: return "unreachable";
    case connect_outcome::timed_out: return "timed out";
    case connect_outcome::other_error: return "other error";
  }
  return "?";
}

} // namespace raft::hosts

#include "config/detail/addresses.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace raft::config_detail {

namespace {

/// The text of an IPv4 or IPv6 address; an IPv4-mapped IPv6 address as plain IPv4.
std::string address_text(int family, const void* addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family == AF_INET6) {
    const auto* a6 = static_cast<const in6_addr*>(addr);
    if (IN6_IS_ADDR_V4MAPPED(a6)) {
      in_addr a4{};
      std::memcpy(&a4, &a6->s6_addr[12], sizeof a4);
      return inet_ntop(AF_INET, &a4, buf, sizeof buf) ? buf : "";
    }
  }
  return inet_ntop(family, addr, buf, sizeof buf) ? buf : "";
}

} // namespace

std::string canonical_host(const std::string& host) {
  in_addr a4{};
  if (inet_pton(AF_INET, host.c_str(), &a4) == 1)
    return address_text(AF_INET, &a4);
  in6_addr a6{};
  if (inet_pton(AF_INET6, host.c_str(), &a6) == 1)
    return address_text(AF_INET6, &a6);
  std::string lower = host;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

std::vector<std::string> resolve_host(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::vector<std::string> out;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0)
    return out;
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    std::string text;
    if (ai->ai_family == AF_INET)
      text = address_text(AF_INET, &reinterpret_cast<const sockaddr_in*>(ai->ai_addr)->sin_addr);
    else if (ai->ai_family == AF_INET6)
      text =
        address_text(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(ai->ai_addr)->sin6_addr);
    if (!text.empty() && std::find(out.begin(), out.end(), text) == out.end())
      out.push_back(std::move(text));
  }
  freeaddrinfo(found);
  return out;
}

} // namespace raft::config_detail

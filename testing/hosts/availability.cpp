#include "availability.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "system_command.hpp"

namespace raft::hosts {

namespace {

// Capability numbers from <linux/capability.h>.
constexpr unsigned cap_net_admin = 12;
constexpr unsigned cap_sys_admin = 21;

/// The effective capability set of this process (CapEff in /proc/self/status).
std::optional<unsigned long long> effective_capabilities() {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("CapEff:", 0) == 0) {
      std::istringstream hex{line.substr(7)};
      unsigned long long caps = 0;
      if (hex >> std::hex >> caps)
        return caps;
    }
  return std::nullopt;
}

std::optional<std::string> missing_rights() {
  auto caps = effective_capabilities();
  if (!caps)
    return "cannot read CapEff from /proc/self/status";
  std::string missing;
  if (!(*caps >> cap_net_admin & 1))
    missing += "CAP_NET_ADMIN";
  if (!(*caps >> cap_sys_admin & 1))
    missing += missing.empty() ? "CAP_SYS_ADMIN" : " and CAP_SYS_ADMIN";
  if (missing.empty())
    return std::nullopt;
  return "this process lacks " + missing + " (run the hosts tests as root)";
}

} // namespace

std::optional<std::string> netns_unavailable() {
  if (!find_tool("ip"))
    return "`ip` (Debian package iproute2) is not installed";
  if (auto m = missing_rights())
    return "`ip netns` is unavailable: " + *m;
  return std::nullopt;
}

std::optional<std::string> nft_unavailable() {
  if (!find_tool("nft"))
    return "`nft` (Debian package nftables, installed by scripts/setup) is not installed";
  if (auto m = missing_rights())
    return "`nft` is unavailable: " + *m;
  return std::nullopt;
}

void skip_test(const std::string& reason) {
  std::printf("SKIPPED: %s\n", reason.c_str());
  std::fflush(stdout);
  std::exit(RAFT_HOSTS_SKIP_CODE);
}

void require_netns() {
  if (auto why = netns_unavailable())
    skip_test(*why);
}

void require_netns_and_nft() {
  require_netns();
  if (auto why = nft_unavailable())
    skip_test(*why);
}

} // namespace raft::hosts

#pragma once
/// Whether this process can build the test network, and how a test that cannot run says so.
///
/// A hosts test needs `ip` with the right to create network namespaces (CAP_SYS_ADMIN, to
/// mount them) and to configure links in them (CAP_NET_ADMIN): in practice, root. The
/// one-way loss tests also need `nft`. Without them a test is skipped, never passed: it
/// prints why and exits with the skip status that ctest's SKIP_RETURN_CODE property of
/// every hosts test names (Catch2 2.13 has no skip of its own).

#include <optional>
#include <string>

namespace raft::hosts {

/// Why `ip netns` cannot be used here (nullopt when it can): `ip` missing, or CAP_NET_ADMIN
/// or CAP_SYS_ADMIN not in this process's effective capabilities.
std::optional<std::string> netns_unavailable();

/// Why `nft` cannot be used here (nullopt when it can); the same rights as netns.
std::optional<std::string> nft_unavailable();

/// Prints "SKIPPED: reason" to stdout and exits with the skip status.
[[noreturn]] void skip_test(const std::string& reason);

/// Skips the calling test when netns_unavailable().
void require_netns();

/// Skips the calling test when netns_unavailable() or nft_unavailable().
void require_netns_and_nft();

} // namespace raft::hosts

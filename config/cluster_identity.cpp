#include "config/cluster_identity.hpp"

#include <algorithm>

#include "config/detail/addresses.hpp"

namespace raft {

std::string canonical_member_list(const std::vector<peer_address>& peers) {
  std::vector<const peer_address*> sorted;
  for (const auto& p : peers)
    sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(),
            [](const peer_address* a, const peer_address* b) { return a->id < b->id; });
  std::string text = "raft-caf members v1\n";
  for (const auto* p : sorted)
    text += std::to_string(p->id) + " " + config_detail::canonical_host(p->host) + " " +
            std::to_string(p->port) + "\n";
  return text;
}

std::uint64_t fnv1a_64(std::string_view bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

cluster_identity identity_of(const cluster_config& config) {
  return cluster_identity{config.cluster_id, fnv1a_64(canonical_member_list(config.peers))};
}

} // namespace raft

#include "config/cluster_config.hpp"

#include <stdexcept>

namespace raft {

const peer_address& cluster_config::self() const {
  for (const auto& p : peers)
    if (p.id == node_id) return p;
  throw std::logic_error("cluster_config: node id " + std::to_string(node_id) +
                         " is not among the peers");
}

std::vector<peer_id> cluster_config::member_ids() const {
  std::vector<peer_id> ids;
  ids.reserve(peers.size());
  for (const auto& p : peers) ids.push_back(p.id);
  return ids;
}

std::vector<peer_address> cluster_config::others() const {
  std::vector<peer_address> result;
  for (const auto& p : peers)
    if (p.id != node_id) result.push_back(p);
  return result;
}

} // namespace raft

#include "network_mode.hpp"

namespace raft::testing {

test_cluster::options options_for(network_mode mode, std::size_t peers, bool snapshots) {
  test_cluster::options opts;
  opts.peers = peers;
  opts.unreliable = mode == network_mode::unreliable;
  opts.long_reordering = mode == network_mode::long_reordering;
  opts.snapshots = snapshots;
  return opts;
}

} // namespace raft::testing

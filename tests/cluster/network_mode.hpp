#pragma once
/// The networks every course scenario can run on: the course's reliable network, and our
/// stricter bar's unreliable network and long reordering of replies (../shared/TESTER.md).

#include <cstddef>

#include "testing/test_cluster.hpp"

namespace raft::testing {

enum class network_mode { reliable, unreliable, long_reordering };

/// A cluster of `peers` on the network `mode`, with the product's features; `snapshots`
/// turns on the course's applierSnap (a snapshot every 10 applied entries).
test_cluster::options options_for(network_mode mode, std::size_t peers, bool snapshots = false);

} // namespace raft::testing

#pragma once
/// The course's three Part 2A tests (../shared/TESTER.md), as functions over a network mode,
/// so the same scenario runs on the reliable network, the unreliable one and with long
/// reordering.

#include "network_mode.hpp"

namespace raft::testing {

/// Initial election: a leader is elected; after 50 ms all peers agree on a term >= 1; after
/// 2 s with no failures the term has not changed (a failure here, not the course's warning)
/// and there is still one leader.
void initial_election(network_mode mode);

/// Re-election: disconnecting the leader elects another; the old one rejoins and steps
/// down; without a majority no leader; with it back, a leader again.
void re_election(network_mode mode);

/// Many elections: 7 peers, 9 rounds of disconnecting 3 random peers (repeats allowed),
/// one leader each time, then reconnecting them.
void many_elections(network_mode mode);

} // namespace raft::testing

#pragma once
/// The course's Part 2B tests (../shared/TESTER-2BCD.md, "2B"), as functions over a network
/// mode: the course runs them on the reliable network; our bar runs them on the unreliable one
/// and with long reordering too. The two message budgets (RPC bytes, RPC counts) hold on the
/// reliable network only and are in part2b_budgets_test.cpp.

#include "network_mode.hpp"

namespace raft::testing {

/// TestBasicAgree2B: nothing is committed before Start(); one() puts 100, 200, 300 at
/// indices 1, 2, 3.
void basic_agreement(network_mode mode);

/// For2023TestFollowerFailure2B: two followers fail one after the other; the lone leader's
/// entry is not committed.
void progressive_follower_failure(network_mode mode);

/// For2023TestLeaderFailure2B: two leaders fail one after the other; the entry every peer was
/// asked to start is not committed.
void leader_failure(network_mode mode);

/// TestFailAgree2B: a disconnected follower catches up when it reconnects.
void agreement_after_follower_reconnects(network_mode mode);

/// TestFailNoAgree2B: a leader with three of five followers gone commits nothing; repaired,
/// the cluster agrees again at index 2 or 3.
void no_agreement_if_too_many_followers_disconnect(network_mode mode);

/// TestConcurrentStarts2B: five concurrent Start()s on the leader are all committed.
void concurrent_starts(network_mode mode);

/// TestRejoin2B: a partitioned leader's uncommitted entries are overwritten when it rejoins.
void rejoin_of_partitioned_leader(network_mode mode);

/// TestBackup2B: a leader backs up quickly over 50 incorrect entries in the followers' logs.
void leader_backs_up_quickly(network_mode mode);

} // namespace raft::testing

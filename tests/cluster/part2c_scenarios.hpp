#pragma once
/// The course's Part 2C tests (../shared/TESTER-2BCD.md, "2C"), as functions over a network
/// mode where the course runs them on the reliable network, so our bar can run them on the
/// unreliable one and with long reordering too. The tests that choose their own network take
/// what our bar adds on top as a flag.

#include "network_mode.hpp"

namespace raft::testing {

/// TestPersist12C: every server restarts, then the leader, a second leader and a follower
/// one at a time; each comes back with what it persisted and agreement goes on.
void basic_persistence(network_mode mode);

/// TestPersist22C: five rounds of crashing and restarting minorities of five servers.
void more_persistence(network_mode mode);

/// TestPersist32C: a partitioned leader and one follower crash; the leader restarts and,
/// with the partitioned follower, commits.
void partitioned_leader_and_follower_crash(network_mode mode);

/// TestFigure82C: 1000 rounds of crashing whoever leads, with restarts to keep three up;
/// then everyone agrees.
void figure_8(network_mode mode);

/// TestUnreliableAgree2C: on the unreliable network (and with long reordering when
/// `long_reordering`), 49 rounds of five concurrent one()s.
void unreliable_agreement(bool long_reordering);

/// TestFigure8Unreliable2C: 1000 rounds of disconnecting the leader half the time on the
/// unreliable network, long reordering from round 200 on.
void figure_8_unreliable();

/// internalChurn(unreliable): three clients keep proposing while servers disconnect, crash
/// and restart; everything a client saw committed is in the final log. With
/// `long_reordering` (our bar), replies are also reordered throughout.
void churn(bool unreliable, bool long_reordering);

} // namespace raft::testing

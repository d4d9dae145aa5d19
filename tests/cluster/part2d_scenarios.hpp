#pragma once
/// The course's Part 2D tests (../shared/TESTER-2BCD.md, "2D"): every peer's service takes a
/// snapshot every 10 applied entries (applierSnap).

namespace raft::testing {

/// snapcommon(disconnect, reliable, crash): 30 rounds in which a follower (or, every third
/// round, the old leader) is disconnected or crashed while 5 to 14 entries go in, then comes
/// back and must catch up, by InstallSnapshot when the entries it lacks were discarded. The
/// persisted Raft state stays under 2000 bytes throughout. Beyond the course: every peer has
/// taken a snapshot by the end, and with a disconnect or crash an InstallSnapshot was sent.
void snapshot_rounds(bool disconnect, bool reliable, bool crash);

/// TestSnapshotAllCrash2D: five rounds of 5 to 14 entries, then every server crashes and
/// restarts from its snapshot and log; the next entry's index must be above every earlier one.
void crash_and_restart_all_servers();

} // namespace raft::testing

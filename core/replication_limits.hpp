#pragma once
/// How much a leader sends to one follower at a time (flow control, core/progress.hpp).
///
/// A follower that keeps up gets entries as soon as they are proposed, in up to
/// `max_inflight_messages` AppendEntries not yet acknowledged; when that window is full,
/// new entries wait and the next message carries all of them (batching under load). A
/// follower that is behind, or whose replies stopped, is probed with one message at a time.

#include <cstddef>

namespace raft {

struct replication_limits {
  /// Entries in one AppendEntries, at most.
  std::size_t max_entries_per_message = 1024;
  /// Command bytes in one AppendEntries, at most (its first entry always goes, whatever its
  /// size).
  std::size_t max_bytes_per_message = std::size_t{1} << 20;
  /// AppendEntries with entries sent to one follower and not yet acknowledged, at most.
  std::size_t max_inflight_messages = 32;
  /// Command bytes in those messages, at most (a message is sent while the window holds less).
  std::size_t max_inflight_bytes = std::size_t{8} << 20;
  /// Snapshot bytes in one InstallSnapshot chunk, at most (one chunk in flight at a time).
  std::size_t snapshot_chunk_bytes = std::size_t{64} << 10;
};

} // namespace raft

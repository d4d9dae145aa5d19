#pragma once
/// Timer settings of a Raft peer.
///
/// Why the defaults are safe (§5.2, §5.6 "broadcastTime ≪ electionTimeout ≪ MTBF"):
/// - A follower only times out after `election_min` without hearing the leader. With the
///   heartbeat at 100 ms and `election_min` at 300 ms, three consecutive heartbeats must be
///   lost or late before an idle healthy cluster holds an election, so it never does.
/// - The range [300, 600] ms is 3 heartbeats wide: two followers that both lost the leader
///   usually time out far enough apart for the first to win before the second starts (split
///   votes are rare), and even a run of several split rounds stays well under the 5 s bound
///   for a new leader after a failure.
/// - The heartbeat of 100 ms is the most the course allows (10 per second per follower).

#include <chrono>
#include <optional>
#include <string>

namespace raft {

using duration = std::chrono::microseconds;
/// A monotonic instant, as microseconds since an arbitrary epoch chosen by the shell.
using time_point = std::chrono::microseconds;

struct timing {
  duration heartbeat = std::chrono::milliseconds(100);
  duration election_min = std::chrono::milliseconds(300);
  duration election_max = std::chrono::milliseconds(600);

  /// Returns a description of what is wrong, or nothing when the settings are usable:
  /// all positive, min ≤ max, and `election_min` at least twice the heartbeat, so a single
  /// lost or late heartbeat can never make a follower start an election.
  std::optional<std::string> problem() const {
    if (heartbeat.count() <= 0) return "heartbeat must be positive";
    if (election_min.count() <= 0) return "minimum election timeout must be positive";
    if (election_min > election_max)
      return "minimum election timeout exceeds the maximum";
    if (election_min < 2 * heartbeat)
      return "minimum election timeout must be at least twice the heartbeat interval";
    return std::nullopt;
  }
};

} // namespace raft

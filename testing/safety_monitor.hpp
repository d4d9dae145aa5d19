#pragma once
/// The safety properties of Raft (Figure 3 of the paper), checked on what the peers of a
/// cluster under test are seen to do: one monitor for every kind of cluster (the core in a
/// test, actors in real time, raft-node processes), fed by whatever observes the peers
/// (role-change callbacks, event logs, raftctl status, apply channels).
///
/// Checked, for every observation as it arrives:
/// - Election Safety: at most one leader per term. A peer that says it leads term T, and a
///   peer that says it follows leader L in term T (it can only have learnt L from L's own
///   AppendEntries of term T), are both evidence of who led T.
/// - State Machine Safety: no two peers apply different commands at one index.
/// - In-order apply: each peer applies index last + 1, with no gap and no repeat; a snapshot
///   moves its last applied index forward (never back); only a restart of the peer may set
///   it anywhere (`peer_restarted`).
///
/// A violation is recorded as a sentence (the wording of the course's tester where it has
/// one) and never thrown: the test decides when to look (`violations`, `report`).
/// Thread-safe: every member may be called from any thread at any time.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace raft::testing {

class safety_monitor {
public:
  using peer_id = std::uint64_t;
  using term_t = std::uint64_t;
  using log_index = std::uint64_t;

  /// Peer `peer` is in `term`; it leads it when `is_leader`, and it knows `leader` as the
  /// leader of that term (nothing when it knows none). Either way of naming a leader counts.
  void observe_role(peer_id peer, term_t term, bool is_leader,
                    std::optional<peer_id> leader = std::nullopt);

  /// Peer `peer` applied `command` at `index` to its state machine.
  void observe_applied(peer_id peer, log_index index, const std::string& command);

  /// Peer `peer` installed a snapshot covering every index up to `snapshot_index`: its next
  /// apply must be snapshot_index + 1. A snapshot behind what the peer already applied is a
  /// violation (its state machine would go back); one at that index changes nothing.
  void observe_snapshot(peer_id peer, log_index snapshot_index);

  /// Peer `peer` restarted with a state machine holding every index up to `from_index` (0 when
  /// it starts empty and replays the log, a snapshot's index when it restores one): its next
  /// apply must be from_index + 1. What it applied before still counts for State Machine
  /// Safety: whatever it applies again must match.
  void peer_restarted(peer_id peer, log_index from_index);

  /// Every violation seen so far, in the order seen.
  std::vector<std::string> violations() const;
  /// The violations, one per line; empty when every property held.
  std::string report() const;
  bool ok() const;

  /// The leader of every term for which one was observed (the first one, when a term had
  /// two).
  std::map<term_t, peer_id> leaders() const;
  /// The last index peer `peer` applied or reached by a snapshot (0 before any).
  log_index last_applied(peer_id peer) const;

private:
  void note_leader(term_t term, peer_id leader, peer_id reported_by);
  void fail(std::string violation);

  mutable std::mutex mtx_;
  std::map<term_t, peer_id> leaders_;
  std::set<std::pair<term_t, peer_id>> reported_leaders_; ///< (term, second leader) reported
  /// The first command applied at each index, and the peer that applied it.
  std::map<log_index, std::pair<std::string, peer_id>> applied_;
  std::map<peer_id, log_index> last_applied_;
  std::vector<std::string> violations_;
};

} // namespace raft::testing

#pragma once
/// What raft-node serves on /metrics (Prometheus text format 0.0.4). CAF-free.
///
/// Thread safety: the peer's observer (one call at a time, on the peer's thread) reports role
/// changes; links report connections; the peer's observer and the endpoint report rejected
/// messages; the HTTP thread renders. Gauges and counters are atomics, and the per-peer
/// tables have a fixed shape from construction, so neither side waits for the other. Only
/// the rejection counts sit behind a mutex (their reasons are not known in advance); it is
/// held for one map update or one copy of a few entries.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "actors/peer_stats.hpp"
#include "core/role.hpp"

namespace raft {

class node_metrics {
public:
  /// `others`: the ids of the other members. `stats`: the peer's counters (may be null).
  node_metrics(std::vector<peer_id> others, std::shared_ptr<const peer_stats> stats);

  /// From the peer's observer, for every role_changed effect: sets the gauges, counts an
  /// election when the role is candidate (each candidacy is a new term), and a leader
  /// change when a leader is known and differs from the last one known (or its term).
  void role_changed(raft::role r, term_t term, std::optional<peer_id> leader);
  /// From a link: the connection to `peer` came up or went down.
  void peer_connected(peer_id peer, bool up);
  /// A message was dropped: `reason` is a short label (at most 32 distinct labels are
  /// kept; later ones are counted as "other").
  void rejected(const std::string& reason, std::uint64_t count = 1);

  /// The Prometheus text of every metric.
  std::string render() const;

  /// The label for a reason the core gives in free text: digits dropped, words joined by
  /// '_' ("append_entries from a second leader of term 5" →
  /// "append_entries_from_a_second_leader_of_term"), so every term gives the same label.
  static std::string reason_label(const std::string& text);

private:
  std::shared_ptr<const peer_stats> stats_;
  std::atomic<std::uint64_t> term_{0};
  std::atomic<int> role_{0};
  std::atomic<peer_id> leader_{0};
  std::atomic<std::uint64_t> elections_{0};
  std::atomic<std::uint64_t> leader_changes_{0};
  std::map<peer_id, std::atomic<int>> connected_; ///< shape fixed at construction
  // Last leader seen, touched only by role_changed (the peer's thread).
  peer_id last_leader_ = 0;
  term_t last_leader_term_ = 0;
  mutable std::mutex rejected_mtx_;
  std::map<std::string, std::uint64_t> rejected_;
};

} // namespace raft

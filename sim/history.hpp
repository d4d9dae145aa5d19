#pragma once
/// A starting history for `--preloaded-logs`: every peer boots with a prefix of one log, as
/// if a leader `writer` of term `term` had appended entries and replicated them unevenly
/// before the run began. Entries 1..committed are on a majority (committed, §5.3); the
/// peers outside that majority hold shorter prefixes, so they lack a committed entry.
///
/// Why this state is reachable in Raft (so the safety proof applies to what follows): the
/// writer won term `term` with every peer's vote (every peer's voted_for is the writer),
/// appended entries of nondecreasing terms ending in `term`, and each follower accepted a
/// prefix of them (AppendEntries only ever extends a follower with the leader's entries).
///
/// It makes §5.4.1 observable: a voter that ignores log freshness can elect a peer that
/// lacks a committed entry, which Leader Completeness (Figure 3) forbids.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/persistent_state.hpp"

namespace raft::sim {

struct history {
  term_t term = 0;                   ///< the writer's term, every peer's current term
  peer_id writer = 0;                ///< the leader that wrote the log
  std::vector<log_entry> log;        ///< the writer's log (2–6 entries, terms 1..term)
  std::size_t committed = 0;         ///< entries 1..committed are on a majority
  std::vector<std::size_t> lengths;  ///< prefix length each peer (index = id - 1) starts with

  /// Draws a history for `peers` peers from its own generator seeded with `seed`, so that
  /// turning the option on changes nothing else a run seed draws.
  static history draw(std::uint64_t seed, std::size_t peers);

  /// What peer `idx` (id idx + 1) has on disk at the start.
  persistent_state disk_of(std::size_t idx) const;

  /// For traces: "writer p2 of term 3, 5 entries, 3 committed, prefixes 5/3/1".
  std::string describe() const;
};

} // namespace raft::sim

#pragma once
/// The Raft log of one peer as the core holds it in memory (Figure 2's `log[]`, with the
/// snapshot boundary of §7): the entries after the last snapshot, and that snapshot's last
/// index and term. What is on disk is the store's business (storage/log_store.hpp); the core
/// tells its shell what to write through `write_log` effects.
///
/// Invariants (kept by every member function; `check()` verifies them):
/// - entries are contiguous: index snapshot_index()+1, +2, ..., last_index();
/// - terms never decrease along the log, and the first entry's term is at least the
///   snapshot's (a leader appends only entries of its own term, §5.3, and terms only grow);
/// - the snapshot's entries are committed (§7), so nothing at or before snapshot_index() is
///   ever truncated.
/// Index 0 means "before the first entry", with term 0.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "messages/wire.hpp"

namespace raft {

class raft_log {
public:
  raft_log() = default;
  /// A log that starts after a snapshot of (snapshot_index, snapshot_term); `entries[k]` has
  /// index snapshot_index + 1 + k. Throws std::invalid_argument when the terms decrease.
  raft_log(log_index snapshot_index, term_t snapshot_term, std::vector<log_entry> entries);

  log_index snapshot_index() const { return snapshot_index_; }
  term_t snapshot_term() const { return snapshot_term_; }
  log_index first_index() const { return snapshot_index_ + 1; }
  log_index last_index() const { return snapshot_index_ + entries_.size(); }
  term_t last_term() const { return entries_.empty() ? snapshot_term_ : entries_.back().term; }
  bool empty() const { return entries_.empty(); }

  /// The term of entry `i`: the snapshot's term at snapshot_index(), nothing for an index
  /// the snapshot has discarded (below snapshot_index()) or beyond the log.
  std::optional<term_t> term_at(log_index i) const;
  /// Entry `i`; precondition first_index() <= i <= last_index().
  const log_entry& at(log_index i) const { return entries_[i - first_index()]; }

  /// Figure 2, AppendEntries receiver step 2: the log contains an entry at `prev_index` whose
  /// term is `prev_term` (index 0 always matches). An index the snapshot covers matches only
  /// at snapshot_index() itself; the receiver handles earlier ones (see append_after).
  bool matches(log_index prev_index, term_t prev_term) const;

  /// §5.4.1: a log ending with (`last_index`, `last_term`) is at least as up to date as this
  /// one: "If the logs have last entries with different terms, then the log with the later
  /// term is more up-to-date. If the logs end with the same term, then whichever log is
  /// longer is more up-to-date."
  bool is_up_to_date(log_index last_index, term_t last_term) const;

  /// What append_after changed, for the shell's write_log effect.
  struct append_result {
    std::optional<log_index> truncated_from; ///< entries from here on were removed
    log_index first_new = 0;                 ///< index of the first entry appended
    std::size_t appended = 0;                ///< how many were appended (0: none)
  };
  /// Figure 2, AppendEntries receiver steps 3 and 4, for `entries` following `prev_index`
  /// (which must match, or lie inside the snapshot): "If an existing entry conflicts with a
  /// new one (same index but different terms), delete the existing entry and all that follow
  /// it"; "Append any new entries not already in the log". Entries already present with the
  /// same term are kept, so a late or duplicated AppendEntries never removes entries a newer
  /// one added (they match the leader's log, Log Matching §5.3). Entries at or before
  /// snapshot_index() are skipped: they are committed and so agree with the leader's.
  append_result append_after(log_index prev_index, const std::vector<log_entry>& entries);

  /// A leader's new entry, at last_index() + 1 (Figure 2, Leaders: "append entry to local
  /// log"). Precondition: its term is at least last_term().
  log_index append(log_entry e);

  /// Entries from `from` on, at most `max_count` of them and, past the first, at most
  /// `max_bytes` of commands in all (the first is always included, so a huge entry still
  /// goes). Precondition: first_index() <= from; empty when from > last_index().
  std::vector<log_entry> slice(log_index from, std::size_t max_count,
                               std::size_t max_bytes) const;

  /// The first index of the run of entries of term `term_at(i)` that holds entry `i`, not
  /// below first_index() (a conflict hint: the follower's conflicting term starts there).
  /// Precondition: first_index() <= i <= last_index().
  log_index first_index_of_term_at(log_index i) const;
  /// The last index whose entry has term `t`, if the log (after the snapshot) holds one.
  std::optional<log_index> last_index_of_term(term_t t) const;

  /// §7: the entries up to `index` are in a snapshot now; they are discarded and the boundary
  /// moves to (index, term_at(index)). Precondition: snapshot_index() < index <= last_index().
  void compact(log_index index);
  /// Figure 13, InstallSnapshot receiver steps 6 and 7: "If existing log entry has same index
  /// and term as snapshot's last included entry, retain log entries following it"; otherwise
  /// "discard the entire log". Returns true when entries after it were retained.
  /// Precondition: index > snapshot_index().
  bool restore_snapshot(log_index index, term_t term);

  /// Throws std::logic_error naming the broken invariant (see the top of this file). Only
  /// what changed since the last successful check is walked (every change lowers the mark
  /// it starts from), so checking after every step costs O(entries added), not O(log).
  void check() const;

  friend bool operator==(const raft_log& a, const raft_log& b) {
    return a.snapshot_index_ == b.snapshot_index_ && a.snapshot_term_ == b.snapshot_term_ &&
           a.entries_ == b.entries_;
  }

  /// The entries after the snapshot, entries()[k] having index first_index() + k.
  const std::vector<log_entry>& entries() const { return entries_; }

private:
  log_index snapshot_index_ = 0;
  term_t snapshot_term_ = 0;
  std::vector<log_entry> entries_;
  /// check() has verified the terms up to this index (from the snapshot on); every change
  /// to the log at index i or to the snapshot boundary lowers it below i.
  mutable log_index checked_upto_ = 0;
};

} // namespace raft

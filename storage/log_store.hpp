#pragma once
/// Where a peer keeps everything Figure 2 calls persistent (currentTerm, votedFor, log[]) and
/// its latest snapshot (§7): the interface the core's shell writes through, with two
/// implementations, `disk_log_store` (segment files in a data directory, for raft-node) and
/// `memory_persister`/`memory_log_store` (the course's Persister, for the in-process cluster).
///
/// Invariants every implementation keeps (and the tests check):
/// - the entries are contiguous: index snapshot_index+1, +2, ..., last_index();
/// - terms never decrease along the log, the first entry's term is at least the snapshot's,
///   and no entry's term exceeds the saved current term (an entry of term T exists only once
///   some peer was leader in T, and this peer saved a term >= T before accepting it, §5.1);
/// - nothing acknowledged is ever lost: what was durable when sync() (or save_hard_state,
///   save_snapshot) returned is what a restart gets back, unless a later truncate_suffix or
///   save_snapshot removed it and a later sync() or save_snapshot() returned;
/// - nothing truncated reappears: once a sync() after truncate_suffix(from) has returned, no
///   restart ever sees the removed entries again, and before that a restart sees either the
///   old log or the new one (each possibly missing unsynced entries at its end), never old
///   entries after new ones (that would break Log Matching, §5.3).
///
/// Calls are not thread-safe: one peer (one actor) uses a store. A failed call (an I/O error,
/// throwing std::runtime_error) leaves the store failed: every later call throws
/// log_store_failed, and the caller must not send anything that depended on the call (Figure
/// 2: persistent state is updated on stable storage before responding to RPCs). A restart
/// recovers what is durable. Calls that break a precondition throw std::logic_error (or its
/// std::invalid_argument) and change nothing.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/persistent_state.hpp"
#include "messages/wire.hpp"

namespace raft {

/// What a restarted peer gets back: its hard state, snapshot and the log after the snapshot.
struct recovered_state {
  term_t current_term = 0;            ///< Figure 2's currentTerm
  std::optional<peer_id> voted_for;   ///< Figure 2's votedFor
  log_index snapshot_index = 0;       ///< last index the snapshot covers (0: no snapshot)
  term_t snapshot_term = 0;           ///< its term (0: no snapshot)
  std::string snapshot;               ///< the service's snapshot bytes
  std::vector<log_entry> entries;     ///< entries[k] has index snapshot_index + 1 + k

  log_index last_index() const { return snapshot_index + entries.size(); }
};

/// What a recovered state is to the core (Figure 2's persistent state, with the snapshot).
inline persistent_state to_persistent_state(recovered_state r) {
  persistent_state s;
  s.current_term = r.current_term;
  s.voted_for = r.voted_for;
  s.log = std::move(r.entries);
  s.snapshot_index = r.snapshot_index;
  s.snapshot_term = r.snapshot_term;
  if (r.snapshot_index > 0)
    s.snapshot = std::make_shared<const std::string>(std::move(r.snapshot));
  return s;
}

/// Thrown by every call after an earlier one failed (fail-stop).
class log_store_failed : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class log_store {
public:
  virtual ~log_store() = default;

  /// Recovers and returns what is durable. Must be called once, first; the other calls throw
  /// std::logic_error before it. The disk store throws corrupt_log (or the state store's
  /// corrupt_state) for files it cannot trust, and then rewrites nothing.
  virtual recovered_state load() = 0;

  /// Replaces current_term and voted_for; durable when it returns (it does not wait for
  /// sync()). Precondition: the term does not decrease.
  virtual void save_hard_state(term_t current_term, std::optional<peer_id> voted_for) = 0;

  /// Appends `count` entries, the first with index `first`. Not durable until sync().
  /// Preconditions: first == last_index() + 1; terms do not decrease (from term_at(first-1)
  /// on) and do not exceed the saved current term; each command at most 256 MiB.
  virtual void append(log_index first, const log_entry* entries, std::size_t count) = 0;
  void append(log_index first, const std::vector<log_entry>& entries) {
    append(first, entries.data(), entries.size());
  }

  /// Removes the entries with index >= from (Figure 2, AppendEntries receiver step 3). Takes
  /// effect at once for this store's view; durable with the next sync(). Precondition:
  /// snapshot_index() < from (the snapshot's entries are committed and never truncated).
  /// From > last_index() changes nothing.
  virtual void truncate_suffix(log_index from) = 0;

  /// Makes every earlier append and truncate_suffix durable, with one fdatasync per file
  /// written (group commit: call it once per batch, before acknowledging any of it). Does
  /// nothing when nothing is pending.
  virtual void sync() = 0;

  /// Stores a snapshot of the entries up to `index` (of term `term`) and discards them from
  /// the log (§7). Syncs everything pending first; the snapshot is durable when it returns.
  /// Entries after `index` stay. Preconditions: index > snapshot_index(); term does not
  /// exceed the saved current term; when the log holds `index`, term_at(index) == term (a
  /// follower whose log conflicts with an installed snapshot truncates first, Figure 13
  /// step 7). An index beyond last_index() empties the log: the next append is index + 1.
  virtual void save_snapshot(log_index index, term_t term, std::string_view data) = 0;

  /// The persisted size in bytes of the log after the snapshot (its records) and the hard
  /// state, as synced: the course's RaftStateSize(), the figure the log-size bound limits.
  virtual std::uint64_t size_bytes() const = 0;

  /// The store's current view (including what is not yet durable).
  virtual log_index last_index() const = 0;
  virtual log_index snapshot_index() const = 0;
  /// The term of entry `index` (the snapshot's term at snapshot_index()); precondition:
  /// snapshot_index() <= index <= last_index().
  virtual term_t term_at(log_index index) const = 0;
};

} // namespace raft

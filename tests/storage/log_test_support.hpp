#pragma once
/// Shared pieces of the log store tests: entries whose command is a function of (index, term),
/// a data directory on crash_fs, and a model of what a log holds.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "storage/crash_fs.hpp"
#include "storage/disk_log_store.hpp"
#include "storage/state_store.hpp"

namespace raft_test {

/// The command of entry `index` written in `term`: its bytes say both, and its length varies
/// (0 to 60 bytes) so records straddle segment limits at many places.
inline std::string command_for(raft::log_index index, raft::term_t term) {
  std::string c = "i" + std::to_string(index) + "t" + std::to_string(term);
  c.resize((index * 7 + term * 3) % 61, static_cast<char>('a' + index % 26));
  return c;
}

/// Entries first .. first+count-1, all of term `term`.
inline std::vector<raft::log_entry> entries(raft::log_index first, std::size_t count, raft::term_t term) {
  std::vector<raft::log_entry> result;
  for (std::size_t k = 0; k < count; ++k) result.push_back({term, command_for(first + k, term)});
  return result;
}

/// A peer's data directory "/d" on a crash_fs, initialised; the term and vote live in a
/// memory_store (its save is durable on return, as file_store's is, and a crash keeps it).
struct crash_disk {
  std::shared_ptr<raft::crash_fs> fs = std::make_shared<raft::crash_fs>();
  std::shared_ptr<raft::memory_store> hard = std::make_shared<raft::memory_store>();
  raft::disk_log_options options;

  explicit crash_disk(std::uint64_t segment_bytes = std::uint64_t{64} << 20) {
    options.segment_bytes = segment_bytes;
    fs->make_dir("/d");
    fs->sync_dir("/");
    raft::disk_log_store::init(*fs, "/d");
  }
  std::unique_ptr<raft::disk_log_store> open() const {
    return std::make_unique<raft::disk_log_store>(fs, "/d", hard, options);
  }
  /// Opens and loads a store, returning both.
  std::pair<std::unique_ptr<raft::disk_log_store>, raft::recovered_state> restart() const {
    auto store = open();
    auto state = store->load();
    return {std::move(store), std::move(state)};
  }
  std::vector<std::string> segments() const { return fs->list("/d/log"); }
};

/// What a log holds: snapshot and entries after it.
struct model_log {
  raft::log_index snapshot_index = 0;
  raft::term_t snapshot_term = 0;
  std::string snapshot;
  std::vector<raft::log_entry> entries;

  static model_log of(const raft::recovered_state& s) {
    return {s.snapshot_index, s.snapshot_term, s.snapshot, s.entries};
  }
  raft::log_index last_index() const { return snapshot_index + entries.size(); }
  void append(const std::vector<raft::log_entry>& more) {
    entries.insert(entries.end(), more.begin(), more.end());
  }
  void truncate(raft::log_index from) {
    if (from <= last_index()) entries.resize(from - snapshot_index - 1);
  }
  void snapshot_at(raft::log_index index, raft::term_t term, std::string data) {
    if (index >= last_index())
      entries.clear();
    else
      entries.erase(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(index - snapshot_index));
    snapshot_index = index;
    snapshot_term = term;
    snapshot = std::move(data);
  }
  /// The first `n` entries after the snapshot.
  model_log prefix(std::size_t n) const {
    model_log m = *this;
    m.entries.resize(n);
    return m;
  }
  friend bool operator==(const model_log& a, const model_log& b) {
    return a.snapshot_index == b.snapshot_index && a.snapshot_term == b.snapshot_term &&
           a.snapshot == b.snapshot && a.entries == b.entries;
  }
};

/// "snapshot 4/1 (6 bytes), log 5:1 6:1 7:2" for failure messages.
inline std::string describe(const model_log& m) {
  std::string s = "snapshot " + std::to_string(m.snapshot_index) + "/" + std::to_string(m.snapshot_term) +
                  " (" + std::to_string(m.snapshot.size()) + " bytes), log";
  for (std::size_t k = 0; k < m.entries.size(); ++k)
    s += " " + std::to_string(m.snapshot_index + 1 + k) + ":" + std::to_string(m.entries[k].term);
  return s;
}

/// Whether `r` is a state a power cut in the middle of going from durable state `before` to
/// `after` (with the same snapshot) may leave: that snapshot, and a log that is a prefix of
/// the log of `before` or of `after` keeping at least what both have in common. (A save_snapshot
/// cut short leaves either such a state, from the sync it starts with, or its result exactly.)
/// `truncated_from`: the lowest truncate_suffix of durable entries on the way, if any; the
/// entries from there on count as changed even when they were appended again the same.
inline bool between(const model_log& r, const model_log& before, const model_log& after,
                    raft::log_index truncated_from = UINT64_MAX) {
  if (r.snapshot_index != before.snapshot_index || r.snapshot_term != before.snapshot_term ||
      r.snapshot != before.snapshot)
    return false;
  std::size_t common = 0;
  const std::size_t limit = truncated_from == UINT64_MAX
                                ? SIZE_MAX
                                : static_cast<std::size_t>(truncated_from - before.snapshot_index - 1);
  while (common < limit && common < before.entries.size() && common < after.entries.size() &&
         before.entries[common] == after.entries[common])
    ++common;
  auto is_prefix_of = [&](const model_log& whole) {
    return r.entries.size() >= common && r.entries.size() <= whole.entries.size() &&
           std::equal(r.entries.begin(), r.entries.end(), whole.entries.begin());
  };
  return is_prefix_of(before) || is_prefix_of(after);
}

} // namespace raft_test

#pragma once
/// The durable log_store of raft-node: the log as append-only segment files in
/// `DATA_DIR/log/`, the snapshot in `DATA_DIR/snapshot`, and the term and vote in the state
/// file of the given state_store (file_store: `DATA_DIR/state`). Formats: log_format.hpp;
/// rules and measured costs: storage/README.md.
///
/// When things become durable (Figure 2: "updated on stable storage before responding"):
/// - append() only encodes the records into a buffer in memory; sync() writes the buffer to
///   the last segment with one write and one fdatasync (group commit). A segment that would
///   grow past `segment_bytes` is closed: its part is written and fdatasync'ed, then the next
///   segment, named for its first index, is created, written, fdatasync'ed and the directory
///   fsync'ed, before any later segment is touched, so a power cut never leaves a gap.
/// - truncate_suffix() only updates the view in memory (and drops buffered records). The next
///   sync() first carries it out, durably, before writing anything new: it removes every whole
///   segment at or after the cut, newest first, and fsyncs the directory; then ftruncate()s and
///   fdatasync()s the segment holding the cut. New records are written only after that, so no
///   power cut can leave new entries followed by removed ones (Log Matching, §5.3), even on a
///   file system that writes back unsynced data in any order.
/// - save_hard_state() is the state store's save (file_store: write, fsync, rename, fsync the
///   directory): durable on return.
/// - save_snapshot() syncs, writes `snapshot.tmp`, fdatasyncs it, renames it over `snapshot`
///   and fsyncs the directory; then removes the segments the snapshot covers entirely (made
///   durable by the next sync(); a covered segment that reappears is ignored and removed).
///
/// Recovery (load): every durable record comes back; a torn tail of the last segment is cut
/// (ftruncate + fdatasync, or the segment removed + directory fsync) before load returns;
/// anything else that cannot be trusted throws corrupt_log and nothing is rewritten. What load
/// returns is durable when it returns (it fdatasyncs the last segment and fsyncs both
/// directories): a process killed before its fdatasync leaves records that reads show but the
/// disk may not hold, and a peer must not acknowledge an entry a power cut could still take.

#include <memory>
#include <string>
#include <vector>

#include "storage/fs.hpp"
#include "storage/log_shape.hpp"
#include "storage/log_store.hpp"
#include "storage/state_store.hpp"

namespace raft {

struct disk_log_options {
  /// A segment is closed once the next record would take it past this size; a record larger
  /// than this gets a segment of its own.
  std::uint64_t segment_bytes = std::uint64_t{64} << 20;
};

class disk_log_store final : public log_store {
public:
  static constexpr const char* log_dir_name = "log";
  static constexpr const char* snapshot_file_name = "snapshot";
  static constexpr const char* snapshot_temp_name = "snapshot.tmp";

  /// Creates the empty log of a new peer in the existing directory `data_dir`: the `log`
  /// directory, durable (fsync of data_dir) on return. Throws std::runtime_error when
  /// `data_dir` is missing or `log` exists already (an existing log is never replaced).
  static void init(fs& files, const std::string& data_dir);

  /// Opens the log of `data_dir` and locks its `log` directory against a second store.
  /// Nothing is read before load(). Throws corrupt_log when `DATA_DIR/log` is missing (a
  /// directory that init() never prepared, or whose log was lost: a peer must not start
  /// with an empty log after acknowledging entries), std::runtime_error when it is locked.
  disk_log_store(std::shared_ptr<fs> files, std::string data_dir,
                 std::shared_ptr<state_store> hard_state, disk_log_options options = {});
  ~disk_log_store() override;
  disk_log_store(const disk_log_store&) = delete;
  disk_log_store& operator=(const disk_log_store&) = delete;

  recovered_state load() override;
  void save_hard_state(term_t current_term, std::optional<peer_id> voted_for) override;
  using log_store::append;
  void append(log_index first, const log_entry* entries, std::size_t count) override;
  void truncate_suffix(log_index from) override;
  void sync() override;
  void save_snapshot(log_index index, term_t term, std::string_view data) override;
  std::uint64_t size_bytes() const override;
  log_index last_index() const override { return shape_.last_index(); }
  log_index snapshot_index() const override { return shape_.snapshot_index(); }
  term_t term_at(log_index index) const override { return shape_.term_at(index); }

  /// What load() repaired, one line each (a torn tail cut, covered segments or a leftover
  /// snapshot.tmp removed), for the peer to log.
  const std::vector<std::string>& recovery_notes() const { return notes_; }

  const std::string& log_dir() const { return log_dir_; }
  std::string segment_path(log_index first) const;

private:
  struct segment {
    log_index first = 0;     ///< the index in its name
    std::uint64_t size = 0;  ///< bytes written and fdatasync'ed
  };

  void usable(const char* call) const;
  [[noreturn]] void fail(const std::exception& e);
  /// The index after which buffered records follow.
  log_index buffered_base() const;
  void apply_truncation(log_index from);
  void write_buffered();
  fs_file& tail();
  void remove_segment_front();

  std::shared_ptr<fs> fs_;
  std::string data_dir_;
  std::string log_dir_;
  std::shared_ptr<state_store> hard_state_;
  disk_log_options options_;
  std::unique_ptr<fs_lock> lock_;

  bool loaded_ = false;
  std::string failure_;  ///< the first failure; non-empty once the store has failed
  log_shape shape_;      ///< the view: snapshot, terms, current term (with buffered changes)
  std::uint64_t hard_state_bytes_ = 0;

  // On disk. Invariants: segments_ are sorted and contiguous; when offsets_ is not empty,
  // segments_.front() holds entry snapshot_index()+1; offsets_[k] is where the record of
  // entry snapshot_index()+1+k starts (in the segment holding it); written_last_ ==
  // snapshot_index() + offsets_.size().
  std::vector<segment> segments_;
  std::unique_ptr<fs_file> tail_;  ///< segments_.back(), opened on first use
  std::vector<std::uint64_t> offsets_;
  log_index written_last_ = 0;
  bool dir_dirty_ = false;  ///< the log directory has removals not yet fsync'ed

  // In memory until the next sync().
  std::optional<log_index> truncate_from_;  ///< cut written records from this index on
  std::string buffer_;                      ///< encoded records after buffered_base()
  std::vector<std::uint64_t> buffer_sizes_; ///< the size of each buffered record

  std::vector<std::string> notes_;
};

} // namespace raft

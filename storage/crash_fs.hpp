#pragma once
/// An in-memory file system that models a power cut, for tests and the simulator.
///
/// Each file keeps two images: what reads see now, and what is on the disk. `datasync()` of a
/// file moves its unsynced writes and truncations (in issue order) to the disk image;
/// `sync_dir(dir)` makes the directory's current entries (creations, renames, removals) the
/// durable ones. `crash()` is the power cut: every file goes back to its disk image and every
/// directory to its durable entries, so exactly what fs.hpp promises survives and nothing more.
/// The torn variants keep, per file, a prefix of its unsynced operations in issue order, the
/// last kept write cut at a byte boundary: what a disk that wrote some of the queued data
/// before the cut would leave.
///
/// `power_cut_after(n)` picks the moment of the cut: the (n+1)th mutating call and every call
/// after it throw `power_cut` without effect, until crash(); a test runs an operation with
/// n = 0, 1, 2, ... to cut the power at every step of it. `kill_process()` instead models a
/// SIGKILL at that moment: the process's handles die, but everything it wrote stays readable
/// (the kernel has it) and exactly as durable as it was. Failures can be injected too: the
/// next fdatasync fails with EIO and, as on Linux, the writes it should have made durable are
/// lost for good (a later fdatasync does not save them: the kernel marked the pages clean).
///
/// Handles (files, locks) opened before a crash() are dead: using one throws std::logic_error.
/// Paths are absolute, '/'-separated; the root "/" always exists. Not thread-safe.

#include <cstddef>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>

#include "storage/fs.hpp"

namespace raft {

/// Thrown by every crash_fs call from the moment of a power cut (power_cut_after) on.
class power_cut : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class crash_fs final : public fs {
public:
  crash_fs();

  // The fs interface.
  std::unique_ptr<fs_file> open(const std::string& path, open_mode mode) override;
  std::optional<std::string> read(const std::string& path) override;
  bool is_dir(const std::string& path) override;
  std::vector<std::string> list(const std::string& dir) override;
  void make_dir(const std::string& path) override;
  void rename(const std::string& from, const std::string& to) override;
  void remove(const std::string& path) override;
  void sync_dir(const std::string& dir) override;
  std::unique_ptr<fs_lock> lock(const std::string& dir) override;

  /// Power cut: every unsynced write, truncation and directory change is lost.
  void crash();
  /// The process dies (SIGKILL), the machine does not: handles and locks die, files and
  /// directories stay as the last calls left them, unsynced and all.
  void kill_process();
  /// Power cut that keeps a prefix of each file's unsynced operations, its length drawn from
  /// `seed` (uniform over "nothing" .. "all of them", by bytes).
  void crash_torn(std::uint64_t seed);
  /// Power cut that keeps the first `units` of each file's unsynced operations, where a
  /// write counts its bytes and a truncation counts 1: a straddled write keeps a prefix.
  void crash_keeping(std::uint64_t units);

  /// The (n+1)th mutating call from now (and every call after it) throws power_cut and has no
  /// effect, until crash().
  void power_cut_after(std::size_t n);
  /// Whether a power cut set by power_cut_after has happened (and neither crash() nor
  /// kill_process() has been called since).
  bool powered_off() const { return powered_off_; }
  /// The next fdatasync fails with EIO; the writes it covered are never made durable.
  void fail_next_datasync() { fail_datasync_ = true; }
  /// The next write fails with ENOSPC and writes nothing.
  void fail_next_write() { fail_write_ = true; }

  /// Counters since construction (crashes do not reset them).
  std::size_t datasyncs() const { return datasyncs_; }
  std::size_t datasyncs_of(const std::string& path) const;
  std::size_t dir_syncs() const { return dir_syncs_; }
  /// Mutating calls performed (open for creation, write, truncate, datasync, make_dir,
  /// rename, remove, sync_dir): how many steps an operation has, for power_cut_after.
  std::size_t mutations() const { return mutations_; }

private:
  friend class crash_file;
  friend class crash_lock;

  struct file_op {
    bool truncate = false;
    std::uint64_t offset = 0;  ///< write offset, or the new size of a truncation
    std::string data;
  };
  struct node {
    bool dir = false;
    std::string current;               ///< a file as reads see it
    std::string durable;               ///< a file as the disk holds it
    std::vector<file_op> pending;      ///< unsynced operations, to be applied to `durable`
    std::map<std::string, std::size_t> entries;          ///< a directory now
    std::map<std::string, std::size_t> durable_entries;  ///< a directory on the disk
  };

  static void apply(std::string& image, const file_op& op);
  static std::uint64_t units(const file_op& op);
  void crash_with(const std::function<std::uint64_t(std::uint64_t total)>& keep);

  std::vector<std::string> split(const std::string& path) const;
  /// The node at `path`, or nothing.
  std::optional<std::size_t> find(const std::string& path) const;
  /// The directory holding `path` and the last component; throws when the parent is missing.
  std::pair<std::size_t, std::string> parent_of(const std::string& path);
  /// Counts a mutating call, or throws power_cut.
  void mutate(const std::string& path, const char* what);
  void check_power(const std::string& path) const;

  // For crash_file.
  void write_at(std::size_t id, const std::string& path, std::uint64_t offset, std::string_view data);
  void truncate(std::size_t id, const std::string& path, std::uint64_t size);
  void datasync(std::size_t id, const std::string& path);

  std::vector<node> nodes_;  ///< nodes_[0] is the root
  std::set<std::string> locks_;
  std::uint64_t generation_ = 0;  ///< bumped by every crash: older handles are dead
  std::optional<std::size_t> cut_after_;
  bool powered_off_ = false;
  bool fail_datasync_ = false;
  bool fail_write_ = false;
  std::size_t datasyncs_ = 0;
  std::size_t dir_syncs_ = 0;
  std::size_t mutations_ = 0;
  std::map<std::string, std::size_t> datasyncs_by_path_;
};

} // namespace raft

#pragma once
/// The file-system seam of the log store: the few operations it needs, so tests (and the
/// simulator) can run the same store over `crash_fs`, which keeps files in memory and models a
/// power cut, instead of the real `posix_fs`.
///
/// Durability contract (what every implementation guarantees, what the store relies on):
/// - `fs_file::datasync()` (fdatasync): once it returns, every earlier `write_at` and
///   `truncate` of that file survives a power cut (data and size, not the directory entry).
/// - `fs::sync_dir(dir)` (fsync of the directory): once it returns, every earlier creation,
///   rename and removal of an entry of `dir` survives a power cut.
/// - Nothing else is durable. A power cut may lose any write, truncation or directory change
///   not covered by one of those two calls; of a file's unsynced writes, a prefix in issue order
///   may survive, its last write torn at any byte.
/// Every operation throws std::runtime_error, one line "PATH: what: reason", when it fails.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace raft {

/// An open file, readable through fs::read and writable here. Not thread-safe.
class fs_file {
public:
  virtual ~fs_file() = default;
  /// Writes all of `data` at `offset` (pwrite), extending the file when it ends there.
  virtual void write_at(std::uint64_t offset, std::string_view data) = 0;
  /// Sets the file's size (ftruncate).
  virtual void truncate(std::uint64_t size) = 0;
  /// fdatasync: makes the earlier writes and truncations of this file durable.
  virtual void datasync() = 0;
  /// The current size in bytes.
  virtual std::uint64_t size() = 0;
};

/// Held while an exclusive lock on a directory is held (flock); released on destruction.
class fs_lock {
public:
  virtual ~fs_lock() = default;
};

class fs {
public:
  virtual ~fs() = default;

  enum class open_mode {
    existing,           ///< the file must exist
    create_new,         ///< the file must not exist; it is created empty (O_EXCL)
    create_or_truncate  ///< created when missing, emptied when present
  };

  /// Opens `path` for writing (a new directory entry is durable only after sync_dir).
  virtual std::unique_ptr<fs_file> open(const std::string& path, open_mode mode) = 0;
  /// The whole contents of `path`, or nothing when it does not exist.
  virtual std::optional<std::string> read(const std::string& path) = 0;
  /// Whether `path` names an existing directory.
  virtual bool is_dir(const std::string& path) = 0;
  /// The names in directory `dir` (no "." or ".."), sorted.
  virtual std::vector<std::string> list(const std::string& dir) = 0;
  /// Creates directory `path`; its parent must exist.
  virtual void make_dir(const std::string& path) = 0;
  /// Atomically replaces `to` by `from` (rename(2)); both in one directory.
  virtual void rename(const std::string& from, const std::string& to) = 0;
  /// Removes the file `path` (unlink(2)).
  virtual void remove(const std::string& path) = 0;
  /// fsync of directory `dir`: its entries' creations, renames and removals become durable.
  virtual void sync_dir(const std::string& dir) = 0;
  /// Takes an exclusive lock on directory `dir` for as long as the result lives; throws when
  /// another holder (in this or another process) has it.
  virtual std::unique_ptr<fs_lock> lock(const std::string& dir) = 0;
};

} // namespace raft

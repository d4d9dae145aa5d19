#pragma once
/// The real file system (posix_fs) with every fdatasync and directory fsync counted and
/// timed, for one peer's store: how many syncs the peer made (group commit: entries per
/// sync) and how long each took inside the cluster.
///
/// With `sync` false the two calls return at once without touching the disk: the
/// "disk-nosync" variant of replication-bench, where records reach the page cache only. It
/// is a measuring aid with no durability at all, never a mode for a real peer.
///
/// Not thread-safe, like a log store: one peer (one actor) uses it. Read `record()` only
/// after that peer has stopped.

#include <cstdint>
#include <memory>
#include <vector>

#include "storage/posix_fs.hpp"

namespace raft::bench {

class timed_fs final : public fs {
public:
  struct counters {
    std::vector<double> datasync_us; ///< each fdatasync (0 when not syncing)
    std::vector<std::int64_t> datasync_start_ns; ///< when each began (steady clock)
    std::uint64_t dir_syncs = 0;
    std::uint64_t writes = 0;
    std::uint64_t bytes_written = 0;
  };

  explicit timed_fs(bool sync) : sync_(sync), counters_(std::make_shared<counters>()) {}

  const counters& record() const { return *counters_; }

  std::unique_ptr<fs_file> open(const std::string& path, open_mode mode) override;
  std::optional<std::string> read(const std::string& path) override { return real_.read(path); }
  bool is_dir(const std::string& path) override { return real_.is_dir(path); }
  std::vector<std::string> list(const std::string& dir) override { return real_.list(dir); }
  void make_dir(const std::string& path) override { real_.make_dir(path); }
  void rename(const std::string& from, const std::string& to) override {
    real_.rename(from, to);
  }
  void remove(const std::string& path) override { real_.remove(path); }
  void sync_dir(const std::string& dir) override;
  std::unique_ptr<fs_lock> lock(const std::string& dir) override { return real_.lock(dir); }

private:
  posix_fs real_;
  bool sync_;
  std::shared_ptr<counters> counters_; ///< shared with the files opened
};

} // namespace raft::bench

#pragma once
/// The real file system behind the `fs` seam: POSIX calls, retried on EINTR and short writes;
/// `datasync` is fdatasync(2), `sync_dir` is fsync(2) of the directory, `lock` is flock(2).

#include "storage/fs.hpp"

namespace raft {

class posix_fs final : public fs {
public:
  std::unique_ptr<fs_file> open(const std::string& path, open_mode mode) override;
  std::optional<std::string> read(const std::string& path) override;
  bool is_dir(const std::string& path) override;
  std::vector<std::string> list(const std::string& dir) override;
  void make_dir(const std::string& path) override;
  void rename(const std::string& from, const std::string& to) override;
  void remove(const std::string& path) override;
  void sync_dir(const std::string& dir) override;
  std::unique_ptr<fs_lock> lock(const std::string& dir) override;
};

} // namespace raft

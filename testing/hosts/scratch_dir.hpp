#pragma once
/// A fresh temporary directory for one test's configs, data and logs.

#include <string>

namespace raft::hosts {

/// Created by the constructor under $TMPDIR (or /tmp) as `raft-hosts-XXXXXX`; removed with
/// everything in it by the destructor, unless the environment variable RAFT_KEEP_TEST_DIRS
/// is set (to inspect a failed run).
class scratch_dir {
public:
  scratch_dir();
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  ~scratch_dir();

  const std::string& path() const { return path_; }
  /// `path()/name`.
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

private:
  std::string path_;
};

} // namespace raft::hosts

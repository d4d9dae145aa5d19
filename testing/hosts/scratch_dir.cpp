#include "scratch_dir.hpp"

#include <stdlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace raft::hosts {

scratch_dir::scratch_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/raft-hosts-XXXXXX";
  if (!::mkdtemp(pattern.data()))
    throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
  path_ = pattern;
}

scratch_dir::~scratch_dir() {
  if (std::getenv("RAFT_KEEP_TEST_DIRS"))
    return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

} // namespace raft::hosts

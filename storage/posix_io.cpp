#include "storage/posix_io.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace raft {

void throw_errno(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what + ": " + std::strerror(errno));
}

void write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno(path, "cannot write");
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string read_all(int fd, std::size_t limit) {
  std::string result;
  char buffer[4096];
  while (result.size() < limit) {
    const std::size_t want = std::min(sizeof buffer, limit - result.size());
    const ssize_t n = ::read(fd, buffer, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category());
    if (n == 0) break;
    result.append(buffer, static_cast<std::size_t>(n));
  }
  return result;
}

} // namespace raft

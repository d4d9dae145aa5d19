#pragma once
/// Small POSIX helpers for the file store: an owning file descriptor and whole-buffer I/O
/// that retries on EINTR and short transfers.

#include <string>
#include <string_view>
#include <system_error>

#include <unistd.h>

namespace raft {

/// Owns a file descriptor (closed on destruction); false when the open failed.
class unique_fd {
public:
  explicit unique_fd(int fd) : fd_(fd) {}
  ~unique_fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;

  explicit operator bool() const { return fd_ >= 0; }
  int get() const { return fd_; }
  /// Gives up ownership.
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

private:
  int fd_;
};

/// Throws std::runtime_error "PATH: what: <strerror(errno)>".
[[noreturn]] void throw_errno(const std::string& path, const std::string& what);

/// Writes all of `data`; throws via throw_errno naming `path` on failure.
void write_all(int fd, std::string_view data, const std::string& path);

/// Reads from `fd` until end of file or `limit` bytes; throws std::system_error on failure.
std::string read_all(int fd, std::size_t limit);

} // namespace raft

#include "storage/posix_fs.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/posix_io.hpp"

namespace raft {

namespace {

class posix_file final : public fs_file {
public:
  posix_file(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  void write_at(std::uint64_t offset, std::string_view data) override {
    while (!data.empty()) {
      const ssize_t n = ::pwrite(fd_.get(), data.data(), data.size(), static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno(path_, "cannot write");
      data.remove_prefix(static_cast<std::size_t>(n));
      offset += static_cast<std::uint64_t>(n);
    }
  }

  void truncate(std::uint64_t size) override {
    int rc;
    do rc = ::ftruncate(fd_.get(), static_cast<off_t>(size));
    while (rc != 0 && errno == EINTR);
    if (rc != 0) throw_errno(path_, "cannot truncate");
  }

  void datasync() override {
    // No retry on failure other than EINTR: after an I/O error the kernel may have dropped
    // the dirty pages and cleared the error, so a second fdatasync could succeed falsely.
    int rc;
    do rc = ::fdatasync(fd_.get());
    while (rc != 0 && errno == EINTR);
    if (rc != 0) throw_errno(path_, "cannot fdatasync");
  }

  std::uint64_t size() override {
    struct stat st {};
    if (::fstat(fd_.get(), &st) != 0) throw_errno(path_, "cannot stat");
    return static_cast<std::uint64_t>(st.st_size);
  }

private:
  unique_fd fd_;
  std::string path_;
};

class posix_lock final : public fs_lock {
public:
  explicit posix_lock(int fd) : fd_(fd) {}  // closing the descriptor releases the flock()

private:
  unique_fd fd_;
};

} // namespace

std::unique_ptr<fs_file> posix_fs::open(const std::string& path, open_mode mode) {
  int flags = O_RDWR | O_CLOEXEC;
  if (mode == open_mode::create_new) flags |= O_CREAT | O_EXCL;
  if (mode == open_mode::create_or_truncate) flags |= O_CREAT | O_TRUNC;
  const int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) throw_errno(path, mode == open_mode::existing ? "cannot open" : "cannot create");
  return std::make_unique<posix_file>(fd, path);
}

std::optional<std::string> posix_fs::read(const std::string& path) {
  unique_fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (!fd) {
    if (errno == ENOENT) return std::nullopt;
    throw_errno(path, "cannot open");
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_errno(path, "cannot stat");
  if (!S_ISREG(st.st_mode)) {
    errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    throw_errno(path, "cannot read");
  }
  try {
    return read_all(fd.get(), static_cast<std::size_t>(st.st_size));
  } catch (const std::system_error& e) {
    throw std::runtime_error(path + ": cannot read: " + e.code().message());
  }
}

bool posix_fs::is_dir(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return false;
    throw_errno(path, "cannot stat");
  }
  return S_ISDIR(st.st_mode);
}

std::vector<std::string> posix_fs::list(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) throw_errno(dir, "cannot list directory");
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* entry = ::readdir(d)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
    errno = 0;
  }
  const int error = errno;
  ::closedir(d);
  if (error != 0) {
    errno = error;
    throw_errno(dir, "cannot list directory");
  }
  std::sort(names.begin(), names.end());
  return names;
}

void posix_fs::make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0) throw_errno(path, "cannot create directory");
}

void posix_fs::rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) throw_errno(from, "cannot rename to " + to);
}

void posix_fs::remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0) throw_errno(path, "cannot remove");
}

void posix_fs::sync_dir(const std::string& dir) {
  unique_fd fd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (!fd) throw_errno(dir, "cannot open directory");
  int rc;
  do rc = ::fsync(fd.get());
  while (rc != 0 && errno == EINTR);
  if (rc != 0) throw_errno(dir, "cannot fsync directory");
}

std::unique_ptr<fs_lock> posix_fs::lock(const std::string& dir) {
  unique_fd fd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (!fd) throw_errno(dir, "cannot open directory");
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      throw std::runtime_error(dir + ": in use by another log store (the directory is locked)");
    throw_errno(dir, "cannot lock");
  }
  return std::make_unique<posix_lock>(fd.release());
}

} // namespace raft

#include "storage/file_store.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/posix_io.hpp"

namespace raft {

namespace {

/// Largest state file read; real ones are under 64 bytes.
constexpr std::size_t max_state_size = 4096;

/// Creates `dir` and missing parents; fsyncs the parent of every directory created, so the
/// new directory entries survive a crash too.
void create_data_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path path{dir};
  std::vector<fs::path> created;
  for (fs::path p = path; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    created.push_back(p);
    if (p == p.parent_path()) break;
  }
  fs::create_directories(path, ec);
  if (ec) throw std::runtime_error(dir + ": cannot create data directory: " + ec.message());
  if (!fs::is_directory(path, ec))
    throw std::runtime_error(dir + ": data directory path exists but is not a directory");
  for (const auto& p : created) {
    const fs::path parent = p.has_parent_path() ? p.parent_path() : fs::path{"."};
    unique_fd parent_fd{::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (!parent_fd) throw_errno(parent.string(), "cannot open directory");
    if (::fsync(parent_fd.get()) != 0) throw_errno(parent.string(), "cannot fsync directory");
  }
}

/// Opens the directory `dir` (for *at() calls and fsync); a missing one is state_missing.
int open_data_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) throw state_missing(dir + ": data directory does not exist");
    throw_errno(dir, "cannot open data directory");
  }
  return fd;
}

} // namespace

file_store::file_store(std::string data_dir) : data_dir_(std::move(data_dir)) {
  if (data_dir_.empty()) throw std::runtime_error("file_store: empty data directory path");
  unique_fd dir{open_data_dir(data_dir_)};
  // Looked up before anything (even the lock file) is created in the directory: an empty
  // mount point stays empty.
  struct stat st{};
  if (::fstatat(dir.get(), state_file_name, &st, 0) != 0) {
    if (errno == ENOENT) throw state_missing(state_path() + ": no state file");
    throw_errno(state_path(), "cannot look up the state file");
  }
  open_and_lock(dir);
}

file_store::file_store(std::string data_dir, create_tag) : data_dir_(std::move(data_dir)) {
  if (data_dir_.empty()) throw std::runtime_error("file_store: empty data directory path");
  create_data_dir(data_dir_);
  unique_fd dir{open_data_dir(data_dir_)};
  open_and_lock(dir);
}

void file_store::open_and_lock(unique_fd& dir) {
  if (::faccessat(dir.get(), ".", W_OK | X_OK, AT_EACCESS) != 0)
    throw_errno(data_dir_, "data directory is not writable");

  const std::string lock_path = data_dir_ + "/" + lock_file_name;
  unique_fd lock{::openat(dir.get(), lock_file_name, O_RDWR | O_CREAT | O_CLOEXEC, 0644)};
  if (!lock) throw_errno(lock_path, "cannot open lock file");
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) throw_errno(lock_path, "cannot lock");
    std::string owner = read_all(lock.get(), 32);
    while (!owner.empty() && (owner.back() == '\n' || owner.back() == '\0')) owner.pop_back();
    throw data_dir_in_use(data_dir_ + ": data directory is in use by another store (" +
                          lock_path + " is locked" +
                          (owner.empty() ? std::string{} : " by pid " + owner) + ")");
  }
  // Record the owner for the message above; best effort, the flock() is what protects.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(lock.get(), 0) == 0) (void) ::pwrite(lock.get(), pid.data(), pid.size(), 0);

  dir_fd_ = dir.release();
  lock_fd_ = lock.release();
}

void file_store::initialize(const std::string& data_dir) {
  file_store store{data_dir, create_tag{}};
  // Under the lock no other store can create the file between this check and the save.
  struct stat st{};
  if (::fstatat(store.dir_fd_, state_file_name, &st, 0) == 0)
    throw state_exists(store.state_path() + ": a state file already exists (left untouched)");
  if (errno != ENOENT) throw_errno(store.state_path(), "cannot look up the state file");
  store.save(0, std::nullopt);
}

file_store::~file_store() {
  ::close(lock_fd_);  // releases the flock()
  ::close(dir_fd_);
}

persistent_state file_store::load() {
  std::lock_guard<std::mutex> guard{mtx_};
  const std::string path = state_path();
  unique_fd fd{::openat(dir_fd_, state_file_name, O_RDONLY | O_CLOEXEC)};
  if (!fd) {
    // Removed since the store was opened: refuse, never start afresh.
    if (errno == ENOENT) throw state_missing(path + ": no state file");
    throw corrupt_state(path, 1, std::string("cannot open: ") + std::strerror(errno));
  }
  std::string text;
  try {
    text = read_all(fd.get(), max_state_size + 1);
  } catch (const std::system_error& e) {
    throw corrupt_state(path, 1, std::string("cannot read: ") + e.code().message());
  }
  if (text.size() > max_state_size)
    throw corrupt_state(path, 1, "file is larger than " + std::to_string(max_state_size) +
                                     " bytes, not a state file");
  return decode_state(text, path);
}

void file_store::save(term_t current_term, std::optional<peer_id> voted_for) {
  std::lock_guard<std::mutex> guard{mtx_};
  const std::string temp_path = data_dir_ + "/" + temp_file_name;
  if (current_term >= max_term)
    throw std::runtime_error(state_path() + ": refusing to save term " +
                             std::to_string(current_term) +
                             ": at or above the term ceiling 2^63 (max_term)");
  const std::string contents = encode_state(current_term, voted_for);
  try {
    unique_fd fd{::openat(dir_fd_, temp_file_name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
    if (!fd) throw_errno(temp_path, "cannot create");
    write_all(fd.get(), contents, temp_path);
    if (::fsync(fd.get()) != 0) throw_errno(temp_path, "cannot fsync");
    if (::close(fd.release()) != 0) throw_errno(temp_path, "cannot close");
    if (::renameat(dir_fd_, temp_file_name, dir_fd_, state_file_name) != 0)
      throw_errno(temp_path, "cannot rename to " + state_path());
  } catch (...) {
    ::unlinkat(dir_fd_, temp_file_name, 0);  // best effort; a leftover is ignored anyway
    throw;
  }
  if (::fsync(dir_fd_) != 0) throw_errno(data_dir_, "cannot fsync data directory");
}

} // namespace raft

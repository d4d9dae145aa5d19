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

} // namespace

file_store::file_store(std::string data_dir) : data_dir_(std::move(data_dir)) {
  if (data_dir_.empty()) throw std::runtime_error("file_store: empty data directory path");
  create_data_dir(data_dir_);

  unique_fd dir{::open(data_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (!dir) throw_errno(data_dir_, "cannot open data directory");
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

file_store::~file_store() {
  ::close(lock_fd_);  // releases the flock()
  ::close(dir_fd_);
}

persistent_state file_store::load() {
  std::lock_guard<std::mutex> guard{mtx_};
  const std::string path = state_path();
  unique_fd fd{::openat(dir_fd_, state_file_name, O_RDONLY | O_CLOEXEC)};
  if (!fd) {
    if (errno == ENOENT) return persistent_state{};  // nothing saved yet
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

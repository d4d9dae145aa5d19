#pragma once
/// A state_store that keeps Figure 2's persistent state (current_term, voted_for) in a data
/// directory, so a peer restarted on the same host resumes with what it last saved.
///
/// Figure 2: persistent state is "updated on stable storage before responding to RPCs".
/// `save` therefore returns only after the new state is durable: it writes `state.tmp`,
/// fsync()s it, rename()s it over `state` (atomic: a crash leaves either the old or the new
/// file, never a mix), then fsync()s the directory so the rename itself survives a crash.
///
/// Files in the data directory:
/// - `state`     the state, in the format of storage/state_file.hpp;
/// - `state.tmp` the next state while it is being written (a leftover one is ignored);
/// - `lock`      flock()ed exclusively while a store is open, holding the owner's pid.

#include <mutex>
#include <stdexcept>
#include <string>

#include "storage/state_file.hpp"
#include "storage/state_store.hpp"

namespace raft {

/// Another open store (in this or another process) already uses the data directory. Two
/// peers sharing one directory would overwrite each other's term and vote.
class data_dir_in_use : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class file_store final : public state_store {
public:
  static constexpr const char* state_file_name = "state";
  static constexpr const char* temp_file_name = "state.tmp";
  static constexpr const char* lock_file_name = "lock";

  /// Opens (creating it and its parents if missing) `data_dir` and locks it.
  /// Throws data_dir_in_use when another store holds the lock, and std::runtime_error naming
  /// the path and the system's reason when the directory cannot be created, opened, written
  /// or locked.
  explicit file_store(std::string data_dir);
  ~file_store() override;

  file_store(const file_store&) = delete;
  file_store& operator=(const file_store&) = delete;

  /// The saved state, or a fresh one (term 0, no vote) when no state file exists yet.
  /// Throws corrupt_state when the file exists but cannot be trusted; it never resets.
  persistent_state load() override;

  /// Durably replaces the saved state (see above); throws std::runtime_error naming the file
  /// and the system's reason on any failure, leaving the previous state file in place.
  void save(term_t current_term, std::optional<peer_id> voted_for) override;

  const std::string& data_dir() const { return data_dir_; }
  std::string state_path() const { return data_dir_ + "/" + state_file_name; }

private:
  std::string data_dir_;
  int dir_fd_ = -1;   ///< the data directory, for *at() calls and its fsync
  int lock_fd_ = -1;  ///< holds the exclusive flock() while this store is open
  std::mutex mtx_;
};

} // namespace raft

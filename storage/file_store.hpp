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
///
/// Durable state is never created implicitly. Only `initialize` creates a data directory and
/// a state file; opening a store on a missing directory or a directory without `state`
/// throws `state_missing`. Why: a node that once voted and then finds no state (an unmounted
/// volume, a typo in data_dir) would otherwise start at term 0 with no vote and could vote a
/// second time in a term where it already voted, breaking Election Safety (§5.2).

#include <mutex>
#include <stdexcept>
#include <string>

#include "storage/state_file.hpp"
#include "storage/state_store.hpp"

namespace raft {

class unique_fd;

/// Another open store (in this or another process) already uses the data directory. Two
/// peers sharing one directory would overwrite each other's term and vote.
class data_dir_in_use : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// The data directory or its state file does not exist. The message is one line naming the
/// missing path. Whether to create a fresh state is an operator's decision (`initialize`),
/// never the store's.
class state_missing : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// `initialize` found a state file already in place and left it untouched.
class state_exists : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class file_store final : public state_store {
public:
  static constexpr const char* state_file_name = "state";
  static constexpr const char* temp_file_name = "state.tmp";
  static constexpr const char* lock_file_name = "lock";

  /// Opens the initialised data directory `data_dir` and locks it; creates nothing but the
  /// lock file. Throws state_missing when the directory or its state file does not exist
  /// (checked before anything is created in it), data_dir_in_use when another store holds
  /// the lock, and std::runtime_error naming the path and the system's reason when the
  /// directory cannot be opened, written or locked.
  explicit file_store(std::string data_dir);

  /// Makes `data_dir` a new node's data directory: creates it and missing parents (fsyncing
  /// each parent), locks it, and durably writes a state of term 0 with no vote, like `save`.
  /// Throws state_exists, leaving every byte of the file as it was, when a state file (or
  /// anything named `state`) is already there; data_dir_in_use when a store holds the lock;
  /// std::runtime_error naming the path and reason on any other failure. A failure part way
  /// leaves at most `state.tmp` (ignored), so the directory stays uninitialised and a
  /// second call can succeed. The lock is released on return.
  static void initialize(const std::string& data_dir);
  ~file_store() override;

  file_store(const file_store&) = delete;
  file_store& operator=(const file_store&) = delete;

  /// The saved state. Throws state_missing when the state file has disappeared since the
  /// store was opened, and corrupt_state when it exists but cannot be trusted (including a
  /// term at or above max_term); it never resets.
  persistent_state load() override;

  /// Durably replaces the saved state (see above); throws std::runtime_error naming the file
  /// and the system's reason on any failure, leaving the previous state file in place. A
  /// term at or above max_term (messages/wire.hpp) is refused the same way, before anything
  /// is written: such a state could never be loaded again.
  void save(term_t current_term, std::optional<peer_id> voted_for) override;

  const std::string& data_dir() const { return data_dir_; }
  std::string state_path() const { return data_dir_ + "/" + state_file_name; }

private:
  struct create_tag {};
  /// Creates `data_dir` (and missing parents) if needed, opens and locks it; does not look
  /// for the state file. Only `initialize` uses it.
  file_store(std::string data_dir, create_tag);
  /// Checks that the open directory `dir` is writable, takes its lock, and keeps both.
  void open_and_lock(unique_fd& dir);

  std::string data_dir_;
  int dir_fd_ = -1;   ///< the data directory, for *at() calls and its fsync
  int lock_fd_ = -1;  ///< holds the exclusive flock() while this store is open
  std::mutex mtx_;
};

} // namespace raft

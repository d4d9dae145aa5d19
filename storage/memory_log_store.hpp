#pragma once
/// The in-memory log_store of the in-process test cluster, with the course Persister's
/// semantics: what one peer has made durable lives in a `memory_persister` shared by all its
/// incarnations, and a restarted peer gets exactly that.
///
/// A `memory_log_store` is one incarnation (from memory_persister::open()). Its appends and
/// truncations stay in the incarnation until sync(); save_hard_state and save_snapshot reach
/// the persister at once (as on disk, they are durable on return). crash() (or the next open())
/// cuts the incarnation off: whatever it had not synced is lost, and every later call it makes
/// throws log_store_failed, so a peer that is still running after its "crash" cannot change
/// what its successor loads (the course copies the Persister at crash1 for the same reason).

#include <memory>
#include <mutex>

#include "storage/log_shape.hpp"
#include "storage/log_store.hpp"

namespace raft {

class memory_persister {
public:
  memory_persister();

  /// Starts a new incarnation of the peer; the previous one, if any, is cut off as by crash().
  std::shared_ptr<log_store> open();
  /// A power cut for the current incarnation: its unsynced appends and truncations are lost.
  void crash();

  /// What a restarted peer would load now.
  recovered_state persisted() const;
  /// size_bytes() of what is persisted (the course's RaftStateSize()).
  std::uint64_t size_bytes() const;
  /// How many sync() calls made something durable (group commit: one per batch).
  std::uint64_t syncs() const;

  struct shared;  ///< the persisted state, shared with the incarnations

private:
  std::shared_ptr<shared> shared_;
};

class memory_log_store final : public log_store {
public:
  memory_log_store(std::shared_ptr<memory_persister::shared> persisted, std::uint64_t incarnation);

  recovered_state load() override;
  void save_hard_state(term_t current_term, std::optional<peer_id> voted_for) override;
  using log_store::append;
  void append(log_index first, const log_entry* entries, std::size_t count) override;
  void truncate_suffix(log_index from) override;
  void sync() override;
  void save_snapshot(log_index index, term_t term, std::string_view data) override;
  std::uint64_t size_bytes() const override;
  log_index last_index() const override { return shape_.last_index(); }
  log_index snapshot_index() const override { return shape_.snapshot_index(); }
  term_t term_at(log_index index) const override { return shape_.term_at(index); }

private:
  /// Throws unless this incarnation is current, loaded and has not failed; the caller holds
  /// the persister's mutex.
  void usable(const char* call) const;
  void sync_locked();

  std::shared_ptr<memory_persister::shared> persisted_;
  std::uint64_t incarnation_;
  bool loaded_ = false;
  log_shape shape_;
  std::optional<log_index> truncate_from_;  ///< persisted entries from here on go at sync()
  std::vector<log_entry> buffered_;         ///< appended after the persisted (kept) entries
};

} // namespace raft

#pragma once
/// The shape of a log that every log_store keeps in memory: the snapshot boundary, the term of
/// each entry after it and the saved current term. It is the one place where log_store's
/// preconditions are checked, so both stores accept and refuse exactly the same calls.

#include <vector>

#include "storage/log_store.hpp"

namespace raft {

class log_shape {
public:
  log_shape() = default;
  log_shape(term_t current_term, log_index snapshot_index, term_t snapshot_term,
            std::vector<term_t> terms)
      : current_term_(current_term), snapshot_index_(snapshot_index),
        snapshot_term_(snapshot_term), terms_(std::move(terms)) {}

  term_t current_term() const { return current_term_; }
  log_index snapshot_index() const { return snapshot_index_; }
  term_t snapshot_term() const { return snapshot_term_; }
  log_index last_index() const { return snapshot_index_ + terms_.size(); }
  /// Throws std::out_of_range outside snapshot_index() .. last_index().
  term_t term_at(log_index index) const;

  /// Throw std::logic_error (std::invalid_argument) when a call breaks log_store's rules.
  void check_hard_state(term_t current_term) const;
  void check_append(log_index first, const log_entry* entries, std::size_t count) const;
  void check_truncate(log_index from) const;
  void check_snapshot(log_index index, term_t term) const;

  /// Apply a call that passed its check.
  void set_current_term(term_t term) { current_term_ = term; }
  void append(const log_entry* entries, std::size_t count);
  void truncate(log_index from);
  void snapshot(log_index index, term_t term);

private:
  term_t current_term_ = 0;
  log_index snapshot_index_ = 0;
  term_t snapshot_term_ = 0;
  std::vector<term_t> terms_;  ///< terms_[k] is the term of entry snapshot_index_ + 1 + k
};

} // namespace raft

#include "storage/log_shape.hpp"

#include <string>

#include "storage/log_format.hpp"

namespace raft {

namespace {
std::string str(std::uint64_t v) { return std::to_string(v); }
} // namespace

term_t log_shape::term_at(log_index index) const {
  if (index < snapshot_index_ || index > last_index())
    throw std::out_of_range("log_store: no term for index " + str(index) + " (the log holds " +
                            str(snapshot_index_) + ".." + str(last_index()) + ")");
  return index == snapshot_index_ ? snapshot_term_ : terms_[index - snapshot_index_ - 1];
}

void log_shape::check_hard_state(term_t current_term) const {
  if (current_term < current_term_)
    throw std::invalid_argument("log_store: current term would go back from " + str(current_term_) +
                                " to " + str(current_term) + " (terms never decrease, §5.1)");
  if (current_term >= max_term)
    throw std::invalid_argument("log_store: current term " + str(current_term) +
                                " is at or above the ceiling max_term = " + str(max_term));
}

void log_shape::check_append(log_index first, const log_entry* entries, std::size_t count) const {
  if (first != last_index() + 1)
    throw std::invalid_argument("log_store: append at index " + str(first) + ", but the log ends at " +
                                str(last_index()) + " (entries are contiguous)");
  term_t previous = term_at(last_index());
  for (std::size_t k = 0; k < count; ++k) {
    const log_entry& e = entries[k];
    const log_index index = first + k;
    if (e.term == 0)
      throw std::invalid_argument("log_store: entry " + str(index) + " has term 0 (terms start at 1)");
    if (e.term < previous)
      throw std::invalid_argument("log_store: entry " + str(index) + " has term " + str(e.term) +
                                  ", lower than the term " + str(previous) +
                                  " before it (terms never decrease along a log)");
    if (e.term > current_term_)
      throw std::invalid_argument("log_store: entry " + str(index) + " has term " + str(e.term) +
                                  ", above the saved current term " + str(current_term_) +
                                  " (save_hard_state first)");
    if (e.command.size() > log_format::max_command_bytes)
      throw std::invalid_argument("log_store: entry " + str(index) + " has a command of " +
                                  str(e.command.size()) + " bytes (at most " +
                                  str(log_format::max_command_bytes) + ")");
    previous = e.term;
  }
}

void log_shape::check_truncate(log_index from) const {
  if (from <= snapshot_index_)
    throw std::invalid_argument("log_store: truncate from index " + str(from) +
                                ", but the snapshot covers up to " + str(snapshot_index_) +
                                " (snapshotted entries are committed)");
}

void log_shape::check_snapshot(log_index index, term_t term) const {
  if (index <= snapshot_index_)
    throw std::invalid_argument("log_store: snapshot at index " + str(index) +
                                ", not after the current snapshot at " + str(snapshot_index_));
  if (term < snapshot_term_ || term == 0)
    throw std::invalid_argument("log_store: snapshot term " + str(term) + " is below the current " +
                                "snapshot's term " + str(snapshot_term_) + " (or 0)");
  if (term > current_term_)
    throw std::invalid_argument("log_store: snapshot term " + str(term) +
                                " is above the saved current term " + str(current_term_));
  if (index <= last_index() && term_at(index) != term)
    throw std::invalid_argument("log_store: snapshot at index " + str(index) + " of term " + str(term) +
                                ", but the log holds term " + str(term_at(index)) +
                                " there (truncate the conflicting log first, Figure 13)");
}

void log_shape::append(const log_entry* entries, std::size_t count) {
  for (std::size_t k = 0; k < count; ++k) terms_.push_back(entries[k].term);
}

void log_shape::truncate(log_index from) {
  if (from <= last_index()) terms_.resize(from - snapshot_index_ - 1);
}

void log_shape::snapshot(log_index index, term_t term) {
  if (index >= last_index())
    terms_.clear();
  else
    terms_.erase(terms_.begin(), terms_.begin() + static_cast<std::ptrdiff_t>(index - snapshot_index_));
  snapshot_index_ = index;
  snapshot_term_ = term;
}

} // namespace raft

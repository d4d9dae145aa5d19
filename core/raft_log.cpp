#include "core/raft_log.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace raft {

raft_log::raft_log(log_index snapshot_index, term_t snapshot_term,
                   std::vector<log_entry> entries)
  : snapshot_index_(snapshot_index), snapshot_term_(snapshot_term),
    entries_(std::move(entries)) {
  try {
    check();
  } catch (const std::logic_error& e) {
    throw std::invalid_argument(e.what());
  }
}

std::optional<term_t> raft_log::term_at(log_index i) const {
  if (i == snapshot_index_)
    return snapshot_term_;
  if (i < snapshot_index_ || i > last_index())
    return std::nullopt;
  return at(i).term;
}

bool raft_log::matches(log_index prev_index, term_t prev_term) const {
  auto t = term_at(prev_index);
  return t && *t == prev_term;
}

bool raft_log::is_up_to_date(log_index other_last_index, term_t other_last_term) const {
  if (other_last_term != last_term())
    return other_last_term > last_term();
  return other_last_index >= last_index();
}

raft_log::append_result raft_log::append_after(log_index prev_index,
                                               const std::vector<log_entry>& entries) {
  append_result r;
  log_index index = prev_index;
  std::size_t k = 0;
  // Entries the snapshot covers are committed: they agree with the leader's (§5.4.3).
  while (k < entries.size() && index + 1 <= snapshot_index_) {
    ++index;
    ++k;
  }
  // Skip what is already here with the same term; the first conflict cuts the rest.
  for (; k < entries.size(); ++k) {
    ++index;
    if (index > last_index())
      break;
    if (at(index).term != entries[k].term) {
      entries_.resize(index - first_index());
      r.truncated_from = index;
      checked_upto_ = std::min(checked_upto_, index - 1);
      break;
    }
  }
  if (k < entries.size()) {
    r.first_new = last_index() + 1;
    r.appended = entries.size() - k;
    entries_.insert(entries_.end(), entries.begin() + static_cast<std::ptrdiff_t>(k),
                    entries.end());
  }
  return r;
}

log_index raft_log::append(log_entry e) {
  if (e.term < last_term())
    throw std::logic_error("raft_log::append: an entry of term " + std::to_string(e.term) +
                           " after one of term " + std::to_string(last_term()));
  entries_.push_back(std::move(e));
  return last_index();
}

std::vector<log_entry> raft_log::slice(log_index from, std::size_t max_count,
                                       std::size_t max_bytes) const {
  std::vector<log_entry> out;
  std::size_t bytes = 0;
  for (log_index i = from; i <= last_index() && out.size() < max_count; ++i) {
    const auto& e = at(i);
    if (!out.empty() && bytes + e.command.size() > max_bytes)
      break;
    bytes += e.command.size();
    out.push_back(e);
  }
  return out;
}

log_index raft_log::first_index_of_term_at(log_index i) const {
  auto t = at(i).term;
  while (i > first_index() && at(i - 1).term == t)
    --i;
  return i;
}

std::optional<log_index> raft_log::last_index_of_term(term_t t) const {
  // Terms never decrease along the log: search from the end.
  for (log_index i = last_index(); i >= first_index() && i > 0; --i) {
    auto ti = at(i).term;
    if (ti == t)
      return i;
    if (ti < t)
      break;
  }
  return std::nullopt;
}

void raft_log::compact(log_index index) {
  if (index <= snapshot_index_ || index > last_index())
    throw std::logic_error("raft_log::compact: index " + std::to_string(index) +
                           " outside (" + std::to_string(snapshot_index_) + ", " +
                           std::to_string(last_index()) + "]");
  auto term = at(index).term;
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(index - snapshot_index_));
  snapshot_index_ = index;
  snapshot_term_ = term;
  checked_upto_ = std::min(checked_upto_, snapshot_index_); // the first entry against the new term
}

bool raft_log::restore_snapshot(log_index index, term_t term) {
  if (index <= snapshot_index_)
    throw std::logic_error("raft_log::restore_snapshot: index " + std::to_string(index) +
                           " is not after the snapshot at " + std::to_string(snapshot_index_));
  bool keep = matches(index, term);
  if (keep)
    entries_.erase(entries_.begin(),
                   entries_.begin() + static_cast<std::ptrdiff_t>(index - snapshot_index_));
  else
    entries_.clear();
  snapshot_index_ = index;
  snapshot_term_ = term;
  checked_upto_ = std::min(checked_upto_, snapshot_index_);
  return keep && !entries_.empty();
}

void raft_log::check() const {
  // Entries up to checked_upto_ were verified and have not changed since (see the member).
  const log_index from = std::clamp(checked_upto_, snapshot_index_, last_index());
  term_t previous = from == snapshot_index_ ? snapshot_term_ : at(from).term;
  for (log_index i = from + 1; i <= last_index(); ++i) {
    const term_t t = at(i).term;
    if (t < previous)
      throw std::logic_error("log terms decrease at index " + std::to_string(i) + " (term " +
                             std::to_string(t) + " after " + std::to_string(previous) + ")");
    previous = t;
  }
  checked_upto_ = last_index();
}

} // namespace raft

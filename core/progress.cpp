#include "core/progress.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace raft {

bool progress::may_send_entries(const replication_limits& limits) const {
  switch (mode_) {
    case mode::probe:
      return !probe_sent_;
    case mode::replicate:
      return inflight_.size() < limits.max_inflight_messages &&
             inflight_bytes_ < limits.max_inflight_bytes;
    case mode::snapshot:
      return false;
  }
  return false;
}

void progress::sent_entries(log_index last, std::size_t bytes) {
  switch (mode_) {
    case mode::probe:
      probe_sent_ = true;
      break;
    case mode::replicate:
      if (last < next_)
        throw std::logic_error("progress: entries sent again in replicate mode");
      inflight_.push_back({last, bytes, ticks_});
      inflight_bytes_ += bytes;
      next_ = last + 1; // optimistic: the follower will have them (pipelining)
      break;
    case mode::snapshot:
      throw std::logic_error("progress: entries sent while a snapshot is being sent");
  }
}

void progress::sent_probe() {
  if (mode_ == mode::probe || mode_ == mode::snapshot)
    probe_sent_ = true;
}

bool progress::on_success(log_index match) {
  if (match <= match_) {
    // Nothing new: a late or duplicated reply, or a heartbeat's. It acknowledges none of the
    // entries in flight, so it does not keep tick() from taking them as lost. In probe mode
    // it still shows where the follower's log matches: stream from there on.
    if (mode_ == mode::probe && match == match_ && next_ == match_ + 1) {
      replied_ = true; // the answer to the probe
      mode_ = mode::replicate;
      probe_sent_ = false;
    }
    return false;
  }
  replied_ = true;
  match_ = match;
  next_ = std::max(next_, match + 1);
  switch (mode_) {
    case mode::probe:
      mode_ = mode::replicate;
      probe_sent_ = false;
      next_ = match + 1; // resume streaming right after what matches
      break;
    case mode::replicate:
      free_inflight_upto(match);
      break;
    case mode::snapshot:
      if (match >= snapshot_index_)
        become_probe(match + 1); // the follower has all the snapshot holds
      break;
  }
  return true;
}

bool progress::on_reject(log_index rejected, log_index hint) {
  replied_ = true;
  switch (mode_) {
    case mode::replicate:
      // Refusals of messages at or before what the follower has acknowledged since are
      // late: the log matched there by then.
      if (rejected <= match_)
        return false;
      break;
    case mode::probe:
      // Only the refusal of the probe in flight moves next_index.
      if (rejected + 1 != next_)
        return false;
      break;
    case mode::snapshot:
      return false;
  }
  // The refused message's prev_log_index does not match: try below it, but never at or
  // below what is known to match.
  auto next = std::min(hint, rejected);
  become_probe(std::max(next, match_ + 1));
  return true;
}

bool progress::tick() {
  bool replied = replied_;
  replied_ = false;
  switch (mode_) {
    case mode::probe:
      probe_sent_ = false; // the probe (or its reply) may be lost: send it again
      break;
    case mode::replicate:
      // The oldest message in flight left before the previous tick, and no acknowledgement
      // came since: it or its reply was lost (one sent since that tick gets a whole interval).
      if (!inflight_.empty() && !replied && inflight_.front().sent_in < ticks_)
        become_probe(match_ + 1);
      break;
    case mode::snapshot:
      if (!replied)
        probe_sent_ = false; // send the chunk again
      break;
  }
  ++ticks_;
  return replied;
}

void progress::begin_snapshot(log_index index) {
  mode_ = mode::snapshot;
  snapshot_index_ = index;
  snapshot_offset_ = 0;
  probe_sent_ = false;
  inflight_.clear();
  inflight_bytes_ = 0;
}

bool progress::on_snapshot_reply(log_index index, std::uint64_t received, bool installed) {
  replied_ = true;
  if (mode_ != mode::snapshot || index != snapshot_index_)
    return false;
  if (installed) {
    match_ = std::max(match_, index);
    become_probe(match_ + 1);
    return true;
  }
  // The follower asks for the chunk at `received` (the next one, or again one it lost).
  snapshot_offset_ = received;
  probe_sent_ = false;
  return true;
}

void progress::become_probe(log_index next) {
  mode_ = mode::probe;
  next_ = std::max(next, match_ + 1);
  probe_sent_ = false;
  inflight_.clear();
  inflight_bytes_ = 0;
  snapshot_index_ = 0;
  snapshot_offset_ = 0;
}

void progress::free_inflight_upto(log_index match) {
  while (!inflight_.empty() && inflight_.front().last <= match) {
    inflight_bytes_ -= inflight_.front().bytes;
    inflight_.pop_front();
  }
}

void progress::check(const replication_limits& limits) const {
  auto fail = [](const std::string& what) { throw std::logic_error("progress: " + what); };
  if (match_ >= next_)
    fail("match_index " + std::to_string(match_) + " is not below next_index " +
         std::to_string(next_));
  if (mode_ != mode::replicate && !inflight_.empty())
    fail("messages counted in flight outside replicate mode");
  log_index previous = match_;
  std::size_t bytes = 0;
  for (auto& f : inflight_) {
    if (f.last <= previous || f.last >= next_)
      fail("an in-flight message outside (match_index, next_index)");
    previous = f.last;
    bytes += f.bytes;
  }
  if (bytes != inflight_bytes_)
    fail("in-flight bytes miscounted");
  if (inflight_.size() > limits.max_inflight_messages)
    fail("more messages in flight than the limit");
}

} // namespace raft

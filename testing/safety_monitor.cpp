#include "testing/safety_monitor.hpp"

namespace raft::testing {

void safety_monitor::observe_role(peer_id peer, term_t term, bool is_leader,
                                  std::optional<peer_id> leader) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (is_leader)
    note_leader(term, peer, peer);
  if (leader)
    note_leader(term, *leader, peer);
}

void safety_monitor::observe_applied(peer_id peer, log_index index,
                                     const std::string& command) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& last = last_applied_[peer];
  if (index != last + 1)
    fail("server " + std::to_string(peer) + " apply out of order, expected index " +
         std::to_string(last + 1) + ", got " + std::to_string(index));
  last = index;
  auto [it, first] = applied_.try_emplace(index, command, peer);
  if (!first && it->second.first != command)
    fail("commit index=" + std::to_string(index) + " server=" + std::to_string(peer) + " " +
         command + " != server=" + std::to_string(it->second.second) + " " + it->second.first);
}

void safety_monitor::observe_snapshot(peer_id peer, log_index snapshot_index) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& last = last_applied_[peer];
  if (snapshot_index < last) {
    fail("server " + std::to_string(peer) + " snapshot at index " +
         std::to_string(snapshot_index) + " is behind its last applied index " +
         std::to_string(last));
    return;
  }
  last = snapshot_index;
}

void safety_monitor::peer_restarted(peer_id peer, log_index from_index) {
  std::lock_guard<std::mutex> guard{mtx_};
  last_applied_[peer] = from_index;
}

std::vector<std::string> safety_monitor::violations() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return violations_;
}

std::string safety_monitor::report() const {
  std::lock_guard<std::mutex> guard{mtx_};
  std::string out;
  for (auto& v : violations_)
    out += v + "\n";
  return out;
}

bool safety_monitor::ok() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return violations_.empty();
}

std::map<safety_monitor::term_t, safety_monitor::peer_id> safety_monitor::leaders() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return leaders_;
}

safety_monitor::log_index safety_monitor::last_applied(peer_id peer) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto it = last_applied_.find(peer);
  return it == last_applied_.end() ? 0 : it->second;
}

void safety_monitor::note_leader(term_t term, peer_id leader, peer_id reported_by) {
  auto [it, first] = leaders_.try_emplace(term, leader);
  if (first || it->second == leader || !reported_leaders_.emplace(term, leader).second)
    return;
  std::string v = "term " + std::to_string(term) + " has two leaders: " +
                  std::to_string(it->second) + " and " + std::to_string(leader);
  if (reported_by != leader)
    v += " (" + std::to_string(leader) + " named by peer " + std::to_string(reported_by) + ")";
  fail(std::move(v));
}

void safety_monitor::fail(std::string violation) {
  violations_.push_back(std::move(violation));
}

} // namespace raft::testing

#include "sim/log_checker.hpp"

#include <algorithm>

namespace raft::sim {

namespace {

std::string id(std::size_t idx) { return "p" + std::to_string(idx + 1); }

std::uint64_t fnv(std::uint64_t h, const std::string& s) {
  for (unsigned char c : s)
    h = (h ^ c) * 1099511628211ULL;
  return h;
}

} // namespace

std::uint64_t service_step(std::uint64_t h, const std::string& command) {
  return fnv(fnv(h, command), "|");
}

void log_checker::reset(std::size_t peers) {
  seen_.clear();
  committed_.clear();
  commit_seen_.assign(peers, 0);
  state_at_.clear();
  applied_command_.clear();
  accepted_.clear();
  acknowledged_.clear();
  what_.clear();
}

bool log_checker::fail(std::string what) {
  what_ = std::move(what);
  return false;
}

bool log_checker::check_entry(std::size_t idx, log_index index, const log_entry& e,
                              term_t prev_term) {
  // Log Matching by induction: entries with equal (index, term) have equal commands and
  // follow entries of equal terms, so the logs agree all the way back.
  written w{fnv(1469598103934665603ULL, e.command), prev_term};
  auto [it, fresh] = seen_.emplace(std::make_pair(index, e.term), w);
  if (fresh)
    return true;
  if (it->second.command_hash != w.command_hash)
    return fail("Log Matching: " + id(idx) + " holds entry " + std::to_string(index) +
                " of term " + std::to_string(e.term) + " with command \"" + e.command +
                "\", another peer held a different command there");
  if (it->second.prev_term != w.prev_term)
    return fail("Log Matching: " + id(idx) + " holds entry " + std::to_string(index) +
                " of term " + std::to_string(e.term) + " after an entry of term " +
                std::to_string(prev_term) + ", another peer after one of term " +
                std::to_string(it->second.prev_term));
  return true;
}

bool log_checker::on_written(std::size_t idx, const raft_log& log, log_index first,
                             const std::vector<log_entry>& entries) {
  term_t prev = log.term_at(first - 1).value_or(0);
  for (std::size_t k = 0; k < entries.size(); ++k) {
    if (!check_entry(idx, first + k, entries[k], prev))
      return false;
    prev = entries[k].term;
  }
  return true;
}

bool log_checker::on_loaded(std::size_t idx, const raft_log& log) {
  return on_written(idx, log, log.first_index(), log.entries());
}

void log_checker::restarted(std::size_t idx, log_index snapshot_index) {
  commit_seen_[idx] = snapshot_index;
}

void log_checker::set_committed(const std::vector<log_entry>& entries, term_t term) {
  for (std::size_t k = 0; k < entries.size(); ++k)
    committed_[k + 1] = committed_entry{entries[k], term};
}

bool log_checker::after_step(std::size_t idx, const node& n, bool became_leader) {
  const auto& log = n.log();
  // Committed entries never change: what this peer now knows committed must be what any
  // peer knew committed there (those in its snapshot were checked when they were entries).
  auto from = std::max(commit_seen_[idx], log.snapshot_index()) + 1;
  for (auto i = from; i <= n.commit_index(); ++i) {
    const auto& e = log.at(i);
    auto [it, fresh] = committed_.emplace(i, committed_entry{e, n.current_term()});
    if (!fresh && !(it->second.entry == e))
      return fail("State Machine Safety: " + id(idx) + " committed \"" + e.command +
                  "\" (term " + std::to_string(e.term) + ") at index " + std::to_string(i) +
                  ", where \"" + it->second.entry.command + "\" (term " +
                  std::to_string(it->second.entry.term) + ") was committed before");
    it->second.commit_term = std::min(it->second.commit_term, n.current_term());
  }
  commit_seen_[idx] = std::max(commit_seen_[idx], n.commit_index());
  if (!became_leader)
    return true;
  // Figure 3, Leader Completeness: "If a log entry is committed in a given term, then that
  // entry will be present in the logs of the leaders for all higher-numbered terms".
  for (auto it = committed_.upper_bound(log.snapshot_index()); it != committed_.end(); ++it) {
    auto i = it->first;
    if (it->second.commit_term >= n.current_term())
      continue; // committed in this term or a later one: nothing to say about this leader
    if (i > log.last_index() || !(log.at(i) == it->second.entry))
      return fail("Leader Completeness: " + id(idx) + " is leader of term " +
                  std::to_string(n.current_term()) + " without committed entry " +
                  std::to_string(i) + " (term " + std::to_string(it->second.entry.term) +
                  ", committed by term " + std::to_string(it->second.commit_term) +
                  "); its log ends at " + std::to_string(log.last_index()));
  }
  return true;
}

bool log_checker::on_apply(std::size_t idx, sim_service& svc, const apply& a) {
  for (std::size_t k = 0; k < a.entries.size(); ++k) {
    auto index = a.first + k;
    if (index != svc.index + 1)
      return fail(id(idx) + " applied index " + std::to_string(index) + " after " +
                  std::to_string(svc.index) + " (out of order)");
    svc.hash = service_step(svc.hash, a.entries[k].command);
    svc.index = index;
    if (state_at_.size() <= index)
      state_at_.resize(index + 1);
    auto& known = state_at_[index];
    if (!known) {
      known = svc.hash;
      applied_command_[index] = a.entries[k].command;
    } else if (*known != svc.hash) {
      return fail("State Machine Safety: " + id(idx) + " applied \"" + a.entries[k].command +
                  "\" at index " + std::to_string(index) + ", where another peer applied \"" +
                  applied_command_[index] + "\" (or their states differ before it)");
    }
  }
  return true;
}

bool log_checker::on_apply_snapshot(std::size_t idx, sim_service& svc, const apply_snapshot& s) {
  const auto& data = *s.data;
  auto colon = data.find(':');
  if (colon == std::string::npos)
    return fail(id(idx) + " got a snapshot that does not decode: \"" + data + "\"");
  sim_service restored;
  restored.index = std::stoull(data.substr(0, colon));
  restored.hash = std::stoull(data.substr(colon + 1));
  if (restored.index != s.index)
    return fail(id(idx) + " got the snapshot of index " + std::to_string(restored.index) +
                " as the snapshot of index " + std::to_string(s.index));
  if (restored.index < state_at_.size() && state_at_[restored.index] &&
      *state_at_[restored.index] != restored.hash)
    return fail("State Machine Safety: " + id(idx) + " installed a snapshot of index " +
                std::to_string(s.index) + " whose state differs from what the peers applied");
  svc = restored;
  return true;
}

void log_checker::accepted(std::size_t idx, std::uint32_t incarnation, log_index index,
                           const std::string& command) {
  accepted_.emplace(index, pending{idx, incarnation, command});
}

void log_checker::acknowledge(std::size_t idx, std::uint32_t incarnation, const apply& a,
                              vtime now) {
  for (std::size_t k = 0; k < a.entries.size(); ++k) {
    auto range = accepted_.equal_range(a.first + k);
    for (auto it = range.first; it != range.second;) {
      if (it->second.peer == idx && it->second.incarnation == incarnation &&
          it->second.command == a.entries[k].command) {
        acknowledged_.push_back({it->first, {it->second.command, now}});
        it = accepted_.erase(it);
      } else {
        ++it;
      }
    }
  }
}

bool log_checker::acknowledged_applied_everywhere(const std::vector<sim_service>& services,
                                                  vtime cutoff) {
  for (auto& [index, what] : acknowledged_) {
    if (what.second >= cutoff)
      continue;
    auto it = applied_command_.find(index);
    if (it == applied_command_.end() || it->second != what.first)
      return fail("acknowledged proposal \"" + what.first + "\" at index " +
                  std::to_string(index) + " is not what the peers applied there");
    for (std::size_t p = 0; p < services.size(); ++p)
      if (services[p].index < index)
        return fail("acknowledged proposal \"" + what.first + "\" at index " +
                    std::to_string(index) + " was never applied by " + id(p) +
                    " (it applied through " + std::to_string(services[p].index) + ")");
  }
  return true;
}

} // namespace raft::sim

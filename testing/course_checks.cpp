#include "testing/course_checks.hpp"

namespace raft::testing {

std::string shown(const std::string& cmd) {
  if (cmd.size() <= 40)
    return cmd;
  return cmd.substr(0, 16) + "...(" + std::to_string(cmd.size()) + " chars)";
}

std::variant<std::optional<std::uint64_t>, std::string>
one_leader_round(const std::vector<observed_state>& states) {
  std::map<std::uint64_t, std::vector<std::uint64_t>> leaders; // term → peers
  for (auto& s : states)
    if (s.is_leader)
      leaders[s.term].push_back(s.peer);
  for (auto& [term, who] : leaders)
    if (who.size() > 1) {
      std::string peers;
      for (auto id : who)
        peers += (peers.empty() ? "" : ", ") + std::to_string(id);
      return "term " + std::to_string(term) + " has " + std::to_string(who.size()) +
             " (>1) leaders: peers " + peers;
    }
  if (leaders.empty())
    return std::optional<std::uint64_t>{};
  return std::optional<std::uint64_t>{leaders.rbegin()->second.front()};
}

std::variant<std::uint64_t, std::string> agreed_term(const std::vector<observed_state>& states) {
  if (states.empty())
    return std::string("no connected peer answered");
  for (auto& s : states)
    if (s.term != states.front().term)
      return std::string("servers disagree on term");
  return states.front().term;
}

std::optional<std::string> any_leader(const std::vector<observed_state>& states) {
  for (auto& s : states)
    if (s.is_leader)
      return "expected no leader among connected servers, but " + std::to_string(s.peer) +
             " claims to be leader";
  return std::nullopt;
}

std::variant<committed, std::string>
committed_at(const std::vector<std::map<std::uint64_t, std::string>>& applied,
             std::uint64_t index) {
  committed out;
  std::uint64_t first = 0;
  for (std::size_t i = 0; i < applied.size(); ++i) {
    auto it = applied[i].find(index);
    if (it == applied[i].end())
      continue;
    const auto peer = i + 1;
    if (out.command && *out.command != it->second)
      return "committed values do not match: index " + std::to_string(index) + ", " +
             shown(*out.command) + ", " + shown(it->second) + " (peer " +
             std::to_string(first) + " applied " + shown(*out.command) + ", peer " +
             std::to_string(peer) + " applied " + shown(it->second) + ")";
    if (!out.command)
      first = peer;
    ++out.count;
    out.command = it->second;
  }
  return out;
}

} // namespace raft::testing

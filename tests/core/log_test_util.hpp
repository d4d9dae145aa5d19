#pragma once
/// Helpers for the rule tests of the log (Figure 2's AppendEntries and Leaders rules, §5.3,
/// §5.4, and §7 with Figure 13): entries and AppendEntries with their replies, leaders
/// elected with a given log, and a lossless link between a leader and one follower, both
/// driven step by step by the shared driver (testing/core_driver.hpp).

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/core/core_test_util.hpp"

namespace raft_test {

/// An entry of term `t` holding command `c`.
inline log_entry entry(term_t t, std::string c) {
  return log_entry{t, std::move(c)};
}

/// Entries `from`..`to` (1-based, inclusive) of a log given as a list (log_with_terms).
inline std::vector<log_entry> slice_of(const std::vector<log_entry>& log, log_index from,
                                       log_index to) {
  return std::vector<log_entry>(log.begin() + static_cast<std::ptrdiff_t>(from - 1),
                                log.begin() + static_cast<std::ptrdiff_t>(to));
}

/// An AppendEntries of `term` from `leader` carrying `entries` after (prev_index, prev_term).
inline append_entries append(term_t term, peer_id leader, log_index prev_index,
                             term_t prev_term, std::vector<log_entry> entries,
                             log_index leader_commit = 0) {
  return append_entries{term, leader, prev_index, prev_term, std::move(entries), leader_commit};
}

/// A follower's success reply: its log matches the leader's through `match`, durably.
inline append_entries_reply accepted(term_t term, peer_id follower, log_index match) {
  append_entries_reply r{term, true, follower};
  r.match_index = match;
  return r;
}

/// A follower's refusal of an AppendEntries whose prev_log_index was `reject_index`, with the
/// conflict hint (fast backup): its term there (0: its log is shorter) and the first index it
/// holds of that term (or its last index + 1).
inline append_entries_reply refused(term_t term, peer_id follower, log_index reject_index,
                                    term_t conflict_term, log_index conflict_index) {
  append_entries_reply r{term, false, follower};
  r.reject_index = reject_index;
  r.conflict_term = conflict_term;
  r.conflict_index = conflict_index;
  return r;
}

/// Persistent state holding a snapshot through (index, term) with `data`, then `log`.
inline persistent_state restored_with_snapshot(term_t current_term, log_index index, term_t term,
                                               std::string data, std::vector<log_entry> log = {}) {
  persistent_state s;
  s.current_term = current_term;
  s.log = std::move(log);
  s.snapshot_index = index;
  s.snapshot_term = term;
  s.snapshot = std::make_shared<const std::string>(std::move(data));
  return s;
}

/// A started node elected leader (core_test_util.hpp make_leader: term + 1, grants from the
/// lowest other members). Every follower is probed from the leader's last index + 1: the
/// initial heartbeats are in `last`.
inline driven_node elected(node::options o, persistent_state s = {}) {
  auto d = started(std::move(o), std::move(s));
  make_leader(d);
  return d;
}

/// Follower `p` accepts the leader's initial heartbeat: its log matches the leader's through
/// the leader's last index, so the leader streams entries to it from there on.
inline effects& caught_up(driven_node& leader, peer_id p) {
  auto& fx = leader.receive(accepted(leader.n.current_term(), p, leader.n.log().last_index()));
  REQUIRE(leader.n.progress_of(p)->state() == progress::mode::replicate);
  return fx;
}

/// Appends the effects `more` to `all`.
inline void add(effects& all, const effects& more) {
  all.insert(all.end(), more.begin(), more.end());
}

/// Delivers to `to` every message that `fx` sends it, in order; returns the effects of those
/// steps, in order.
inline effects deliver(const effects& fx, driven_node& to) {
  effects out;
  for (const auto& s : effects_of<send>(fx))
    if (s.to == to.n.self())
      add(out, to.receive(s.msg));
  return out;
}

/// One round trip on a lossless link: the follower receives what the leader sent it in `fx`,
/// syncs its log (so its acknowledgements go), and the leader receives the replies. Returns
/// the leader's effects.
inline effects round_trip(driven_node& leader, driven_node& follower, const effects& fx) {
  auto replies = deliver(fx, follower);
  add(replies, follower.log_synced());
  return deliver(replies, leader);
}

/// How many AppendEntries that carry entries `fx` sends to `to`.
inline std::size_t entry_messages_to(const effects& fx, peer_id to) {
  std::size_t n = 0;
  for (const auto& [p, ae] : sent<append_entries>(fx))
    if (p == to && !ae.entries.empty())
      ++n;
  return n;
}

/// `ae` with its heartbeat round cleared: the log's rules do not depend on it (the ReadIndex
/// rule tests check rounds).
inline append_entries no_round(append_entries ae) {
  ae.round = 0;
  return ae;
}

/// The AppendEntries `fx` sends to `to`, in order, rounds cleared (no_round).
inline std::vector<append_entries> appends_to(const effects& fx, peer_id to) {
  std::vector<append_entries> out;
  for (const auto& [p, ae] : sent<append_entries>(fx))
    if (p == to)
      out.push_back(no_round(ae));
  return out;
}

} // namespace raft_test

#pragma once
/// Helpers shared by the rule tests of the Raft core: building nodes in a given state,
/// building messages, and Catch2 checks on the effects of a step. The driver that checks
/// every step and picking effects by type come from the testing library
/// (testing/core_driver.hpp, testing/effect_checks.hpp).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "core/node.hpp"
#include "testing/core_driver.hpp"
#include "testing/effect_checks.hpp"

namespace raft_test {

using namespace raft;
using raft::testing::count_of;
using raft::testing::effect_order_problem;
using raft::testing::effects_of;
using raft::testing::first_index_of;

/// A node under test, every step checked (testing/core_driver.hpp).
using driven_node = raft::testing::core_driver;

// ---------------------------------------------------------------------------------------
// Picking effects out of a step's output
// ---------------------------------------------------------------------------------------

/// The only effect of type `T` in `fx`; fails the test when there is none or several.
template <class T>
T the_only(const effects& fx) {
  auto all = effects_of<T>(fx);
  REQUIRE(all.size() == 1);
  return all.front();
}

/// Every message of type `M` sent in `fx`, with its recipient, in order.
template <class M>
std::vector<std::pair<peer_id, M>> sent(const effects& fx) {
  std::vector<std::pair<peer_id, M>> result;
  for (const auto& s : effects_of<send>(fx))
    if (const auto* m = std::get_if<M>(&s.msg))
      result.emplace_back(s.to, *m);
  return result;
}

/// The recipients of the messages of type `M` sent in `fx` (fails on a repeated recipient).
template <class M>
std::set<peer_id> recipients_of(const effects& fx) {
  std::set<peer_id> result;
  for (const auto& [to, m] : sent<M>(fx)) {
    (void)m;
    INFO("a second message to peer " << to);
    REQUIRE(result.insert(to).second);
  }
  return result;
}

/// The only message of type `M` sent in `fx`, which must go to `to`.
template <class M>
M the_only_sent(const effects& fx, peer_id to) {
  auto all = sent<M>(fx);
  REQUIRE(all.size() == 1);
  CHECK(all.front().first == to);
  return all.front().second;
}

// ---------------------------------------------------------------------------------------
// Building nodes and messages
// ---------------------------------------------------------------------------------------

/// Options for peer `self` of a cluster of `members`, with the default timing and invariant
/// checks on.
inline node::options options_for(peer_id self, std::vector<peer_id> members,
                                 std::uint64_t seed = 1, unsigned bugs = bug_none) {
  node::options o;
  o.self = self;
  o.members = std::move(members);
  o.seed = seed;
  o.injected_bugs = bugs;
  return o;
}

/// The members 1..n.
inline std::vector<peer_id> cluster_of(peer_id n) {
  std::vector<peer_id> result;
  for (peer_id p = 1; p <= n; ++p)
    result.push_back(p);
  return result;
}

/// Persistent state as a node would read it back on restart.
inline persistent_state restored(term_t term, std::optional<peer_id> vote = std::nullopt,
                                 std::vector<log_entry> log = {}) {
  persistent_state s;
  s.current_term = term;
  s.voted_for = vote;
  s.log = std::move(log);
  return s;
}

/// A log whose entries have the given terms (commands are "c1", "c2", ...).
inline std::vector<log_entry> log_with_terms(std::vector<term_t> terms) {
  std::vector<log_entry> result;
  for (std::size_t i = 0; i < terms.size(); ++i)
    result.push_back(log_entry{terms[i], "c" + std::to_string(i + 1)});
  return result;
}

inline message vote_request(term_t term, peer_id candidate, log_index last_index = 0,
                            term_t last_term = 0) {
  return request_vote{term, candidate, last_index, last_term};
}

inline message vote_reply(term_t term, bool granted, peer_id voter) {
  return request_vote_reply{term, granted, voter};
}

inline message heartbeat(term_t term, peer_id leader, log_index prev_index = 0,
                         term_t prev_term = 0, log_index leader_commit = 0) {
  return append_entries{term, leader, prev_index, prev_term, {}, leader_commit};
}

inline message heartbeat_reply(term_t term, bool success, peer_id follower) {
  return append_entries_reply{term, success, follower};
}

/// The four message kinds, for tests that must hold for each of them.
enum class kind { request_vote, request_vote_reply, append_entries, append_entries_reply };

inline const char* name_of(kind k) {
  switch (k) {
    case kind::request_vote: return "request_vote";
    case kind::request_vote_reply: return "request_vote_reply";
    case kind::append_entries: return "append_entries";
    case kind::append_entries_reply: return "append_entries_reply";
  }
  return "?";
}

/// A message of kind `k` from `from` carrying `term`. A request_vote carries an empty log
/// (last index and term 0); an append_entries is an empty heartbeat with prev (0, 0).
inline message message_of(kind k, term_t term, peer_id from) {
  switch (k) {
    case kind::request_vote: return vote_request(term, from);
    case kind::request_vote_reply: return vote_reply(term, false, from);
    case kind::append_entries: return heartbeat(term, from);
    case kind::append_entries_reply: return heartbeat_reply(term, false, from);
  }
  return heartbeat(term, from);
}

// ---------------------------------------------------------------------------------------
// Driving a node
// ---------------------------------------------------------------------------------------

/// A started follower.
inline driven_node started(node::options o, persistent_state s = {}) {
  driven_node d(std::move(o), std::move(s));
  d.start();
  REQUIRE(d.n.role() == role::follower);
  return d;
}

/// Makes a started node a candidate by firing its election timer.
inline effects make_candidate(driven_node& d) {
  auto fx = d.fire_election();
  REQUIRE(d.n.role() == role::candidate);
  return fx;
}

/// Makes a started node candidate, then leader with grants from the lowest other members.
/// Returns the effects of the step that won.
inline effects make_leader(driven_node& d) {
  make_candidate(d);
  effects fx;
  for (auto p : d.n.members()) {
    if (d.n.is_leader())
      break;
    if (p != d.n.self())
      fx = d.receive(vote_reply(d.n.current_term(), true, p));
  }
  REQUIRE(d.n.is_leader());
  return fx;
}

/// A started node of `members` in role `r`: a follower, a candidate after one election
/// timeout, or the leader of that term.
inline driven_node in_role(role r, node::options o, persistent_state s = {}) {
  auto d = started(std::move(o), std::move(s));
  if (r == role::candidate)
    make_candidate(d);
  else if (r == role::leader)
    make_leader(d);
  REQUIRE(d.n.role() == r);
  return d;
}

} // namespace raft_test

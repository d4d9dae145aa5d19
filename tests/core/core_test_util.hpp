#pragma once
/// Helpers shared by the rule tests of the Raft core: building nodes in a given state,
/// building messages, picking effects of one type out of a step's `effects`, and a driver
/// that checks the effect-ordering contract of core/effects.hpp after every step.

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

namespace raft_test {

using namespace raft;

// ---------------------------------------------------------------------------------------
// Picking effects out of a step's output
// ---------------------------------------------------------------------------------------

/// Every effect of type `T` in `fx`, in order.
template <class T>
std::vector<T> effects_of(const effects& fx) {
  std::vector<T> result;
  for (const auto& e : fx)
    if (const auto* x = std::get_if<T>(&e))
      result.push_back(*x);
  return result;
}

/// How many effects of type `T` are in `fx`.
template <class T>
std::size_t count_of(const effects& fx) {
  std::size_t n = 0;
  for (const auto& e : fx)
    if (std::holds_alternative<T>(e))
      ++n;
  return n;
}

/// Position of the first effect of type `T` in `fx`, if any.
template <class T>
std::optional<std::size_t> first_index_of(const effects& fx) {
  for (std::size_t i = 0; i < fx.size(); ++i)
    if (std::holds_alternative<T>(fx[i]))
      return i;
  return std::nullopt;
}

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

/// Describes how `fx` breaks the ordering contract of core/effects.hpp, or "" when it keeps
/// it: at most one persist, first; at most one role_changed, right after any persist.
inline std::string effect_order_problem(const effects& fx) {
  auto persists = count_of<persist>(fx);
  auto role_changes = count_of<role_changed>(fx);
  if (persists > 1)
    return "more than one persist in one step";
  if (persists == 1 && first_index_of<persist>(fx) != std::size_t{0})
    return "persist is not the first effect of the step";
  if (role_changes > 1)
    return "more than one role_changed in one step";
  if (role_changes == 1 && first_index_of<role_changed>(fx) != std::size_t{persists})
    return "role_changed does not come right after the persist (or first)";
  return "";
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

/// A node under test. Every step goes through `note`, which checks the effect-ordering
/// contract and remembers the generations of the newest election and heartbeat timers the
/// node asked for, so a test can fire "the timer that is running now" or an older one.
struct driven_node {
  node n;
  std::optional<std::uint64_t> election_gen;  ///< newest armed election timer
  std::optional<std::uint64_t> heartbeat_gen; ///< newest armed heartbeat timer

  explicit driven_node(node::options o, persistent_state s = {})
    : n(std::move(o), std::move(s)) {}

  effects start() { return note(n.start()); }
  effects receive(const message& m) { return note(n.receive(m)); }

  /// Fires the election timer of `generation`.
  effects fire_election(std::uint64_t generation) {
    return note(n.election_timer_fired(generation));
  }
  /// Fires the newest armed election timer.
  effects fire_election() {
    REQUIRE(election_gen);
    return fire_election(*election_gen);
  }
  /// Fires the heartbeat timer of `generation`.
  effects fire_heartbeat(std::uint64_t generation) {
    return note(n.heartbeat_timer_fired(generation));
  }
  /// Fires the newest armed heartbeat timer.
  effects fire_heartbeat() {
    REQUIRE(heartbeat_gen);
    return fire_heartbeat(*heartbeat_gen);
  }

  effects note(effects fx) {
    INFO("effects of one step must keep the ordering contract of core/effects.hpp");
    REQUIRE(effect_order_problem(fx) == "");
    for (const auto& t : effects_of<arm_election_timer>(fx))
      election_gen = t.generation;
    for (const auto& t : effects_of<arm_heartbeat_timer>(fx))
      heartbeat_gen = t.generation;
    // Whatever persist says must be what the node now holds.
    for (const auto& p : effects_of<persist>(fx)) {
      CHECK(p.current_term == n.current_term());
      CHECK(p.voted_for == n.voted_for());
    }
    return fx;
  }
};

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

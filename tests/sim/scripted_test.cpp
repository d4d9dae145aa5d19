/// Scripted scenarios in the simulator (sim/script.hpp): one situation at a time on a clean
/// network, over hundreds of seeds (each seed varies every timeout and message delay), with
/// every invariant checked as in random runs. Each test also runs the same script without
/// the rule under test and requires the harm it prevents to show up, so none of these
/// checks can pass vacuously.

#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/sim/report.hpp"

using namespace raft::sim;
using raft::role;

namespace {

constexpr vtime fault_at = seconds(2); // a leader is in office long before (clean network)
constexpr std::uint64_t seeds = 300;

run_options scripted(script s, bool pre_vote, bool check_quorum, std::size_t peers = 3,
                     unsigned core_bugs = raft::bug_none) {
  run_options o;
  o.peers = peers;
  o.features.pre_vote = pre_vote;
  o.features.check_quorum = check_quorum;
  o.features.retry_vote_requests = true;
  o.core_bugs = core_bugs;
  o.script = std::move(s);
  return o;
}

/// Runs `seed`; a violation of any invariant fails the test with a replayable report.
run_result run(std::uint64_t seed, const run_options& o) {
  auto r = run_seed(seed, o);
  if (!r.ok)
    FAIL(report(r, o));
  REQUIRE(r.script_targets.size() == o.script->actions.size());
  for (auto t : r.script_targets)
    REQUIRE(t != 0); // every action found its target
  return r;
}

std::vector<role_change> changes_between(const run_result& r, vtime from, vtime to) {
  std::vector<role_change> out;
  for (auto& c : r.role_changes)
    if (c.at >= from && c.at < to)
      out.push_back(c);
  return out;
}

/// The first role change of `peer` at or after `from` into `into`.
std::optional<role_change> first_change(const run_result& r, raft::peer_id peer, vtime from,
                                        role into) {
  for (auto& c : r.role_changes)
    if (c.peer == peer && c.at >= from && c.role == into)
      return c;
  return std::nullopt;
}

/// The first election of a leader other than `old` at or after `from`.
std::optional<role_change> new_leader(const run_result& r, raft::peer_id old, vtime from) {
  for (auto& c : r.role_changes)
    if (c.peer != old && c.at >= from && c.role == role::leader)
      return c;
  return std::nullopt;
}

/// The highest term any peer entered before `t`.
raft::term_t highest_term_before(const run_result& r, vtime t) {
  raft::term_t top = 0;
  for (auto& c : r.role_changes)
    if (c.at < t)
      top = std::max(top, c.term);
  return top;
}

/// The highest term `peer` entered in [from, to).
raft::term_t highest_term_of(const run_result& r, raft::peer_id peer, vtime from, vtime to) {
  raft::term_t top = 0;
  for (auto& c : r.role_changes)
    if (c.peer == peer && c.at >= from && c.at < to)
      top = std::max(top, c.term);
  return top;
}

vtime median(std::vector<vtime> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

} // namespace

TEST_CASE("in the simulation, a follower cut off for three seconds and back changes no term "
          "and no role anywhere (pre-vote)",
          "[sim][scripted][prevote]") {
  script s{{{fault_at, script_kind::isolate, script_target::follower}}, seconds(5)};
  for (std::size_t peers : {3u, 5u})
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
      auto r = run(seed, scripted(s, true, true, peers));
      INFO(peers << " peers, seed " << seed);
      CHECK(changes_between(r, fault_at, r.end + 1).empty());
    }
  // Without pre-vote the cut-off follower raises its term again and again and, back, deposes
  // the leader: the harm this rule prevents.
  std::size_t deposed = 0;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    auto r = run(seed, scripted(s, false, false));
    deposed += !changes_between(r, seconds(5), r.end + 1).empty();
  }
  CHECK(deposed >= seeds * 9 / 10);
}

TEST_CASE("in the simulation, an isolated leader steps down within the maximum election "
          "timeout and a heartbeat, and the others elect a new leader (check-quorum)",
          "[sim][scripted][checkquorum]") {
  script s{{{fault_at, script_kind::isolate, script_target::leader}}, seconds(6)};
  for (std::size_t peers : {3u, 5u})
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
      auto r = run(seed, scripted(s, true, true, peers));
      auto old = r.script_targets[0];
      INFO(peers << " peers, seed " << seed << ", isolated leader p" << old);
      auto down = first_change(r, old, fault_at, role::follower);
      REQUIRE(down);
      CHECK(down->at <= fault_at + ms(600) + ms(100));
      auto next = new_leader(r, old, fault_at);
      REQUIRE(next);
      CHECK(next->at < seconds(6));
    }
  // Without check-quorum the isolated leader claims leadership until the heal.
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    auto r = run(seed, scripted(s, true, false));
    auto down = first_change(r, r.script_targets[0], fault_at, role::follower);
    REQUIRE(down);
    CHECK(down->at >= seconds(6));
  }
}

TEST_CASE("in the simulation, losing the link between one follower and the leader changes no "
          "term and no role, although the follower is told its connection dropped",
          "[sim][scripted][prevote][fastpath]") {
  script s{{{fault_at, script_kind::cut_leader_link, script_target::follower}}, seconds(5)};
  for (std::size_t peers : {3u, 5u})
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
      auto r = run(seed, scripted(s, true, true, peers));
      INFO(peers << " peers, seed " << seed);
      CHECK(changes_between(r, fault_at, r.end + 1).empty());
    }
  // Without pre-vote the follower that lost its link stands for election and wins a term.
  std::size_t changed = 0;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    auto r = run(seed, scripted(s, false, false));
    changed += !changes_between(r, fault_at, r.end + 1).empty();
  }
  CHECK(changed >= seeds * 9 / 10);
}

TEST_CASE("in the simulation, after the leader crashes the crash fast path elects a new "
          "leader within 300 ms, median under 100 ms",
          "[sim][scripted][fastpath]") {
  script s{{{fault_at, script_kind::crash, script_target::leader}}, seconds(4)};
  for (std::size_t peers : {3u, 5u}) {
    std::vector<vtime> took;
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
      auto r = run(seed, scripted(s, true, true, peers));
      auto next = new_leader(r, r.script_targets[0], fault_at);
      INFO(peers << " peers, seed " << seed);
      REQUIRE(next);
      took.push_back(next->at - fault_at);
      CHECK(took.back() <= ms(300));
    }
    INFO(peers << " peers");
    CHECK(median(took) <= ms(100));
  }
  // Without the fast path (no pre-vote) the followers wait out an election timeout.
  std::vector<vtime> slow;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    auto r = run(seed, scripted(s, false, true));
    auto next = new_leader(r, r.script_targets[0], fault_at);
    REQUIRE(next);
    slow.push_back(next->at - fault_at);
  }
  CHECK(median(slow) >= ms(250));
}

TEST_CASE("in the simulation, a leader frozen for two seconds steps down at the first event "
          "after the thaw, before it sends anything, so two leaders never act at once",
          "[sim][scripted][checkquorum]") {
  constexpr vtime thaw = fault_at + seconds(2);
  script s{{{fault_at, script_kind::freeze, script_target::leader, seconds(2)}}, seconds(6)};
  for (std::size_t peers : {3u, 5u})
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
      auto r = run(seed, scripted(s, true, true, peers));
      auto old = r.script_targets[0];
      INFO(peers << " peers, seed " << seed << ", frozen leader p" << old);
      auto next = new_leader(r, old, fault_at);
      REQUIRE(next);
      CHECK(next->at < thaw); // the others did not wait for it
      auto down = first_change(r, old, fault_at, role::follower);
      REQUIRE(down);
      CHECK(down->at == thaw);            // its first step after the thaw...
      CHECK(r.stale_leader_sends == 0);   // ...before it sent anything as leader
    }
  // Without check-quorum the thawed leader acts as leader (its overdue heartbeats go out)
  // until a message with the higher term reaches it.
  std::size_t acted = 0;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    auto r = run(seed, scripted(s, true, false));
    acted += r.stale_leader_sends > 0;
  }
  CHECK(acted >= seeds * 9 / 10);
}

TEST_CASE("in the simulation, a candidate cut off during its election rejoins without raising "
          "the term, and the leader elected meanwhile keeps office (pre-vote on every candidacy)",
          "[sim][scripted][prevote]") {
  // The leader crashes, so a follower stands (on the crash fast path); it is cut off in the
  // very step it becomes candidate, its RequestVotes lost, and stays away for three seconds
  // while the others (a majority: 5 or 7 peers) elect a leader among themselves.
  constexpr vtime heal = seconds(5);
  script s{{{fault_at, script_kind::crash, script_target::leader},
            {fault_at, script_kind::isolate, script_target::candidate}},
           heal};
  for (std::size_t peers : {5u, 7u})
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
      auto r = run(seed, scripted(s, true, true, peers));
      auto old = r.script_targets[0], cut = r.script_targets[1];
      INFO(peers << " peers, seed " << seed << ", crashed leader p" << old << ", cut-off p"
                 << cut);
      auto stood = first_change(r, cut, fault_at, role::candidate);
      REQUIRE(stood);
      // Away, it went back to asking for pre-votes, never to a higher term.
      CHECK(highest_term_of(r, cut, stood->at, heal) == stood->term);
      // The others elected a leader meanwhile...
      auto next = new_leader(r, old, fault_at);
      REQUIRE(next);
      CHECK(next->peer != cut);
      CHECK(next->at < heal);
      // ...which keeps office after the heal: no peer enters a term above the highest before
      // the heal, and no role changes except the rejoining peer's following the leader.
      auto top = highest_term_before(r, heal);
      CHECK(stood->term <= top);
      for (auto& c : changes_between(r, heal, r.end + 1)) {
        CHECK(c.term <= top);
        CHECK((c.peer == cut || c.peer == old)); // the crashed leader restarts at the heal
        CHECK(c.role == role::follower);
      }
      CHECK(r.disruptive_depositions == 0);
    }
  // With a candidate whose election timeout raises its term at once (pre-vote only on a
  // follower's first candidacy), the cut-off candidate climbs a term per timeout and, back,
  // deposes the leader the others elected: the harm this rule prevents.
  std::size_t deposed = 0;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    auto r = run(seed, scripted(s, true, true, 5, raft::bug_candidate_skips_pre_vote));
    auto cut = r.script_targets[1];
    auto stood = first_change(r, cut, fault_at, role::candidate);
    REQUIRE(stood);
    INFO("seed " << seed);
    CHECK(highest_term_of(r, cut, stood->at, heal) > stood->term);
    deposed += r.disruptive_depositions > 0;
  }
  CHECK(deposed >= seeds * 9 / 10);
}

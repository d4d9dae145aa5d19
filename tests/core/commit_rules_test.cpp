/// Figure 2's commitment and application rules: Leaders, "If there exists an N such that
/// N > commitIndex, a majority of matchIndex[i] ≥ N, and log[N].term == currentTerm: set
/// commitIndex = N (§5.3, §5.4)"; §5.4.2's restriction (Figure 8); Rules for All Servers,
/// "If commitIndex > lastApplied: increment lastApplied, apply log[lastApplied] to state
/// machine (§5.3)"; and the invariants of Figure 3 about the log: Leader Append-Only, a commit
/// index that never decreases, nothing committed ever truncated.

#include <catch2/catch.hpp>

#include "tests/core/log_test_util.hpp"

using namespace raft_test;

namespace {

/// The entries `fx` applies, as one list, checking that the apply effects follow each other.
std::vector<log_entry> applied_in(const effects& fx, log_index first) {
  std::vector<log_entry> out;
  for (const auto& a : effects_of<apply>(fx)) {
    CHECK(a.first == first + out.size());
    out.insert(out.end(), a.entries.begin(), a.entries.end());
  }
  return out;
}

} // namespace

/// Figure 2, Leaders (§5.3, §5.4).
TEST_CASE("leaders: if there exists an N such that N > commitIndex, a majority of "
          "matchIndex[i] ≥ N, and log[N].term == currentTerm, set commitIndex = N",
          "[rules][leader][commit]") {
  // Leader 1 of five, term 1, with three entries it holds durably.
  auto d = elected(options_for(1, cluster_of(5)));
  for (peer_id p : {2, 3, 4, 5})
    caught_up(d, p);
  d.propose("a");
  d.propose("b");
  d.propose("c");
  d.log_synced();
  REQUIRE(d.n.commit_index() == 0);

  struct ack {
    peer_id from;
    log_index match;
    log_index commit; ///< the commit index after it: the highest N a majority holds
  };
  // matchIndex of 1 and 2..5 after each acknowledgement, and the N three of them reach.
  for (auto a : {ack{2, 3, 0},   // 3 3 0 0 0
                 ack{3, 1, 1},   // 3 3 1 0 0
                 ack{4, 2, 2},   // 3 3 1 2 0
                 ack{3, 2, 2},   // 3 3 2 2 0: N = 3 is held by two only
                 ack{5, 3, 3}}) { // 3 3 2 2 3
    CAPTURE(a.from, a.match);
    auto before = d.n.commit_index();
    auto& fx = d.receive(accepted(1, a.from, a.match));
    CHECK(d.n.commit_index() == a.commit);
    // Committing is what applies: exactly the newly committed entries, in order.
    CHECK(applied_in(fx, before + 1) == slice_of(d.n.log().entries(), before + 1, a.commit));
  }
  // The followers learn it from the next AppendEntries (leaderCommit).
  for (const auto& [to, ae] : sent<append_entries>(d.fire_heartbeat())) {
    CAPTURE(to);
    CHECK(ae.leader_commit == 3);
  }
}

/// §5.4.2 and Figure 8: "Raft never commits log entries from previous terms by counting
/// replicas. Only log entries from the leader's current term are committed by counting
/// replicas; once an entry from the current term has been committed in this way, then all
/// prior entries are committed indirectly because of the Log Matching Property."
TEST_CASE("a leader never commits an entry of an earlier term by counting replicas, only "
          "together with an entry of its own term (§5.4.2, Figure 8)",
          "[rules][leader][commit][figure8]") {
  // Figure 8 (c): S1 leads term 4 and holds entry 2 of term 2, from its own term-2 leadership.
  auto run = [](unsigned bugs) {
    auto d = elected(options_for(1, cluster_of(5), 1, bugs),
                     restored(3, std::nullopt, log_with_terms({1, 2})));
    REQUIRE(d.n.current_term() == 4);
    d.receive(accepted(4, 2, 2));
    d.receive(accepted(4, 3, 2)); // entry 2 is now on S1, S2 and S3: a majority
    return d;
  };
  SECTION("a correct leader") {
    auto d = run(bug_none);
    CHECK(d.n.commit_index() == 0);
    CHECK(d.n.last_applied() == 0);
    CHECK(count_of<apply>(d.last) == 0);
    // Entry 3 of term 4 on a majority commits it, and entry 2 with it.
    d.propose("x");
    d.log_synced();
    d.receive(accepted(4, 2, 3));
    CHECK(d.n.commit_index() == 0); // 3 is on S1 and S2 only
    auto& fx = d.receive(accepted(4, 3, 3));
    CHECK(d.n.commit_index() == 3);
    CHECK(the_only<apply>(fx).first == 1);
    CHECK(the_only<apply>(fx).entries ==
          std::vector<log_entry>{entry(1, "c1"), entry(2, "c2"), entry(4, "x")});
  }
  SECTION("the injected bug commit_previous_term commits entry 2 by counting replicas") {
    auto d = run(bug_commit_previous_term);
    CHECK(d.n.commit_index() == 2);
    CHECK(the_only<apply>(d.last).entries == log_with_terms({1, 2}));
  }
}

/// Figure 2, Rules for All Servers (§5.3).
TEST_CASE("all servers: if commitIndex > lastApplied, increment lastApplied and apply "
          "log[lastApplied] to state machine, in index order and each entry exactly once",
          "[rules][apply]") {
  auto d = started(options_for(1, cluster_of(3)));
  auto log = log_with_terms({1, 1, 1, 1, 1});
  d.receive(append(1, 2, 0, 0, log));
  d.log_synced();
  REQUIRE(d.n.last_applied() == 0);

  auto& first = d.receive(heartbeat(1, 2, 5, 1, 2));
  CHECK(the_only<apply>(first).first == 1);
  CHECK(the_only<apply>(first).entries == slice_of(log, 1, 2));
  CHECK(d.n.last_applied() == 2);

  CHECK(count_of<apply>(d.receive(heartbeat(1, 2, 5, 1, 2))) == 0); // nothing new
  CHECK(count_of<apply>(d.receive(heartbeat(1, 2, 5, 1, 1))) == 0); // a smaller leaderCommit

  auto& rest = d.receive(heartbeat(1, 2, 5, 1, 5));
  CHECK(the_only<apply>(rest).first == 3);
  CHECK(the_only<apply>(rest).entries == slice_of(log, 3, 5));
  CHECK(d.n.last_applied() == 5);
  CHECK(count_of<apply>(d.receive(heartbeat(1, 2, 5, 1, 5))) == 0);
}

/// core/effects.hpp, apply: "Only entries that are committed and durable here are applied":
/// a crash must not take back an entry this peer's service already acted on.
TEST_CASE("all servers: an entry is applied only once it is both committed and on this "
          "server's stable storage",
          "[rules][apply][durability]") {
  SECTION("a follower that learns the commit before its log is synced") {
    auto d = started(options_for(1, cluster_of(3)));
    auto& fx = d.receive(append(1, 2, 0, 0, log_with_terms({1, 1}), 2));
    CHECK(d.n.commit_index() == 2);
    CHECK(count_of<apply>(fx) == 0);
    CHECK(d.n.last_applied() == 0);
    auto& synced = d.log_synced();
    CHECK(the_only<apply>(synced).first == 1);
    CHECK(the_only<apply>(synced).entries == log_with_terms({1, 1}));
    CHECK(d.n.last_applied() == 2);
  }
  SECTION("a leader whose followers acknowledged before its own log was synced") {
    auto d = elected(options_for(1, cluster_of(3)));
    caught_up(d, 2);
    caught_up(d, 3);
    d.propose("x");
    d.receive(accepted(1, 2, 1));
    auto& fx = d.receive(accepted(1, 3, 1));
    CHECK(d.n.commit_index() == 1); // on a majority: followers 2 and 3
    CHECK(count_of<apply>(fx) == 0);
    auto& synced = d.log_synced();
    CHECK(the_only<apply>(synced).entries == std::vector<log_entry>{entry(1, "x")});
  }
}

// ---------------------------------------------------------------------------------------
// Invariants (Figure 3)
// ---------------------------------------------------------------------------------------

/// Figure 3, Leader Append-Only: "a leader never overwrites or deletes entries in its log; it
/// only appends new entries" (§5.3).
TEST_CASE("Leader Append-Only: a leader never overwrites or deletes entries in its log, "
          "whatever it receives (§5.3)",
          "[rules][leader][invariants]") {
  auto d = elected(options_for(1, cluster_of(3)), restored(2, std::nullopt, log_with_terms({1, 1, 2})));
  caught_up(d, 2);
  d.propose("x");
  std::vector<message> inputs{
    append(3, 2, 1, 1, {entry(3, "rival")}, 3),    // a second leader of its term
    install_snapshot{3, 3, 3, 1, 0, "s", true},    // and a snapshot from one
    refused(3, 3, 3, 2, 3),                        // fast backup
    refused(3, 2, 2, 1, 1),                        // a stale refusal
    accepted(3, 2, 9),                             // a match beyond its log
    append(2, 2, 0, 0, {entry(2, "old")}, 3),      // a deposed leader
  };
  auto before = d.n.log().entries();
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    CAPTURE(i);
    auto& fx = d.receive(inputs[i]);
    REQUIRE(d.n.is_leader());
    for (const auto& w : effects_of<write_log>(fx))
      CHECK_FALSE(w.truncate_from);
    auto now = d.n.log().entries();
    REQUIRE(now.size() >= before.size());
    CHECK(std::vector<log_entry>(now.begin(), now.begin() + static_cast<std::ptrdiff_t>(before.size())) == before);
    before = now;
    d.propose("y" + std::to_string(i));
  }
}

/// Figure 2: commitIndex "increases monotonically".
TEST_CASE("the commit index never decreases: not for a smaller leaderCommit, a new leader "
          "that knows less, a snapshot of committed entries, or winning an election",
          "[rules][commit][invariants]") {
  auto d = started(options_for(1, cluster_of(3)), restored(1, std::nullopt, log_with_terms({1, 1, 1})));
  d.receive(heartbeat(1, 2, 3, 1, 3));
  REQUIRE(d.n.commit_index() == 3);
  d.receive(heartbeat(1, 2, 3, 1, 1));
  CHECK(d.n.commit_index() == 3);
  d.receive(heartbeat(2, 3, 3, 1, 0)); // the leader of term 2 has not learnt it yet
  CHECK(d.n.commit_index() == 3);
  d.receive(install_snapshot{2, 3, 2, 1, 0, "s2", true});
  CHECK(d.n.commit_index() == 3);
  // Elected in term 3, it keeps its commit index and tells the followers at once.
  auto won = make_leader(d);
  CHECK(d.n.commit_index() == 3);
  for (const auto& [to, ae] : sent<append_entries>(won)) {
    CAPTURE(to);
    CHECK(ae.leader_commit == 3);
  }
}

/// Figure 3, State Machine Safety (§5.4.3): a committed entry is never removed. A leader of
/// the current term holds every committed entry (Leader Completeness), so an AppendEntries
/// that would cut one can only come from a broken peer: the core stops (fail-stop) rather
/// than take back an entry the service may have acted on.
TEST_CASE("nothing committed is ever truncated: an AppendEntries that would delete a "
          "committed entry is an invariant_violation (§5.4.3)",
          "[rules][append][invariants]") {
  auto d = started(options_for(1, cluster_of(3)), restored(1, std::nullopt, log_with_terms({1, 1, 1})));
  d.receive(heartbeat(1, 2, 3, 1, 2));
  REQUIRE(d.n.commit_index() == 2);
  SECTION("an entry after the commit index conflicts: it goes") {
    auto& fx = d.receive(append(2, 3, 2, 1, {entry(2, "y")}));
    CHECK(the_only<write_log>(fx).truncate_from == log_index{3});
    CHECK(d.n.log().at(3) == entry(2, "y"));
  }
  SECTION("a committed entry conflicts") {
    CHECK_THROWS_AS(d.receive(append(2, 3, 1, 1, {entry(2, "y")})), invariant_violation);
  }
}

/// Figure 2, "AppendEntries RPC — Receiver implementation" steps 2–5 for AppendEntries that
/// carry entries, the conflict hint a refusal carries (fast backup, §5.3), and the Leaders
/// rules that move the log: "If command received from client: append entry to local log",
/// "If last log index ≥ nextIndex for a follower: send AppendEntries RPC with log entries
/// starting at nextIndex", "If successful: update nextIndex and matchIndex for follower",
/// "If AppendEntries fails because of log inconsistency: decrement nextIndex and retry".
/// Figure 2 exactly (options{}): no pre-vote, no check-quorum.

#include <catch2/catch.hpp>

#include "tests/core/log_test_util.hpp"

using namespace raft_test;

namespace {

/// A probe of the follower's log and the hint its refusal must carry.
struct probe {
  log_index prev_index;
  term_t prev_term;
  term_t conflict_term;
  log_index conflict_index;
};

/// Follower 1 of three at term 3 whose log holds terms 1, 1, 2, 2, 2: entries 3–5 came from a
/// leader of term 2 that was deposed before they were committed.
driven_node follower_with_stale_tail(unsigned bugs = bug_none) {
  return started(options_for(1, cluster_of(3), 1, bugs),
                 restored(3, std::nullopt, log_with_terms({1, 1, 2, 2, 2})));
}

/// The log a store holds after carrying out `w` on `log`, which starts after a snapshot
/// through `snapshot_index` (storage/log_store.hpp: truncate_suffix, then append).
void carry_out(std::vector<log_entry>& log, log_index snapshot_index, const write_log& w) {
  if (w.truncate_from) {
    REQUIRE(*w.truncate_from > snapshot_index);
    log.resize(std::min<std::size_t>(log.size(), *w.truncate_from - 1 - snapshot_index));
  }
  if (!w.entries.empty()) {
    REQUIRE(w.first == snapshot_index + log.size() + 1);
    log.insert(log.end(), w.entries.begin(), w.entries.end());
  }
}

} // namespace

// ---------------------------------------------------------------------------------------
// AppendEntries receiver, with entries
// ---------------------------------------------------------------------------------------

/// Figure 2, AppendEntries receiver, step 2 (§5.3).
TEST_CASE("AppendEntries receiver: reply false if log doesn't contain an entry at prevLogIndex "
          "whose term matches prevLogTerm, and store none of the entries it carries (§5.3)",
          "[rules][append][log]") {
  auto d = follower_with_stale_tail();
  d.receive(heartbeat(3, 2, 0, 0));
  auto before = d.n.log();
  SECTION("its entry at prevLogIndex has another term") {
    auto& fx = d.receive(append(3, 2, 5, 3, {entry(3, "x")}, 6));
    CHECK(the_only_sent<append_entries_reply>(fx, 2) == refused(3, 1, 5, 2, 3));
  }
  SECTION("it holds no entry at prevLogIndex") {
    auto& fx = d.receive(append(3, 2, 7, 3, {entry(3, "x")}, 8));
    CHECK(the_only_sent<append_entries_reply>(fx, 2) == refused(3, 1, 7, 0, 6));
  }
  CHECK(count_of<write_log>(d.last) == 0);
  CHECK(count_of<apply>(d.last) == 0);
  CHECK(d.n.log() == before);
  CHECK(d.n.commit_index() == 0); // leaderCommit is not believed either
}

/// The same message as above at a follower with the injected bug: it stores the entries,
/// which the test above would see.
TEST_CASE("a follower with the injected bug skip_prev_log_check stores entries after a "
          "prevLogIndex whose term does not match (Figure 2, AppendEntries step 2 broken)",
          "[bugs][append][log]") {
  auto d = follower_with_stale_tail(bug_skip_prev_log_check);
  auto& fx = d.receive(append(3, 2, 5, 3, {entry(3, "x")}, 6));
  CHECK(count_of<write_log>(fx) == 1);
  CHECK(d.n.log().last_index() == 6);
}

/// Figure 2, AppendEntries receiver, step 3 (§5.3).
TEST_CASE("AppendEntries receiver: if an existing entry conflicts with a new one (same index "
          "but different terms), delete the existing entry and all that follow it (§5.3)",
          "[rules][append][log]") {
  auto d = follower_with_stale_tail();
  SECTION("the first entry of the message conflicts") {
    auto& fx = d.receive(append(3, 2, 2, 1, {entry(3, "a")}));
    auto w = the_only<write_log>(fx);
    CHECK(w.truncate_from == log_index{3});
    CHECK(w.first == 3);
    CHECK(w.entries == std::vector<log_entry>{entry(3, "a")});
    CHECK(d.n.log().entries() ==
          std::vector<log_entry>{entry(1, "c1"), entry(1, "c2"), entry(3, "a")});
  }
  SECTION("entries the log already holds come first, then a conflicting one") {
    // Entries 2 and 3 are the follower's own; entry 4 differs, so 4 and 5 go.
    auto& fx = d.receive(append(3, 2, 1, 1, {entry(1, "c2"), entry(2, "c3"), entry(3, "a")}));
    auto w = the_only<write_log>(fx);
    CHECK(w.truncate_from == log_index{4});
    CHECK(w.first == 4);
    CHECK(w.entries == std::vector<log_entry>{entry(3, "a")});
    CHECK(d.n.log().entries() == std::vector<log_entry>{entry(1, "c1"), entry(1, "c2"),
                                                        entry(2, "c3"), entry(3, "a")});
  }
  // What was cut is no longer durable, and the new entry is not durable yet.
  CHECK(d.n.durable_index() == d.n.log().last_index() - 1);
}

/// With the injected bug a follower keeps its conflicting entries and still reports success.
TEST_CASE("a follower with the injected bug no_truncate_on_conflict keeps a conflicting entry "
          "and reports success (Figure 2, AppendEntries step 3 broken)",
          "[bugs][append][log]") {
  auto d = follower_with_stale_tail(bug_no_truncate_on_conflict);
  auto& fx = d.receive(append(3, 2, 2, 1, {entry(3, "a")}));
  CHECK(count_of<write_log>(fx) == 0);
  CHECK(d.n.log().term_at(3) == term_t{2});
  CHECK(the_only_sent<append_entries_reply>(fx, 2).success);
}

/// Figure 2, AppendEntries receiver, step 4 (§5.3).
TEST_CASE("AppendEntries receiver: append any new entries not already in the log (§5.3)",
          "[rules][append][log]") {
  auto d = started(options_for(1, cluster_of(3)), restored(1, std::nullopt, log_with_terms({1, 1})));
  SECTION("the log holds the first of them") {
    auto& fx = d.receive(append(1, 2, 1, 1, {entry(1, "c2"), entry(1, "c3"), entry(1, "c4")}));
    auto w = the_only<write_log>(fx);
    CHECK_FALSE(w.truncate_from);
    CHECK(w.first == 3);
    CHECK(w.entries == std::vector<log_entry>{entry(1, "c3"), entry(1, "c4")});
    CHECK(d.n.log().last_index() == 4);
  }
  SECTION("the log holds all of them: nothing is written") {
    auto& fx = d.receive(append(1, 2, 0, 0, log_with_terms({1, 1})));
    CHECK(count_of<write_log>(fx) == 0);
    CHECK(d.n.log().last_index() == 2);
    // They are durable already: the success reply goes at once.
    CHECK(the_only_sent<append_entries_reply>(fx, 2) == accepted(1, 1, 2));
  }
}

/// Figure 2, AppendEntries receiver, step 5.
TEST_CASE("AppendEntries receiver: if leaderCommit > commitIndex, set commitIndex = "
          "min(leaderCommit, index of last new entry)",
          "[rules][append][commit]") {
  SECTION("leaderCommit beyond the entries received") {
    auto d = started(options_for(1, cluster_of(3)));
    d.receive(append(1, 2, 0, 0, log_with_terms({1, 1, 1}), 10));
    CHECK(d.n.commit_index() == 3);
  }
  SECTION("leaderCommit within them") {
    auto d = started(options_for(1, cluster_of(3)));
    d.receive(append(1, 2, 0, 0, log_with_terms({1, 1, 1}), 2));
    CHECK(d.n.commit_index() == 2);
  }
  SECTION("entries after the last new one are not committed, even where the log holds them") {
    // Entries 3–5 of term 2 are stale; the leader's message verifies the log only up to 3.
    auto d = follower_with_stale_tail();
    d.receive(append(3, 2, 1, 1, {entry(1, "c2"), entry(3, "a")}, 5));
    CHECK(d.n.commit_index() == 3);
    // A heartbeat verifies up to its prevLogIndex only.
    auto e = follower_with_stale_tail();
    e.receive(heartbeat(3, 2, 2, 1, 5));
    CHECK(e.n.commit_index() == 2);
  }
  SECTION("a late message with fewer entries commits no further than its last one") {
    auto d = started(options_for(1, cluster_of(3)), restored(1, std::nullopt, log_with_terms({1, 1, 1, 1, 1})));
    d.receive(append(1, 2, 1, 1, {entry(1, "c2")}, 5));
    CHECK(d.n.commit_index() == 2);
  }
}

/// §5.3, Log Matching: entries that match the leader's log are never removed, so a message
/// overtaken by a newer one, or delivered twice, leaves the log as it is.
TEST_CASE("AppendEntries receiver: a late or duplicated AppendEntries never removes entries a "
          "newer one added (§5.3)",
          "[rules][append][log]") {
  auto d = started(options_for(1, cluster_of(3)));
  d.receive(append(1, 2, 0, 0, log_with_terms({1, 1, 1})));
  d.log_synced();
  auto before = d.n.log();
  SECTION("a late message carrying a prefix") {
    auto& fx = d.receive(append(1, 2, 0, 0, log_with_terms({1})));
    CHECK(count_of<write_log>(fx) == 0);
    CHECK(d.n.log() == before);
    CHECK(the_only_sent<append_entries_reply>(fx, 2) == accepted(1, 1, 1));
  }
  SECTION("the same message again") {
    auto& fx = d.receive(append(1, 2, 0, 0, log_with_terms({1, 1, 1})));
    CHECK(count_of<write_log>(fx) == 0);
    CHECK(d.n.log() == before);
    CHECK(the_only_sent<append_entries_reply>(fx, 2) == accepted(1, 1, 3));
  }
  SECTION("a late heartbeat") {
    auto& fx = d.receive(heartbeat(1, 2, 0, 0));
    CHECK(count_of<write_log>(fx) == 0);
    CHECK(d.n.log() == before);
  }
}

/// §7: entries at or before the snapshot's last included index are committed, so they match
/// the leader's; the receiver skips them and stores only what follows.
TEST_CASE("AppendEntries receiver: entries a snapshot already covers are skipped, and only "
          "the entries after the log's end are appended (§7)",
          "[rules][append][log][snapshot]") {
  // A snapshot through index 5 (term 1), then entries 6 and 7 of term 1; term 2.
  auto d = started(options_for(1, cluster_of(3)),
                   restored_with_snapshot(2, 5, 1, "s5", {entry(1, "c6"), entry(1, "c7")}));
  SECTION("a message that starts inside the snapshot") {
    auto& fx = d.receive(append(2, 2, 3, 1,
                                {entry(1, "c4"), entry(1, "c5"), entry(1, "c6"), entry(1, "c7"),
                                 entry(2, "c8")}));
    auto w = the_only<write_log>(fx);
    CHECK_FALSE(w.truncate_from);
    CHECK(w.first == 8);
    CHECK(w.entries == std::vector<log_entry>{entry(2, "c8")});
    CHECK(d.n.log().snapshot_index() == 5);
    CHECK(d.n.log().last_index() == 8);
    CHECK(sent<append_entries_reply>(fx).empty()); // entry 8 is not durable yet
    CHECK(the_only_sent<append_entries_reply>(d.log_synced(), 2) == accepted(2, 1, 8));
  }
  SECTION("a message that ends inside the snapshot") {
    auto& fx = d.receive(append(2, 2, 1, 1, {entry(1, "c2"), entry(1, "c3")}));
    CHECK(count_of<write_log>(fx) == 0);
    CHECK(d.n.log().last_index() == 7);
    CHECK(the_only_sent<append_entries_reply>(fx, 2) == accepted(2, 1, 3));
  }
  SECTION("a heartbeat whose prevLogIndex the snapshot covers") {
    auto& fx = d.receive(heartbeat(2, 2, 2, 1));
    CHECK(the_only_sent<append_entries_reply>(fx, 2) == accepted(2, 1, 2));
  }
}

/// Figure 2: log[] is persistent state. The write_log effects must describe every change, so
/// that a store carrying them out holds exactly the node's log.
TEST_CASE("the write_log effects say exactly what changed: a store that cuts at truncate_from "
          "and appends the entries at first holds the node's log after every step (Figure 2, "
          "persistent state)",
          "[rules][append][log][persist]") {
  auto d = follower_with_stale_tail();
  auto mirror = d.n.log().entries();
  struct step {
    append_entries m;
    std::optional<log_index> truncate_from; ///< what the write_log must say (no write: first 0)
    log_index first;
    std::size_t count;
  };
  std::vector<step> steps{
    {append(3, 2, 2, 1, {entry(3, "a")}), 3, 3, 1},                     // conflict at 3
    {append(3, 2, 3, 3, {entry(3, "b"), entry(3, "c")}), std::nullopt, 4, 2}, // new entries
    {append(3, 2, 2, 1, {entry(3, "a"), entry(3, "b")}), std::nullopt, 0, 0}, // late
    {append(3, 2, 0, 0,
            {entry(1, "c1"), entry(1, "c2"), entry(3, "a"), entry(3, "b"), entry(3, "c"),
             entry(3, "d")}),
     std::nullopt, 6, 1},                                                    // one new
    {append(3, 2, 6, 3, {}), std::nullopt, 0, 0},                            // heartbeat
  };
  for (std::size_t i = 0; i < steps.size(); ++i) {
    CAPTURE(i);
    auto& fx = d.receive(steps[i].m);
    auto writes = effects_of<write_log>(fx);
    if (steps[i].first == 0) {
      CHECK(writes.empty());
    } else {
      REQUIRE(writes.size() == 1);
      CHECK(writes[0].truncate_from == steps[i].truncate_from);
      CHECK(writes[0].first == steps[i].first);
      CHECK(writes[0].entries.size() == steps[i].count);
    }
    for (const auto& w : writes)
      carry_out(mirror, d.n.log().snapshot_index(), w);
    CHECK(mirror == d.n.log().entries());
  }
  CHECK(d.n.log().entries() == std::vector<log_entry>{entry(1, "c1"), entry(1, "c2"),
                                                      entry(3, "a"), entry(3, "b"),
                                                      entry(3, "c"), entry(3, "d")});
}

// ---------------------------------------------------------------------------------------
// Conflict hints (fast backup, §5.3)
// ---------------------------------------------------------------------------------------

/// §5.3: "when rejecting an AppendEntries request, the follower can include the term of the
/// conflicting entry and the first index it stores for that term".
TEST_CASE("AppendEntries receiver: a refusal carries the term of the conflicting entry and the "
          "first index the follower stores for that term, or its last index + 1 when its log "
          "is shorter (§5.3)",
          "[rules][append][fast-backup]") {
  // Terms 1, 1, 2, 2, 2, 4, 4 at term 5.
  auto d = started(options_for(1, cluster_of(3)),
                   restored(5, std::nullopt, log_with_terms({1, 1, 2, 2, 2, 4, 4})));
  auto p = GENERATE(probe{7, 5, 4, 6}, probe{6, 5, 4, 6}, probe{5, 3, 2, 3}, probe{4, 1, 2, 3},
                    probe{3, 3, 2, 3}, probe{2, 2, 1, 1}, probe{8, 5, 0, 8}, probe{20, 5, 0, 8});
  CAPTURE(p.prev_index, p.prev_term);
  auto before = d.n.log();
  auto& fx = d.receive(append(5, 2, p.prev_index, p.prev_term, {entry(5, "x")}));
  CHECK(the_only_sent<append_entries_reply>(fx, 2) ==
        refused(5, 1, p.prev_index, p.conflict_term, p.conflict_index));
  CHECK(d.n.log() == before);
}

/// §5.3 fast backup with §7: the entries before the snapshot are gone, so the first index of
/// the conflicting term the follower can name is its log's first.
TEST_CASE("AppendEntries receiver: after a snapshot, the first index of the conflicting term "
          "in a refusal is never below the first index the log holds (§5.3, §7)",
          "[rules][append][fast-backup][snapshot]") {
  // A snapshot through 3 (term 2), then entries 4 and 5 of term 2 and 6 of term 4.
  auto d = started(options_for(1, cluster_of(3)),
                   restored_with_snapshot(5, 3, 2, "s3",
                                          {entry(2, "c4"), entry(2, "c5"), entry(4, "c6")}));
  auto p = GENERATE(probe{5, 3, 2, 4}, probe{6, 5, 4, 6}, probe{9, 5, 0, 7});
  CAPTURE(p.prev_index, p.prev_term);
  auto& fx = d.receive(append(5, 2, p.prev_index, p.prev_term, {entry(5, "x")}));
  CHECK(the_only_sent<append_entries_reply>(fx, 2) ==
        refused(5, 1, p.prev_index, p.conflict_term, p.conflict_index));
}

namespace {

/// The leader's log of Figure 7: terms 1, 1, 1, 4, 4, 5, 5, 6, 6, 6.
std::vector<log_entry> figure7_leader_log() {
  return log_with_terms({1, 1, 1, 4, 4, 5, 5, 6, 6, 6});
}

} // namespace

/// §5.3: "the leader can decrement nextIndex to bypass all of the conflicting entries in that
/// term; one AppendEntries RPC will be required for each term with conflicting entries".
TEST_CASE("leaders: a refusal moves nextIndex past the whole conflicting term, to just after "
          "the leader's last entry of conflictTerm if it holds that term, else to "
          "conflictIndex, and the retry starts there (§5.3)",
          "[rules][leader][fast-backup]") {
  // Leader 1 of term 8 with Figure 7's log; its first heartbeat went with prev (10, 6).
  auto log = figure7_leader_log();
  auto d = elected(options_for(1, cluster_of(3)), restored(7, std::nullopt, log));
  REQUIRE(d.n.current_term() == 8);
  struct hint {
    term_t conflict_term;
    log_index conflict_index;
    log_index next; ///< where the leader must try next
  };
  auto h = GENERATE(hint{4, 4, 6},  // holds term 4: after its last entry of term 4 (index 5)
                    hint{5, 6, 8},  // holds term 5: after its last entry of term 5 (index 7)
                    hint{3, 7, 7},  // does not hold term 3: the follower's first index of it
                    hint{2, 4, 4},  // does not hold term 2
                    hint{0, 5, 5}); // the follower's log ends at 4
  CAPTURE(h.conflict_term, h.conflict_index);
  auto& fx = d.receive(refused(8, 2, 10, h.conflict_term, h.conflict_index));
  CHECK(d.n.progress_of(2)->next_index() == h.next);
  CHECK(no_round(the_only_sent<append_entries>(fx, 2)) ==
        append_entries{8, 1, h.next - 1, log[h.next - 2].term, slice_of(log, h.next, 10), 0});
}

/// §5.3 and Figure 7: with the conflict hint, each follower of Figure 7 is repaired in at most
/// three round trips (a plain decrement of nextIndex needs up to eight for follower (f)).
TEST_CASE("a divergent log is repaired in one round trip per conflicting term, not one per "
          "entry: the followers of Figure 7 (§5.3)",
          "[rules][leader][fast-backup]") {
  struct follower_log {
    const char* name;
    std::vector<term_t> terms;
    int round_trips; ///< until its log equals the leader's, entry 11 included
  };
  auto f = GENERATE(follower_log{"a", {1, 1, 1, 4, 4, 5, 5, 6, 6}, 2},
                    follower_log{"b", {1, 1, 1, 4}, 2},
                    follower_log{"c", {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6}, 2},
                    follower_log{"d", {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7}, 2},
                    follower_log{"e", {1, 1, 1, 4, 4, 4, 4}, 3},
                    follower_log{"f", {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3}, 3});
  CAPTURE(f.name);
  auto leader = elected(options_for(1, cluster_of(3)), restored(7, std::nullopt, figure7_leader_log()));
  auto to_follower = leader.last; // the first heartbeats
  // A client's command arrives while the leader still probes: it becomes entry 11 (term 8).
  CHECK(count_of<send>(leader.propose("x")) == 0);
  auto follower = started(options_for(2, cluster_of(3)),
                          restored(f.terms.back(), std::nullopt, log_with_terms(f.terms)));
  int rounds = 0;
  while (!(follower.n.log() == leader.n.log() && leader.n.progress_of(2)->match_index() == 11)) {
    REQUIRE(rounds < 20);
    to_follower = round_trip(leader, follower, to_follower);
    ++rounds;
  }
  CHECK(rounds == f.round_trips);
}

/// §5.3: "one AppendEntries RPC will be required for each term with conflicting entries,
/// rather than one RPC per entry": two terms of a thousand entries each cost one refusal.
TEST_CASE("a log thousands of entries long that diverges from the leader's after index 3 is "
          "repaired in two round trips (§5.3)",
          "[rules][leader][fast-backup]") {
  // The leader of term 5 holds 3 entries of term 1 and 1000 of term 4; the follower holds
  // the same 3, then 1000 of term 2 and 1000 of term 3 that were never committed.
  std::vector<term_t> leader_terms(3, 1), follower_terms(3, 1);
  leader_terms.insert(leader_terms.end(), 1000, 4);
  follower_terms.insert(follower_terms.end(), 1000, 2);
  follower_terms.insert(follower_terms.end(), 1000, 3);
  auto leader = elected(options_for(1, cluster_of(3)), restored(4, std::nullopt, log_with_terms(leader_terms)));
  auto follower = started(options_for(2, cluster_of(3)),
                          restored(3, std::nullopt, log_with_terms(follower_terms)));
  auto fx = round_trip(leader, follower, leader.last);
  // The follower's entry 1003 has term 2, first held at 4: the leader holds no term 2.
  CHECK(leader.n.progress_of(2)->next_index() == 4);
  fx = round_trip(leader, follower, fx);
  CHECK(follower.n.log() == leader.n.log());
  CHECK(leader.n.progress_of(2)->match_index() == 1003);
}

// ---------------------------------------------------------------------------------------
// Leaders
// ---------------------------------------------------------------------------------------

/// Figure 2, Leaders: "If command received from client: append entry to local log, respond
/// after entry applied to state machine (§5.3)"; the course's Start() answer.
TEST_CASE("leaders: if command received from client, append entry to local log, answering its "
          "index, the term and that this node is leader, and send it to the followers at once",
          "[rules][leader][propose]") {
  auto d = elected(options_for(1, cluster_of(3)), restored(2, std::nullopt, log_with_terms({1, 2})));
  caught_up(d, 2);
  caught_up(d, 3);
  auto& fx = d.propose("x");
  CHECK(d.proposed.index == 3);
  CHECK(d.proposed.term == 3);
  CHECK(d.proposed.is_leader);
  auto w = the_only<write_log>(fx);
  CHECK_FALSE(w.truncate_from);
  CHECK(w.first == 3);
  CHECK(w.entries == std::vector<log_entry>{entry(3, "x")});
  CHECK(d.n.log().last_index() == 3);
  CHECK(d.n.log().at(3) == entry(3, "x"));
  for (peer_id p : {2, 3}) {
    CAPTURE(p);
    CHECK(appends_to(fx, p) == std::vector<append_entries>{append(3, 1, 2, 2, {entry(3, "x")})});
  }
  CHECK(fx.size() == 3); // the write and the two messages; nothing is committed yet
  CHECK(d.n.commit_index() == 0);
}

/// Figure 2: only leaders take commands from clients (Leaders; §5.1: "The leader handles all
/// client requests"); the course's Start() answers isLeader false elsewhere.
TEST_CASE("a follower or a candidate given a command appends nothing and answers that it is "
          "not leader (Figure 2, Leaders)",
          "[rules][propose]") {
  auto r = GENERATE(role::follower, role::candidate);
  CAPTURE(to_string(r));
  auto d = in_role(r, options_for(1, cluster_of(3)), restored(2, std::nullopt, log_with_terms({1, 2})));
  auto before = d.n.log();
  auto& fx = d.propose("x");
  CHECK(fx.empty());
  CHECK_FALSE(d.proposed.is_leader);
  CHECK(d.proposed.index == 0);
  CHECK(d.proposed.term == d.n.current_term());
  CHECK(d.n.log() == before);
}

/// Figure 2, Leaders: "If last log index ≥ nextIndex for a follower: send AppendEntries RPC
/// with log entries starting at nextIndex".
TEST_CASE("leaders: if last log index ≥ nextIndex for a follower, send AppendEntries RPC with "
          "log entries starting at nextIndex (§5.3)",
          "[rules][leader]") {
  // Leader 1 of term 3 with terms 1, 1, 2. Follower 2 matches it; follower 3 holds only one
  // entry, so its nextIndex goes to 2.
  auto log = log_with_terms({1, 1, 2});
  auto d = elected(options_for(1, cluster_of(3)), restored(2, std::nullopt, log));
  caught_up(d, 2);
  auto& refusal = d.receive(refused(3, 3, 3, 0, 2));
  CHECK(appends_to(refusal, 3) == std::vector<append_entries>{append(3, 1, 1, 1, slice_of(log, 2, 3))});
  CHECK(appends_to(refusal, 2).empty());

  // A new entry: follower 2 gets it from its nextIndex 4; follower 3's message is on its way.
  auto& fx = d.propose("x");
  CHECK(appends_to(fx, 2) == std::vector<append_entries>{append(3, 1, 3, 2, {entry(3, "x")})});
  CHECK(appends_to(fx, 3).empty());

  // The heartbeat interval passes without an answer from 3: it gets its entries again, from
  // its nextIndex 2 through the new one. Follower 2 has nothing missing: a heartbeat, asking
  // about the last entry sent to it.
  auto& hb = d.fire_heartbeat();
  CHECK(appends_to(hb, 3) ==
        std::vector<append_entries>{append(3, 1, 1, 1, {entry(1, "c2"), entry(2, "c3"), entry(3, "x")})});
  CHECK(appends_to(hb, 2) == std::vector<append_entries>{append(3, 1, 4, 3, {})});
}

/// Figure 2, Leaders: "If successful: update nextIndex and matchIndex for follower (§5.3)".
TEST_CASE("leaders: if successful, update nextIndex and matchIndex for follower (§5.3)",
          "[rules][leader]") {
  auto log = log_with_terms({1, 1, 2});
  auto d = elected(options_for(1, cluster_of(3)), restored(2, std::nullopt, log));
  d.receive(refused(3, 3, 3, 0, 2)); // follower 3 holds one entry
  REQUIRE(d.n.progress_of(3)->next_index() == 2);
  REQUIRE(d.n.progress_of(3)->match_index() == 0);

  auto& fx = d.receive(accepted(3, 3, 3));
  CHECK(d.n.progress_of(3)->match_index() == 3);
  CHECK(d.n.progress_of(3)->next_index() == 4);
  CHECK(appends_to(fx, 3).empty()); // nothing more to send
  // The next entry goes to follower 3 from its new nextIndex.
  CHECK(appends_to(d.propose("y"), 3) ==
        std::vector<append_entries>{append(3, 1, 3, 2, {entry(3, "y")})});
  CHECK(d.n.progress_of(3)->next_index() == 5);
  // A late success for less changes neither.
  d.receive(accepted(3, 3, 1));
  CHECK(d.n.progress_of(3)->match_index() == 3);
  CHECK(d.n.progress_of(3)->next_index() == 5);
  d.receive(accepted(3, 3, 4));
  CHECK(d.n.progress_of(3)->match_index() == 4);
  CHECK(d.n.progress_of(3)->next_index() == 5);
}

/// Figure 2, Leaders: "If AppendEntries fails because of log inconsistency: decrement
/// nextIndex and retry (§5.3)".
TEST_CASE("leaders: if AppendEntries fails because of log inconsistency, decrement nextIndex "
          "and retry at once (§5.3)",
          "[rules][leader]") {
  // Leader 1 of term 2 with four entries of term 1. Follower 2 lost entries in crashes: each
  // refusal says its log ends one entry earlier.
  auto log = log_with_terms({1, 1, 1, 1});
  auto d = elected(options_for(1, cluster_of(3)), restored(1, std::nullopt, log));
  for (log_index rejected = 4; rejected >= 2; --rejected) {
    CAPTURE(rejected);
    auto& fx = d.receive(refused(2, 2, rejected, 0, rejected));
    CHECK(d.n.progress_of(2)->next_index() == rejected);
    CHECK(appends_to(fx, 2) == std::vector<append_entries>{
                                 append(2, 1, rejected - 1, 1, slice_of(log, rejected, 4))});
  }
  // A refusal of a message that is not the one in flight (late) changes nothing.
  auto& late = d.receive(refused(2, 2, 4, 0, 1));
  CHECK(appends_to(late, 2).empty());
  CHECK(d.n.progress_of(2)->next_index() == 2);
  // The retry succeeds; a refusal of anything the follower has acknowledged since is late.
  d.receive(accepted(2, 2, 4));
  CHECK(d.n.progress_of(2)->match_index() == 4);
  auto& stale = d.receive(refused(2, 2, 3, 0, 3));
  CHECK(appends_to(stale, 2).empty());
  CHECK(d.n.progress_of(2)->next_index() == 5);
  CHECK(d.n.progress_of(2)->match_index() == 4);
}

/// Figure 2, "AppendEntries RPC — Receiver implementation", for heartbeats (no entries).

#include <catch2/catch.hpp>

#include "tests/core/core_test_util.hpp"

using namespace raft_test;

TEST_CASE("AppendEntries receiver: reply false if term < currentTerm, and do not restart the "
          "election timer (§5.1)",
          "[rules][append][timer]") {
  SECTION("at a follower") {
    auto d = started(options_for(1, cluster_of(3)), restored(3));
    d.receive(heartbeat(3, 3));
    REQUIRE(d.n.leader() == peer_id{3});
    auto running = *d.election_gen;
    auto fx = d.receive(heartbeat(2, 2)); // a deposed leader of term 2
    CHECK(the_only_sent<append_entries_reply>(fx, 2) == append_entries_reply{3, false, 1});
    CHECK(fx.size() == 1); // no timer, no persist, no role change
    CHECK(d.n.leader() == peer_id{3});
    CHECK(d.n.current_term() == 3);
    // The timer that was running still is: when it fires the follower stands.
    d.fire_election(running);
    CHECK(d.n.role() == role::candidate);
  }
  SECTION("at a candidate") {
    auto d = started(options_for(1, cluster_of(3)), restored(3));
    make_candidate(d); // term 4
    auto fx = d.receive(heartbeat(3, 2));
    CHECK(the_only_sent<append_entries_reply>(fx, 2) == append_entries_reply{4, false, 1});
    CHECK(fx.size() == 1);
    CHECK(d.n.role() == role::candidate);
    CHECK_FALSE(d.n.leader());
  }
}

TEST_CASE("AppendEntries receiver: a heartbeat from the leader of the current term whose "
          "prevLogIndex 0 and prevLogTerm 0 match succeeds (§5.3)",
          "[rules][append]") {
  SECTION("empty log, leader learned from the heartbeat") {
    auto d = started(options_for(1, cluster_of(3)), restored(2));
    auto fx = d.receive(heartbeat(2, 3));
    CHECK(the_only_sent<append_entries_reply>(fx, 3) == append_entries_reply{2, true, 1});
    CHECK(d.n.leader() == peer_id{3});
    CHECK(d.n.role() == role::follower);
    auto changed = the_only<role_changed>(fx); // the known leader changed
    CHECK(changed.leader == peer_id{3});
    CHECK(changed.term == 2);
    // The next heartbeat changes nothing but the timer.
    fx = d.receive(heartbeat(2, 3));
    CHECK(the_only_sent<append_entries_reply>(fx, 3) == append_entries_reply{2, true, 1});
    CHECK(count_of<role_changed>(fx) == 0);
    CHECK(count_of<arm_election_timer>(fx) == 1);
    CHECK(fx.size() == 2);
  }
  SECTION("a receiver whose log is not empty") {
    auto d = started(options_for(1, cluster_of(3)), restored(2, std::nullopt, log_with_terms({1, 2})));
    auto fx = d.receive(heartbeat(2, 3));
    CHECK(the_only_sent<append_entries_reply>(fx, 3) == append_entries_reply{2, true, 1});
  }
}

TEST_CASE("AppendEntries receiver: reply false if the log does not contain an entry at "
          "prevLogIndex whose term matches prevLogTerm, yet the leader is recognized (§5.3)",
          "[rules][append]") {
  auto d = started(options_for(1, cluster_of(3)), restored(3, std::nullopt, log_with_terms({1, 2})));
  struct probe {
    log_index prev_index;
    term_t prev_term;
    bool success;
    term_t conflict_term;      ///< the hint of a refusal: our term at prev_index (0: none)
    log_index conflict_index;  ///< its first index here, or our last index + 1
  };
  auto p = GENERATE(probe{2, 2, true, 0, 0}, probe{1, 1, true, 0, 0}, probe{0, 0, true, 0, 0},
                    probe{2, 1, false, 2, 2}, probe{1, 2, false, 1, 1},
                    probe{3, 2, false, 0, 3}, probe{3, 3, false, 0, 3});
  CAPTURE(p.prev_index, p.prev_term);
  auto fx = d.receive(heartbeat(3, 2, p.prev_index, p.prev_term));
  append_entries_reply expected{3, p.success, 1};
  if (p.success) {
    expected.match_index = p.prev_index;
  } else {
    expected.reject_index = p.prev_index;
    expected.conflict_term = p.conflict_term;
    expected.conflict_index = p.conflict_index;
  }
  CHECK(the_only_sent<append_entries_reply>(fx, 2) == expected);
  CHECK(d.n.leader() == peer_id{2});
  CHECK(count_of<arm_election_timer>(fx) == 1); // it came from the current leader
}

TEST_CASE("AppendEntries receiver: if leaderCommit > commitIndex, set commitIndex = "
          "min(leaderCommit, index of last entry known to match) (§5.3)",
          "[rules][append]") {
  auto d = started(options_for(1, cluster_of(3)), restored(1, std::nullopt, log_with_terms({1, 1, 1})));
  d.receive(heartbeat(1, 2, 2, 1, 5));
  CHECK(d.n.commit_index() == 2);
  d.receive(heartbeat(1, 2, 3, 1, 1)); // a smaller leaderCommit never lowers it
  CHECK(d.n.commit_index() == 2);
  d.receive(heartbeat(1, 2, 4, 1, 9)); // a failed consistency check commits nothing
  CHECK(d.n.commit_index() == 2);
  d.receive(heartbeat(1, 2, 3, 1, 9));
  CHECK(d.n.commit_index() == 3);
}

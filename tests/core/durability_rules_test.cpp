/// Figure 2: the log is persistent state, "updated on stable storage before responding to
/// RPCs". Log writes are asynchronous (core/effects.hpp: write_log, then one log_synced for
/// any number of them): a follower acknowledges entries only once they are durable, a leader
/// counts its own copy towards commitment only once it is durable (Raft thesis §10.2.1), and
/// one sync commits whatever the writes before it held (group commit).

#include <catch2/catch.hpp>

#include "tests/core/log_test_util.hpp"

using namespace raft_test;

/// Figure 2, "Persistent state on all servers (Updated on stable storage before responding to
/// RPCs)": log[] included.
TEST_CASE("a follower's success reply for new entries is sent only once they are on stable "
          "storage, after log_synced (Figure 2: updated on stable storage before responding "
          "to RPCs)",
          "[rules][durability][append]") {
  auto d = started(options_for(1, cluster_of(3)));
  d.receive(heartbeat(1, 2));
  auto& fx = d.receive(append(1, 2, 0, 0, log_with_terms({1, 1})));
  CHECK(count_of<write_log>(fx) == 1);
  CHECK(sent<append_entries_reply>(fx).empty());
  CHECK(d.n.durable_index() == 0);
  SECTION("one message") {
    auto& synced = d.log_synced();
    CHECK(the_only_sent<append_entries_reply>(synced, 2) == accepted(1, 1, 2));
    CHECK(synced.size() == 1);
    CHECK(d.n.durable_index() == 2);
    CHECK(d.log_synced().empty()); // acknowledged once
  }
  SECTION("two messages before one sync: one reply, through the last of them") {
    auto& more = d.receive(append(1, 2, 2, 1, log_with_terms({1})));
    CHECK(sent<append_entries_reply>(more).empty());
    CHECK(the_only_sent<append_entries_reply>(d.log_synced(), 2) == accepted(1, 1, 3));
  }
  SECTION("a heartbeat for entries not yet durable waits too") {
    CHECK(sent<append_entries_reply>(d.receive(heartbeat(1, 2, 2, 1))).empty());
    CHECK(the_only_sent<append_entries_reply>(d.log_synced(), 2) == accepted(1, 1, 2));
  }
}

/// The test above fails for a follower that answers before its log is durable.
TEST_CASE("a follower with the injected bug ack_before_sync acknowledges entries before they "
          "are on stable storage (Figure 2 broken)",
          "[bugs][durability][append]") {
  auto d = started(options_for(1, cluster_of(3), 1, bug_ack_before_sync));
  auto& fx = d.receive(append(1, 2, 0, 0, log_with_terms({1, 1})));
  CHECK(the_only_sent<append_entries_reply>(fx, 2) == accepted(1, 1, 2));
  CHECK(d.n.durable_index() == 0);
}

/// Raft thesis §10.2.1: the leader may send entries before its own copy is durable, and
/// counts that copy towards commitment only once it is.
TEST_CASE("a leader counts its own entry towards commitment only after log_synced (Raft "
          "thesis §10.2.1)",
          "[rules][durability][leader][commit]") {
  auto d = elected(options_for(1, cluster_of(3)));
  caught_up(d, 2);
  caught_up(d, 3);
  auto& proposed = d.propose("x");
  CHECK(count_of<write_log>(proposed) == 1);
  CHECK(sent<append_entries>(proposed).size() == 2); // sent before its own copy is durable
  d.receive(accepted(1, 2, 1));
  CHECK(d.n.commit_index() == 0); // follower 2 alone, without the leader's copy
  auto& synced = d.log_synced();
  CHECK(d.n.durable_index() == 1);
  CHECK(d.n.commit_index() == 1); // the leader and follower 2
  CHECK(the_only<apply>(synced).entries == std::vector<log_entry>{entry(1, "x")});
}

/// Figure 2, Leaders: a majority of one is the leader itself, counted once its copy is
/// durable (§5.3: an entry is committed "once the leader that created the entry has
/// replicated it on a majority of the servers").
TEST_CASE("a single-node cluster commits and applies an entry once its own log is synced, "
          "not before (§5.3)",
          "[rules][durability][leader][commit]") {
  auto d = started(options_for(1, {1}));
  d.fire_election();
  REQUIRE(d.n.is_leader());
  auto& fx = d.propose("x");
  CHECK(d.proposed.index == 1);
  CHECK(count_of<write_log>(fx) == 1);
  CHECK(count_of<send>(fx) == 0);
  CHECK(count_of<apply>(fx) == 0);
  CHECK(d.n.commit_index() == 0);
  auto& synced = d.log_synced();
  CHECK(d.n.commit_index() == 1);
  CHECK(the_only<apply>(synced).first == 1);
  CHECK(the_only<apply>(synced).entries == std::vector<log_entry>{entry(1, "x")});
}

/// core/effects.hpp: one log_synced makes every write_log before it durable; Figure 2's
/// commit rule then takes the highest N at once, and the apply rule hands over every entry
/// through it, in order.
TEST_CASE("group commit: many proposals and then one log_synced commit them all, applied in "
          "one apply effect in index order",
          "[rules][durability][leader][commit]") {
  std::vector<log_entry> expected;
  SECTION("a single-node cluster") {
    auto d = started(options_for(1, {1}));
    d.fire_election();
    for (int i = 1; i <= 10; ++i) {
      d.propose("x" + std::to_string(i));
      expected.push_back(entry(1, "x" + std::to_string(i)));
    }
    CHECK(d.n.commit_index() == 0);
    auto& synced = d.log_synced();
    CHECK(d.n.commit_index() == 10);
    CHECK(the_only<apply>(synced).first == 1);
    CHECK(the_only<apply>(synced).entries == expected);
  }
  SECTION("a leader of three with one follower's cumulative acknowledgement") {
    auto d = elected(options_for(1, cluster_of(3)));
    caught_up(d, 2);
    for (int i = 1; i <= 10; ++i) {
      d.propose("x" + std::to_string(i));
      expected.push_back(entry(1, "x" + std::to_string(i)));
    }
    d.receive(accepted(1, 2, 10));
    CHECK(d.n.commit_index() == 0);
    auto& synced = d.log_synced();
    CHECK(d.n.commit_index() == 10);
    CHECK(the_only<apply>(synced).entries == expected);
  }
}

/// Log compaction (§7) and Figure 13, "InstallSnapshot RPC — Receiver implementation":
/// the service's snapshot replaces the log's prefix, a leader sends it in chunks to a
/// follower whose next entries it discarded, and the receiver's steps 1–8. Also §5.4.1's
/// comparison of logs when a log ends in its snapshot.

#include <catch2/catch.hpp>

#include "tests/core/log_test_util.hpp"

using namespace raft_test;

namespace {

/// The position of the first effect of type `T` in `fx` (fails when there is none).
template <class T>
std::size_t position_of(const effects& fx) {
  auto i = first_index_of<T>(fx);
  REQUIRE(i);
  return *i;
}

/// Position of the first send of an install_snapshot_reply in `fx`.
std::size_t position_of_reply(const effects& fx) {
  for (std::size_t i = 0; i < fx.size(); ++i)
    if (auto* s = std::get_if<send>(&fx[i]); s && std::holds_alternative<install_snapshot_reply>(s->msg))
      return i;
  FAIL("no install_snapshot_reply sent");
  return 0;
}

/// Follower 1 of three at term `term`, holding `log`, that knows leader 2 of that term.
driven_node follower_of_2(term_t term, std::vector<log_entry> log = {}) {
  auto d = started(options_for(1, cluster_of(3)), restored(term, std::nullopt, std::move(log)));
  d.receive(heartbeat(term, 2));
  REQUIRE(d.n.leader() == peer_id{2});
  return d;
}

/// A chunk from leader 2: (term, index, last included term, offset, data, done).
install_snapshot chunk(term_t term, log_index index, term_t index_term, std::uint64_t offset,
                       std::string data, bool done) {
  return install_snapshot{term, 2, index, index_term, offset, std::move(data), done};
}

} // namespace

// ---------------------------------------------------------------------------------------
// Taking a snapshot
// ---------------------------------------------------------------------------------------

/// §7: "Each server takes snapshots independently, covering just the committed entries in its
/// log"; "Once a server completes writing a snapshot, it may delete all log entries up through
/// the last included index".
TEST_CASE("a snapshot through an applied index discards the log up through it and emits "
          "save_snapshot with that entry's term and the service's bytes (§7)",
          "[rules][snapshot]") {
  auto log = log_with_terms({1, 1, 1, 2, 2});
  auto d = follower_of_2(2, log);
  d.receive(heartbeat(2, 2, 5, 2, 5));
  REQUIRE(d.n.last_applied() == 5);

  auto& fx = d.snapshot(3, "state through 3");
  auto s = the_only<save_snapshot>(fx);
  CHECK(s.index == 3);
  CHECK(s.term == 1);
  REQUIRE(s.data);
  CHECK(*s.data == "state through 3");
  CHECK(fx.size() == 1);
  CHECK(d.n.log().snapshot_index() == 3);
  CHECK(d.n.log().snapshot_term() == 1);
  CHECK(d.n.log().entries() == slice_of(log, 4, 5));
  CHECK(d.n.persistent().snapshot_index == 3);
  CHECK(*d.n.snapshot_data() == "state through 3");

  // A snapshot at or before the one held changes nothing.
  CHECK(d.snapshot(3, "again").empty());
  CHECK(d.snapshot(2, "older").empty());
  CHECK(*d.n.snapshot_data() == "state through 3");
  CHECK(d.n.log().snapshot_index() == 3);

  // Through the last entry: the log is empty and ends where the snapshot does.
  CHECK(the_only<save_snapshot>(d.snapshot(5, "state through 5")).term == 2);
  CHECK(d.n.log().empty());
  CHECK(d.n.log().last_index() == 5);
  CHECK(d.n.log().last_term() == 2);
}

/// §7: a snapshot covers "just the committed entries" the service has applied: a snapshot of
/// anything more could not come from the service's state.
TEST_CASE("a snapshot beyond the last applied index is refused and changes nothing, even for "
          "a committed entry not yet durable here (§7)",
          "[rules][snapshot]") {
  auto d = follower_of_2(1, log_with_terms({1, 1, 1}));
  d.receive(append(1, 2, 3, 1, {entry(1, "c4")}, 4));
  REQUIRE(d.n.commit_index() == 4);
  REQUIRE(d.n.last_applied() == 3); // entry 4 is not durable yet
  auto& fx = d.snapshot(4, "s4");
  CHECK(the_only<message_rejected>(fx).from == 1);
  CHECK(fx.size() == 1);
  CHECK(d.n.log().snapshot_index() == 0);
  CHECK_FALSE(d.n.snapshot_data());
  CHECK(the_only<save_snapshot>(d.snapshot(3, "s3")).index == 3);
}

// ---------------------------------------------------------------------------------------
// The leader's side
// ---------------------------------------------------------------------------------------

/// §7: "the leader must occasionally send snapshots to followers that lag behind ... The
/// leader uses a new RPC called InstallSnapshot"; Figure 13: chunks at increasing offsets,
/// `done` on the last.
TEST_CASE("a leader sends a follower whose next entries it discarded its snapshot in chunks of "
          "at most snapshot_chunk_bytes, one at a time and in order, then AppendEntries from "
          "the snapshot's last included index (§7, Figure 13)",
          "[rules][snapshot][leader]") {
  auto o = options_for(1, cluster_of(3));
  o.limits.snapshot_chunk_bytes = 4;
  // Leader 1 of term 2: a snapshot through 8 (term 1) of ten bytes, then entries 9 and 10.
  auto d = elected(o, restored_with_snapshot(1, 8, 1, "0123456789",
                                             {entry(1, "c9"), entry(1, "c10")}));
  REQUIRE(d.n.commit_index() == 8);
  // Follower 2's log is empty.
  auto& fx = d.receive(refused(2, 2, 10, 0, 1));
  CHECK(the_only_sent<install_snapshot>(fx, 2) ==
        install_snapshot{2, 1, 8, 1, 0, "0123", false});
  CHECK(appends_to(fx, 2).empty());

  // One chunk at a time: neither a new entry nor a heartbeat sends another meanwhile.
  CHECK(count_of<send>(d.propose("x")) == 0);
  auto& hb = d.fire_heartbeat();
  CHECK(sent<install_snapshot>(hb).empty());
  CHECK(appends_to(hb, 2).empty());
  // Unanswered for a whole heartbeat interval: the same chunk goes again.
  CHECK(the_only_sent<install_snapshot>(d.fire_heartbeat(), 2) ==
        install_snapshot{2, 1, 8, 1, 0, "0123", false});

  CHECK(the_only_sent<install_snapshot>(d.receive(install_snapshot_reply{2, 2, 8, 4, false}), 2) ==
        install_snapshot{2, 1, 8, 1, 4, "4567", false});
  CHECK(the_only_sent<install_snapshot>(d.receive(install_snapshot_reply{2, 2, 8, 8, false}), 2) ==
        install_snapshot{2, 1, 8, 1, 8, "89", true});
  auto& installed = d.receive(install_snapshot_reply{2, 2, 8, 10, true});
  CHECK(d.n.progress_of(2)->match_index() == 8);
  CHECK(sent<install_snapshot>(installed).empty());
  CHECK(appends_to(installed, 2) ==
        std::vector<append_entries>{
          append(2, 1, 8, 1, {entry(1, "c9"), entry(1, "c10"), entry(2, "x")}, 8)});
}

/// §7: a follower that lags behind gets the leader's snapshot by InstallSnapshot; after it,
/// Figure 2's replication goes on with nextIndex just after the last included index.
TEST_CASE("after a follower installs the leader's snapshot, the leader resumes AppendEntries "
          "right after the snapshot's last included index, and the logs end equal (§7)",
          "[rules][snapshot][leader]") {
  auto leader = elected(options_for(1, cluster_of(3)),
                        restored_with_snapshot(1, 8, 1, "0123456789",
                                               {entry(1, "c9"), entry(1, "c10")}));
  auto follower = started(options_for(2, cluster_of(3)));
  auto fx = round_trip(leader, follower, leader.last); // refused: its log is empty
  CHECK(the_only_sent<install_snapshot>(fx, 2) ==
        install_snapshot{2, 1, 8, 1, 0, "0123456789", true});
  fx = round_trip(leader, follower, fx); // installed
  CHECK(appends_to(fx, 2) ==
        std::vector<append_entries>{append(2, 1, 8, 1, {entry(1, "c9"), entry(1, "c10")}, 8)});
  fx = round_trip(leader, follower, fx);
  CHECK(count_of<send>(fx) == 0);
  CHECK(follower.n.log() == leader.n.log());
  CHECK(*follower.n.snapshot_data() == "0123456789");
  CHECK(leader.n.progress_of(2)->match_index() == 10);
}

// ---------------------------------------------------------------------------------------
// InstallSnapshot receiver (Figure 13)
// ---------------------------------------------------------------------------------------

/// Figure 13, receiver step 1.
TEST_CASE("InstallSnapshot receiver: reply immediately if term < currentTerm", "[rules][snapshot]") {
  auto d = follower_of_2(3, log_with_terms({1}));
  auto running = *d.election_gen;
  auto before = d.n.persistent();
  auto& fx = d.receive(chunk(2, 5, 1, 0, "abc", true));
  CHECK(the_only_sent<install_snapshot_reply>(fx, 2) == install_snapshot_reply{3, 1, 5, 0, false});
  CHECK(fx.size() == 1); // no write, no timer, no role change
  CHECK(d.n.persistent() == before);
  CHECK(*d.election_gen == running);
}

/// Figure 13, receiver step 2.
TEST_CASE("InstallSnapshot receiver: create new snapshot file if first chunk (offset is 0)",
          "[rules][snapshot]") {
  auto d = follower_of_2(1);
  d.receive(chunk(1, 5, 1, 0, "abcd", false));
  SECTION("a first chunk again starts the file over") {
    CHECK(the_only_sent<install_snapshot_reply>(d.receive(chunk(1, 5, 1, 0, "wxyz", false)), 2) ==
          install_snapshot_reply{1, 1, 5, 4, false});
    auto& fx = d.receive(chunk(1, 5, 1, 4, "!", true));
    CHECK(*the_only<save_snapshot>(fx).data == "wxyz!");
  }
  SECTION("the first chunk of another snapshot discards the partial one") {
    CHECK(the_only_sent<install_snapshot_reply>(d.receive(chunk(1, 7, 1, 0, "efgh", false)), 2) ==
          install_snapshot_reply{1, 1, 7, 4, false});
    // A later chunk of the discarded snapshot finds nothing of it.
    CHECK(the_only_sent<install_snapshot_reply>(d.receive(chunk(1, 5, 1, 4, "ef", true)), 2) ==
          install_snapshot_reply{1, 1, 5, 0, false});
    auto& fx = d.receive(chunk(1, 7, 1, 4, "ij", true));
    auto s = the_only<save_snapshot>(fx);
    CHECK(s.index == 7);
    CHECK(*s.data == "efghij");
  }
}

/// Figure 13, receiver step 3.
TEST_CASE("InstallSnapshot receiver: write data into snapshot file at given offset, answering "
          "a chunk that does not follow what it holds with how much it holds",
          "[rules][snapshot]") {
  auto d = follower_of_2(1);
  d.receive(chunk(1, 5, 1, 0, "abcd", false));
  // The chunk at 4 was lost: the one at 8 is not written.
  CHECK(the_only_sent<install_snapshot_reply>(d.receive(chunk(1, 5, 1, 8, "ijkl", false)), 2) ==
        install_snapshot_reply{1, 1, 5, 4, false});
  CHECK(the_only_sent<install_snapshot_reply>(d.receive(chunk(1, 5, 1, 4, "efgh", false)), 2) ==
        install_snapshot_reply{1, 1, 5, 8, false});
  // A duplicate of a chunk it holds is not written twice.
  CHECK(the_only_sent<install_snapshot_reply>(d.receive(chunk(1, 5, 1, 4, "efgh", false)), 2) ==
        install_snapshot_reply{1, 1, 5, 8, false});
  auto& fx = d.receive(chunk(1, 5, 1, 8, "ij", true));
  CHECK(*the_only<save_snapshot>(fx).data == "abcdefghij");
}

/// Figure 13, receiver step 4.
TEST_CASE("InstallSnapshot receiver: reply and wait for more data chunks if done is false",
          "[rules][snapshot]") {
  auto d = follower_of_2(1, log_with_terms({1}));
  auto before = d.n.persistent();
  auto& fx = d.receive(chunk(1, 5, 1, 0, "abcd", false));
  CHECK(the_only_sent<install_snapshot_reply>(fx, 2) == install_snapshot_reply{1, 1, 5, 4, false});
  CHECK(count_of<save_snapshot>(fx) == 0);
  CHECK(count_of<apply_snapshot>(fx) == 0);
  CHECK(count_of<write_log>(fx) == 0);
  CHECK(count_of<arm_election_timer>(fx) == 1); // a message from the current leader
  CHECK(d.n.persistent() == before);
  CHECK(d.n.commit_index() == 0);
  CHECK(d.n.last_applied() == 0);
}

/// Figure 13, receiver step 5.
TEST_CASE("InstallSnapshot receiver: save snapshot file, discard any existing or partial "
          "snapshot with a smaller index",
          "[rules][snapshot]") {
  // Follower 1 holds its own snapshot through 3 and entry 4.
  auto d = started(options_for(1, cluster_of(3)),
                   restored_with_snapshot(1, 3, 1, "own", {entry(1, "c4")}));
  d.receive(heartbeat(1, 2, 4, 1));
  auto& fx = d.receive(chunk(1, 6, 1, 0, "leader's", true));
  auto s = the_only<save_snapshot>(fx);
  CHECK(s.index == 6);
  CHECK(s.term == 1);
  CHECK(*s.data == "leader's");
  CHECK(*d.n.snapshot_data() == "leader's");
  CHECK(d.n.persistent().snapshot_index == 6);
  CHECK(*d.n.persistent().snapshot == "leader's");
  CHECK(d.n.log().snapshot_index() == 6);
  CHECK(d.n.log().empty());
}

/// Figure 13, receiver step 6.
TEST_CASE("InstallSnapshot receiver: if existing log entry has same index and term as "
          "snapshot's last included entry, retain log entries following it and reply",
          "[rules][snapshot]") {
  auto log = log_with_terms({1, 1, 1, 2, 2});
  auto d = follower_of_2(2, log);
  auto& fx = d.receive(chunk(2, 3, 1, 0, "s3", true));
  CHECK(count_of<write_log>(fx) == 0);
  CHECK(the_only<save_snapshot>(fx).index == 3);
  CHECK(d.n.log().snapshot_index() == 3);
  CHECK(d.n.log().entries() == slice_of(log, 4, 5));
  CHECK(the_only_sent<install_snapshot_reply>(fx, 2) == install_snapshot_reply{2, 1, 3, 2, true});
  // The reply goes once the snapshot is saved (save_snapshot is durable on return).
  CHECK(position_of<save_snapshot>(fx) < position_of_reply(fx));
  CHECK(d.n.commit_index() == 3);
}

/// Figure 13, receiver step 7.
TEST_CASE("InstallSnapshot receiver: discard the entire log when it holds no entry with the "
          "snapshot's last included index and term",
          "[rules][snapshot]") {
  SECTION("its entry at that index has another term") {
    auto d = follower_of_2(3, log_with_terms({1, 1, 1, 2, 2}));
    auto& fx = d.receive(chunk(3, 4, 3, 0, "s4", true));
    // The store keeps entries after a snapshot only where they agree with it: they go first.
    auto w = the_only<write_log>(fx);
    CHECK(w.truncate_from == log_index{1});
    CHECK(w.entries.empty());
    CHECK(position_of<write_log>(fx) < position_of<save_snapshot>(fx));
    CHECK(d.n.log().snapshot_index() == 4);
    CHECK(d.n.log().snapshot_term() == 3);
    CHECK(d.n.log().empty());
    CHECK(the_only_sent<install_snapshot_reply>(fx, 2).installed);
  }
  SECTION("its log ends before that index") {
    auto d = follower_of_2(1, log_with_terms({1, 1}));
    auto& fx = d.receive(chunk(1, 5, 1, 0, "s5", true));
    CHECK(count_of<write_log>(fx) == 0); // saving the snapshot discards entries 1 and 2
    CHECK(the_only<save_snapshot>(fx).index == 5);
    CHECK(d.n.log().empty());
    CHECK(d.n.log().last_index() == 5);
  }
}

/// Figure 13, receiver step 8.
TEST_CASE("InstallSnapshot receiver: reset state machine using snapshot contents, and apply "
          "entries from the one after its last included index on",
          "[rules][snapshot][apply]") {
  auto d = follower_of_2(1);
  auto& fx = d.receive(chunk(1, 5, 1, 0, "s5", true));
  auto a = the_only<apply_snapshot>(fx);
  CHECK(a.index == 5);
  CHECK(a.term == 1);
  CHECK(*a.data == "s5");
  CHECK(position_of<save_snapshot>(fx) < position_of<apply_snapshot>(fx));
  CHECK(count_of<apply>(fx) == 0);
  CHECK(d.n.last_applied() == 5);
  CHECK(d.n.commit_index() == 5);

  d.receive(append(1, 2, 5, 1, {entry(1, "c6")}, 6));
  auto& synced = d.log_synced();
  CHECK(the_only<apply>(synced).first == 6);
  CHECK(the_only<apply>(synced).entries == std::vector<log_entry>{entry(1, "c6")});
}

/// §7: "If instead the follower receives a snapshot that describes a prefix of its log (due
/// to retransmission or by mistake), then log entries covered by the snapshot are deleted
/// but entries following the snapshot are still valid and must be retained." When those
/// entries are committed here, nothing needs to change at all.
TEST_CASE("a snapshot of entries the follower already holds committed is answered as installed "
          "and changes nothing (§7)",
          "[rules][snapshot]") {
  auto d = follower_of_2(1, log_with_terms({1, 1, 1}));
  d.receive(heartbeat(1, 2, 3, 1, 3));
  REQUIRE(d.n.commit_index() == 3);
  auto before = d.n.persistent();
  SECTION("the whole snapshot") {
    auto& fx = d.receive(chunk(1, 2, 1, 0, "s2", true));
    CHECK(the_only_sent<install_snapshot_reply>(fx, 2) == install_snapshot_reply{1, 1, 2, 2, true});
  }
  SECTION("its first chunk") {
    auto& fx = d.receive(chunk(1, 3, 1, 0, "s", false));
    CHECK(the_only_sent<install_snapshot_reply>(fx, 2) == install_snapshot_reply{1, 1, 3, 1, true});
  }
  CHECK(count_of<save_snapshot>(d.last) == 0);
  CHECK(count_of<apply_snapshot>(d.last) == 0);
  CHECK(count_of<write_log>(d.last) == 0);
  CHECK(d.n.persistent() == before);
}

/// §7 and Figure 2: on restart a server has only its persistent state; the snapshot's entries
/// are committed and the service restarts from the snapshot.
TEST_CASE("a server restarted from persistent state with a snapshot starts with commitIndex "
          "and lastApplied at the snapshot's last included index (§7)",
          "[rules][snapshot][restart]") {
  driven_node d(options_for(1, cluster_of(3)),
                restored_with_snapshot(2, 5, 1, "s5", {entry(2, "c6")}));
  auto& fx = d.start();
  CHECK(d.n.commit_index() == 5);
  CHECK(d.n.last_applied() == 5);
  CHECK(count_of<apply>(fx) == 0);
  CHECK(count_of<apply_snapshot>(fx) == 0); // the shell hands the service its snapshot
  CHECK(d.n.log().first_index() == 6);
  CHECK(d.n.durable_index() == 6);
  CHECK(*d.n.snapshot_data() == "s5");
  auto& next = d.receive(heartbeat(2, 2, 6, 2, 6));
  CHECK(the_only<apply>(next).first == 6);
  CHECK(the_only<apply>(next).entries == std::vector<log_entry>{entry(2, "c6")});
}

// ---------------------------------------------------------------------------------------
// §5.4.1 when a log ends in its snapshot
// ---------------------------------------------------------------------------------------

/// §5.4.1: "Raft determines which of two logs is more up-to-date by comparing the index and
/// term of the last entries in the logs". A log that ends in its snapshot ends with the
/// snapshot's last included entry.
TEST_CASE("a voter whose log ends in its snapshot refuses a vote and a pre-vote to a candidate "
          "whose log is less up-to-date than the snapshot's last included entry (§5.4.1)",
          "[rules][vote][election-restriction][snapshot]") {
  // Term 3; the log ends with the snapshot's entry (index 5, term 2).
  auto d = started(options_for(1, cluster_of(3)), restored_with_snapshot(3, 5, 2, "s5"));
  SECTION("a vote") {
    CHECK(the_only_sent<request_vote_reply>(d.receive(vote_request(4, 2, 4, 2)), 2) ==
          request_vote_reply{4, false, 1});
    CHECK(the_only_sent<request_vote_reply>(d.receive(vote_request(4, 2, 9, 1)), 2) ==
          request_vote_reply{4, false, 1});
    CHECK_FALSE(d.n.voted_for());
    CHECK(the_only_sent<request_vote_reply>(d.receive(vote_request(4, 3, 5, 2)), 3) ==
          request_vote_reply{4, true, 1});
  }
  SECTION("a pre-vote") {
    CHECK(the_only_sent<pre_vote_reply>(d.receive(pre_vote{4, 2, 4, 2}), 2) ==
          pre_vote_reply{3, false, 1});
    CHECK(the_only_sent<pre_vote_reply>(d.receive(pre_vote{4, 2, 9, 1}), 2) ==
          pre_vote_reply{3, false, 1});
    CHECK(the_only_sent<pre_vote_reply>(d.receive(pre_vote{4, 3, 5, 2}), 3) ==
          pre_vote_reply{4, true, 1});
  }
}

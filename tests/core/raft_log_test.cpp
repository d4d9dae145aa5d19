/// The in-memory Raft log (core/raft_log.hpp): Figure 2's log rules, the §5.4.1 comparison and
/// the snapshot boundary of §7.

#include <catch2/catch.hpp>

#include "core/raft_log.hpp"
#include "tests/core/core_test_util.hpp"

using namespace raft;
using raft_test::log_with_terms;

TEST_CASE("a log holds the snapshot's index and term at its boundary and nothing before it") {
  raft_log log(5, 2, log_with_terms({2, 3}));
  CHECK(log.first_index() == 6);
  CHECK(log.last_index() == 7);
  CHECK(log.last_term() == 3);
  CHECK(log.term_at(5) == term_t{2});
  CHECK(log.term_at(6) == term_t{2});
  CHECK(log.term_at(7) == term_t{3});
  CHECK_FALSE(log.term_at(4));
  CHECK_FALSE(log.term_at(8));
  CHECK(raft_log().term_at(0) == term_t{0});
}

TEST_CASE("a log whose terms decrease is refused") {
  CHECK_THROWS_AS(raft_log(0, 0, log_with_terms({2, 1})), std::invalid_argument);
  CHECK_THROWS_AS(raft_log(3, 4, log_with_terms({3})), std::invalid_argument);
}

TEST_CASE("the log matches prevLogIndex and prevLogTerm only where it holds that entry (§5.3)") {
  raft_log log(0, 0, log_with_terms({1, 1, 2}));
  CHECK(log.matches(0, 0));
  CHECK(log.matches(2, 1));
  CHECK(log.matches(3, 2));
  CHECK_FALSE(log.matches(3, 1));
  CHECK_FALSE(log.matches(4, 2));
  raft_log compacted(2, 1, log_with_terms({2}));
  CHECK(compacted.matches(2, 1));
  CHECK_FALSE(compacted.matches(1, 1)); // discarded: the receiver treats it as committed
}

TEST_CASE("a log with a later last term, or the same last term and at least the length, is "
          "at least as up to date (§5.4.1)") {
  raft_log log(0, 0, log_with_terms({1, 2, 2}));
  CHECK(log.is_up_to_date(3, 2));
  CHECK(log.is_up_to_date(4, 2));
  CHECK(log.is_up_to_date(1, 3));
  CHECK_FALSE(log.is_up_to_date(2, 2));
  CHECK_FALSE(log.is_up_to_date(9, 1));
}

TEST_CASE("append_after deletes a conflicting entry and all that follow it, then appends the "
          "new entries (Figure 2, AppendEntries receiver steps 3 and 4)") {
  raft_log log(0, 0, log_with_terms({1, 1, 1, 1}));
  auto r = log.append_after(2, {{1, "c3"}, {2, "x4"}, {2, "x5"}});
  REQUIRE(r.truncated_from == log_index{4});
  CHECK(r.first_new == 4);
  CHECK(r.appended == 2);
  CHECK(log.last_index() == 5);
  CHECK(log.at(3).command == "c3");
  CHECK(log.at(4).command == "x4");
}

TEST_CASE("append_after keeps entries already present, so a late AppendEntries never removes "
          "what a newer one added") {
  raft_log log(0, 0, {});
  log.append_after(0, {{1, "a"}, {1, "b"}, {1, "c"}});
  auto r = log.append_after(0, {{1, "a"}}); // the first message, delivered again
  CHECK_FALSE(r.truncated_from);
  CHECK(r.appended == 0);
  CHECK(log.last_index() == 3);
}

TEST_CASE("append_after skips the entries a snapshot already holds") {
  raft_log log(3, 1, {});
  auto r = log.append_after(1, {{1, "x2"}, {1, "x3"}, {2, "x4"}});
  CHECK_FALSE(r.truncated_from);
  CHECK(r.first_new == 4);
  CHECK(r.appended == 1);
  CHECK(log.last_index() == 4);
  CHECK(log.at(4).command == "x4");
}

TEST_CASE("a leader's append refuses an entry of an older term than the last") {
  raft_log log(0, 0, log_with_terms({3}));
  CHECK(log.append({3, "x"}) == 2);
  CHECK_THROWS_AS(log.append({2, "y"}), std::logic_error);
}

TEST_CASE("slice takes at most the count and the bytes, but always the first entry") {
  raft_log log(0, 0, {{1, std::string(10, 'a')}, {1, std::string(10, 'b')}, {1, "c"}});
  CHECK(log.slice(1, 10, 100).size() == 3);
  CHECK(log.slice(1, 2, 100).size() == 2);
  CHECK(log.slice(1, 10, 15).size() == 1);
  CHECK(log.slice(1, 10, 0).size() == 1);
  CHECK(log.slice(4, 10, 100).empty());
}

TEST_CASE("conflict hints: the first index of a term's run and the last index of a term") {
  raft_log log(0, 0, log_with_terms({1, 2, 2, 2, 4}));
  CHECK(log.first_index_of_term_at(4) == 2);
  CHECK(log.first_index_of_term_at(1) == 1);
  CHECK(log.first_index_of_term_at(5) == 5);
  CHECK(log.last_index_of_term(2) == log_index{4});
  CHECK_FALSE(log.last_index_of_term(3));
  raft_log compacted(2, 2, log_with_terms({2, 2}));
  CHECK(compacted.first_index_of_term_at(4) == 3); // never below the first kept entry
}

TEST_CASE("compacting moves the snapshot boundary and keeps the later entries (§7)") {
  raft_log log(0, 0, log_with_terms({1, 1, 2, 3}));
  log.compact(3);
  CHECK(log.snapshot_index() == 3);
  CHECK(log.snapshot_term() == 2);
  CHECK(log.last_index() == 4);
  CHECK(log.at(4).term == 3);
  CHECK_THROWS_AS(log.compact(3), std::logic_error);
  CHECK_THROWS_AS(log.compact(5), std::logic_error);
}

TEST_CASE("an installed snapshot keeps the entries after it when the log holds its last entry, "
          "otherwise it discards the entire log (Figure 13 steps 6 and 7)") {
  raft_log keep(0, 0, log_with_terms({1, 2, 2, 3}));
  CHECK(keep.restore_snapshot(3, 2));
  CHECK(keep.first_index() == 4);
  CHECK(keep.last_index() == 4);
  raft_log conflict(0, 0, log_with_terms({1, 1, 1}));
  CHECK_FALSE(conflict.restore_snapshot(2, 2));
  CHECK(conflict.last_index() == 2);
  CHECK(conflict.last_term() == 2);
  CHECK(conflict.empty());
  raft_log shorter(0, 0, log_with_terms({1}));
  CHECK_FALSE(shorter.restore_snapshot(9, 4));
  CHECK(shorter.last_index() == 9);
}

TEST_CASE("check walks only what changed since the last check, and still finds terms that "
          "decrease after a truncation or at a new snapshot boundary") {
  raft_log log(0, 0, log_with_terms({1, 2, 3}));
  CHECK_NOTHROW(log.check());
  // append_after does not order terms itself: an entry of term 1 cut in after one of term 2.
  auto r = log.append_after(2, log_with_terms({1}));
  CHECK(r.truncated_from == log_index{3});
  CHECK_THROWS_AS(log.check(), std::logic_error);
  CHECK_THROWS_AS(log.check(), std::logic_error); // a failed check is reported again

  raft_log grows(0, 0, log_with_terms({1, 2}));
  CHECK_NOTHROW(grows.check());
  grows.append(log_entry{2, "x"});
  grows.append_after(3, log_with_terms({3, 3}));
  CHECK_NOTHROW(grows.check());
  CHECK(grows.last_index() == 5);

  raft_log compacted(0, 0, log_with_terms({1, 2, 2}));
  CHECK_NOTHROW(compacted.check());
  compacted.compact(2);
  CHECK_NOTHROW(compacted.check());
  CHECK(compacted.restore_snapshot(4, 3) == false);
  CHECK_NOTHROW(compacted.check());
}

/// Majorities, vote rounds and the crash fast path's timers (core/quorum.hpp,
/// core/vote_tracker.hpp, core/fast_path.hpp).

#include <catch2/catch.hpp>

#include "core/fast_path.hpp"
#include "core/quorum.hpp"
#include "core/vote_tracker.hpp"

using namespace raft;
using std::chrono::milliseconds;

TEST_CASE("a majority of n members is n / 2 + 1") {
  CHECK(majority_of(1) == 1);
  CHECK(majority_of(3) == 2);
  CHECK(majority_of(4) == 3);
  CHECK(majority_of(5) == 3);
}

TEST_CASE("the quorum index is the highest index a majority holds (Figure 2, Leaders)") {
  CHECK(quorum_index({5}) == 5);
  CHECK(quorum_index({9, 3, 5}) == 5);
  CHECK(quorum_index({1, 9, 9, 2}) == 2);
  CHECK(quorum_index({7, 1, 8, 2, 7}) == 7);
}

TEST_CASE("a vote round counts self, then each voter once, and is won by a majority") {
  vote_tracker v(1, 5);
  CHECK(v.granted().size() == 1);
  CHECK(v.has_answered(1));
  v.record(2, true);
  v.record(2, true); // a duplicated reply
  CHECK_FALSE(v.won());
  v.record(3, false);
  CHECK(v.has_answered(3));
  CHECK_FALSE(v.won());
  v.answered(4);
  CHECK_FALSE(v.won());
  v.record(5, true);
  CHECK(v.won());
  CHECK(vote_tracker(1, 1).won()); // a cluster of one
}

TEST_CASE("the crash fast path runs four short timers whose windows double, then stops") {
  crash_fast_path f;
  auto hb = duration(milliseconds(100));
  CHECK_FALSE(f.take_round(hb));
  f.leader_lost();
  auto w0 = f.take_round(hb);
  REQUIRE(w0);
  CHECK(w0->lo == milliseconds(10));
  CHECK(w0->hi == milliseconds(50));
  CHECK(f.repeat_round(hb).hi == milliseconds(50)); // stepping aside uses no round
  CHECK(f.take_round(hb)->hi == milliseconds(100));
  CHECK(f.take_round(hb)->hi == milliseconds(200));
  CHECK(f.take_round(hb)->hi == milliseconds(400));
  CHECK_FALSE(f.take_round(hb));
  f.leader_lost();
  f.cancel();
  CHECK_FALSE(f.take_round(hb));
}

TEST_CASE("on the fast path a follower asking for pre-votes refuses a higher id with an "
          "equally fresh log, and only then") {
  crash_fast_path f;
  f.armed(true);
  CHECK(f.yields_to_self(true, 5, 5, 3, 2, true));
  CHECK_FALSE(f.yields_to_self(true, 5, 5, 1, 2, true));  // a lower id goes first
  CHECK_FALSE(f.yields_to_self(true, 5, 5, 3, 2, false)); // logs differ
  CHECK_FALSE(f.yields_to_self(false, 5, 5, 3, 2, true)); // not asking itself
  CHECK_FALSE(f.yields_to_self(true, 6, 5, 3, 2, true));  // another term
  f.armed(false);
  CHECK_FALSE(f.yields_to_self(true, 5, 5, 3, 2, true));  // not on a short timer
}

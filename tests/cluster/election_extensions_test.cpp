/// Pre-vote, check-quorum and partial link loss with real actors in real time over the
/// simulated network (the test cluster runs them on, as raft-node does).

#include <catch2/catch.hpp>

#include <thread>

#include "actors/test_cluster.hpp"
#include "cluster_test_util.hpp"

using namespace raft;
using namespace raft::testing;
using namespace std::chrono_literals;

namespace {

/// True when, throughout `window`, all three peers answer, hold `term`, and exactly
/// `leader` leads.
bool keeps_leader_and_term(test_cluster& c, peer_id leader, term_t term,
                           std::chrono::milliseconds window) {
  return throughout(
    [&] {
      for (peer_id id = 1; id <= 3; ++id) {
        auto s = c.get_state(id);
        if (!s || s->term != term || s->is_leader != (id == leader))
          return false;
      }
      return true;
    },
    window);
}

} // namespace

TEST_CASE("pre-vote: a peer rejoining after a partition changes no term and deposes no "
          "leader",
          "[cluster][prevote]") {
  test_cluster c{{}};
  INFO("cluster seed " << c.seed());
  auto leader = c.check_one_leader();
  auto term = c.check_terms();
  peer_id loner = leader % 3 + 1;
  c.disconnect(loner);
  // Several election timeouts pass for the loner: it asks for pre-votes, never campaigns.
  std::this_thread::sleep_for(3s);
  auto st = c.get_state(loner);
  REQUIRE(st);
  CHECK(st->term == term);
  c.connect(loner);
  bool steady = keeps_leader_and_term(c, leader, term, 2s);
  CHECK(steady);
  c.check_safety();
}

TEST_CASE("check-quorum: a leader cut off from the others stops claiming leadership within "
          "the maximum election timeout",
          "[cluster][checkquorum]") {
  test_cluster c{{}};
  INFO("cluster seed " << c.seed());
  auto leader = c.check_one_leader();
  auto cut = std::chrono::steady_clock::now();
  c.disconnect(leader);
  // election_max is 600 ms; allow one heartbeat interval of slack for the next event.
  bool stepped_down = eventually(
    [&] {
      auto st = c.get_state(leader);
      return st && !st->is_leader;
    },
    800ms);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - cut);
  INFO("stepped down after " << took.count() << " ms");
  CHECK(stepped_down);
  CHECK(took >= 500ms); // not before a majority has been silent for about election_max
  // The two others elect a leader of their own.
  auto next = c.check_one_leader();
  CHECK(next != leader);
  c.check_safety();
}

TEST_CASE("losing both directions of one follower's link to the leader changes neither the "
          "leader nor the term",
          "[cluster][prevote]") {
  test_cluster c{{}};
  INFO("cluster seed " << c.seed());
  auto leader = c.check_one_leader();
  auto term = c.check_terms();
  peer_id cut_off = leader % 3 + 1;
  c.set_link(leader, cut_off, false);
  c.set_link(cut_off, leader, false);
  // The cut-off follower times out again and again; the other follower still hears the
  // leader and refuses its pre-votes, and the leader keeps its majority.
  bool steady = keeps_leader_and_term(c, leader, term, 3s);
  CHECK(steady);
  c.check_safety();
}

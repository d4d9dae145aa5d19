/// Pre-vote, check-quorum and partial link loss with real actors in real time over the
/// simulated network (the test cluster runs them on, as raft-node does).

#include <catch2/catch.hpp>

#include <thread>

#include "testing/test_cluster.hpp"
#include "testing/polling.hpp"
#include "core/message.hpp"

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
  peer_id other = 6 - leader - loner;
  constexpr auto pre_votes = kind_index<pre_vote>::value;
  constexpr auto vote_requests = kind_index<request_vote>::value;
  auto pre_votes_before = c.sent_of_kind(loner, pre_votes);
  auto vote_requests_before = c.sent_of_kind(loner, vote_requests);
  auto roles_before = c.role_log().size();
  c.disconnect(loner);
  // The loner's election timer fires (300–600 ms) and it asks both others for pre-votes
  // (counted when sent, though the links drop them). A round of pre-votes lasts one election
  // timeout, at most 600 ms, and asks each peer at once and again every heartbeat interval
  // (100 ms): at most 7 times. So 10 requests to each of the two others prove the timer fired
  // at least twice while the loner was cut off. Meanwhile the majority keeps its leader and
  // term, and the loner stays a follower in that term.
  std::uint64_t asked = 0;
  bool majority_steady = true;
  bool loner_steady = true;
  bool timed_out_and_asked = eventually(
    [&] {
      for (auto id : {leader, other}) {
        auto s = c.get_state(id);
        majority_steady = majority_steady && s && s->term == term && s->is_leader == (id == leader);
      }
      auto s = c.get_state(loner);
      loner_steady = loner_steady && s && s->term == term && !s->is_leader;
      asked = c.sent_of_kind(loner, pre_votes) - pre_votes_before;
      return asked >= 2 * 10;
    },
    10s);
  INFO("pre-votes the loner sent while cut off: " << asked);
  CHECK(timed_out_and_asked);
  CHECK(majority_steady);
  CHECK(loner_steady);
  // It never stood for election: no RequestVote, no candidate role reported.
  CHECK(c.sent_of_kind(loner, vote_requests) == vote_requests_before);
  auto roles = c.role_log();
  for (auto i = roles_before; i < roles.size(); ++i) {
    INFO("peer " << roles[i].peer << " became " << to_string(roles[i].role) << " in term "
                 << roles[i].term);
    CHECK(roles[i].role != role::candidate);
    CHECK(roles[i].term == term);
  }
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
  // election_max is 600 ms; allow one heartbeat interval of slack for the next event. Asked
  // every 10 ms, so that `took` is within 10 ms of the step-down.
  bool stepped_down = eventually(
    [&] {
      auto st = c.get_state(leader);
      return st && !st->is_leader;
    },
    800ms, 10ms);
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

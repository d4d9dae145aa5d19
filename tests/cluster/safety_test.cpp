/// Our stricter bar beyond the course: a killed peer is silent, a minority never elects a
/// leader, and the safety watch itself.

#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

#include "testing/test_cluster.hpp"
#include "testing/polling.hpp"

using namespace raft;
using namespace raft::testing;
using namespace std::chrono_literals;

TEST_CASE("a killed peer sends nothing afterwards, and the others elect a new leader",
          "[cluster][kill]") {
  test_cluster c{{}};
  INFO("cluster seed " << c.seed());
  auto leader = c.check_one_leader();
  c.kill(leader);
  auto sent_at_kill = c.sent_by(leader);
  auto next = c.check_one_leader();
  CHECK(next != leader);
  // Well past any timer the killed peer had armed (heartbeat 100 ms, election ≤ 600 ms).
  std::this_thread::sleep_for(1s);
  CHECK(c.sent_by(leader) == sent_at_kill);
  CHECK_FALSE(c.get_state(leader).has_value());
  c.check_safety();
}

/// Finds the leader's term by the role log: the term in which `id` became leader last.
static term_t leader_term(const test_cluster& c, peer_id id) {
  term_t t = 0;
  for (auto& r : c.role_log())
    if (r.peer == id && r.role == role::leader)
      t = std::max(t, r.term);
  return t;
}

static void minority_never_elects(bool leader_in_minority) {
  test_cluster::options opts;
  opts.peers = 5;
  test_cluster c{opts};
  INFO("cluster seed " << c.seed());
  auto old_leader = c.check_one_leader();
  auto old_term = leader_term(c, old_leader);
  // Two peers in the minority, three in the majority; the leader on the chosen side.
  std::vector<peer_id> minority, majority;
  for (peer_id id = 1; id <= 5; ++id)
    if (id != old_leader)
      (minority.size() < (leader_in_minority ? 1u : 2u) ? minority : majority).push_back(id);
  (leader_in_minority ? minority : majority).push_back(old_leader);
  REQUIRE(minority.size() == 2);
  REQUIRE(majority.size() == 3);
  auto log_mark = c.role_log().size();
  c.partition({minority, majority});

  // The majority has (or elects) a leader within 5 s.
  std::optional<peer_id> majority_leader;
  CHECK(eventually(
    [&] {
      for (auto id : majority)
        if (auto st = c.get_state(id); st && st->is_leader)
          return (majority_leader = id).has_value();
      return false;
    },
    5s));
  // Give the minority time for several election rounds of its own (timeouts ≤ 600 ms).
  std::this_thread::sleep_for(3s);
  auto log = c.role_log();
  for (std::size_t i = log_mark; i < log.size(); ++i) {
    bool in_minority = std::count(minority.begin(), minority.end(), log[i].peer) > 0;
    INFO("peer " << log[i].peer << " became " << to_string(log[i].role) << " in term "
                 << log[i].term);
    CHECK_FALSE((in_minority && log[i].role == role::leader));
  }
  if (leader_in_minority) {
    REQUIRE(majority_leader);
    CHECK(leader_term(c, *majority_leader) > old_term);
  } else {
    CHECK(majority_leader == old_leader);
  }
  // Healed, the cluster settles on one leader again.
  c.partition({{1, 2, 3, 4, 5}});
  c.check_one_leader();
  c.check_safety();
}

TEST_CASE("a minority partition never elects a leader while the majority side keeps or "
          "elects one",
          "[cluster][partition]") {
  SECTION("with the old leader in the minority") {
    minority_never_elects(true);
  }
  SECTION("with the old leader in the majority") {
    minority_never_elects(false);
  }
}

TEST_CASE("a restarted peer comes back with its persisted term and vote", "[cluster][restart]") {
  test_cluster c{{}};
  INFO("cluster seed " << c.seed());
  auto leader = c.check_one_leader();
  auto term = c.check_terms();
  peer_id follower = leader % 3 + 1;
  // Cut off, the restarted peer can learn its term and vote only from its store; it is asked
  // at once, and cut off it could not change them anyway (pre-vote: it asks, hears nothing,
  // and neither raises its term nor votes).
  c.disconnect(follower);
  auto before = c.held_term_and_vote(follower);
  REQUIRE(before);
  CHECK(before->current_term == term);
  // The follower voted in this term: the leader's RequestVote reached it (the network is
  // reliable), and it granted it unless it stood itself and voted for itself. So there is a
  // vote to lose, and the store holds exactly what the peer held.
  REQUIRE(before->voted_for);
  CHECK(c.stored_term_and_vote(follower) == *before);
  c.crash(follower);
  c.restart(follower);
  auto after = c.held_term_and_vote(follower);
  REQUIRE(after);
  INFO("before the crash: term " << before->current_term << ", vote " << *before->voted_for);
  CHECK(after->current_term == term);
  CHECK(after->voted_for == before->voted_for);
  auto st = c.get_state(follower);
  REQUIRE(st);
  CHECK(st->term == term);
  CHECK_FALSE(st->is_leader);
  c.connect(follower);
  c.check_one_leader();
  c.check_safety();
}

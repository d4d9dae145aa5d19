/// Rule tests for the election extensions (core/node.hpp): pre-vote (Raft thesis §9.6),
/// check-quorum (thesis §6.2: a leader steps down when it cannot reach a majority), and the
/// crash fast path. Time is passed explicitly, in milliseconds from 0.

#include <catch2/catch.hpp>

#include "extension_driver.hpp"

using namespace raft;
using namespace raft_test;
using std::chrono::milliseconds;

TEST_CASE("with pre-vote, a follower whose election timer fires asks every other peer for a "
          "pre-vote for term + 1 and changes neither its term nor its vote (thesis §9.6)",
          "[rules][prevote]") {
  driver d{1, cluster_of(3), restored(4, 2)};
  d.start(0);
  auto& fx = d.election_timeout(400);
  CHECK(d.n.role() == role::follower);
  CHECK(d.n.pre_voting());
  CHECK(d.n.current_term() == 4);
  CHECK(d.n.voted_for() == peer_id{2});
  CHECK(count_of<persist>(fx) == 0);
  CHECK(recipients_of<pre_vote>(fx) == std::set<peer_id>{2, 3});
  for (auto& [to, pv] : sent<pre_vote>(fx)) {
    CHECK(pv.term == 5);
    CHECK(pv.candidate_id == 1);
  }
  CHECK(sent<request_vote>(fx).empty());
  CHECK(count_of<arm_election_timer>(fx) == 1); // a new round if nobody answers
}

TEST_CASE("a node cut off from the others never raises its term while it asks for "
          "pre-votes (thesis §9.6)",
          "[rules][prevote]") {
  driver d{1, cluster_of(5)};
  d.start(0);
  for (long t = 1; t <= 50; ++t)
    d.election_timeout(t * 600);
  CHECK(d.n.current_term() == 0);
  CHECK_FALSE(d.n.voted_for());
}

TEST_CASE("a pre-vote is granted only for a higher term, to a log at least as up to date, by "
          "a peer that has not heard from a live leader within the minimum election timeout "
          "(thesis §9.6, §5.4.1)",
          "[rules][prevote]") {
  driver d{2, cluster_of(3), restored(3, std::nullopt, log_with_terms({1, 3}))};
  d.start(0);
  d.receive(heartbeat(3, 1, 2, 3), 100); // leader 1 of term 3 heard at 100 ms

  SECTION("refused while the leader was heard within election_min") {
    auto& fx = d.receive(pre_vote{4, 3, 2, 3}, 399);
    auto r = the_only_sent<pre_vote_reply>(fx, 3);
    CHECK_FALSE(r.vote_granted);
    CHECK(r.term == 3);
  }
  SECTION("granted once election_min has passed without the leader; nothing changes") {
    auto& fx = d.receive(pre_vote{4, 3, 2, 3}, 400);
    auto r = the_only_sent<pre_vote_reply>(fx, 3);
    CHECK(r.vote_granted);
    CHECK(r.term == 4);
    CHECK(count_of<persist>(fx) == 0);
    CHECK(count_of<arm_election_timer>(fx) == 0);
    CHECK(d.n.current_term() == 3);
    CHECK_FALSE(d.n.voted_for());
  }
  SECTION("refused for a term that is not higher than ours") {
    auto r = the_only_sent<pre_vote_reply>(d.receive(pre_vote{3, 3, 2, 3}, 1000), 3);
    CHECK_FALSE(r.vote_granted);
  }
  SECTION("refused to a staler log") {
    auto r = the_only_sent<pre_vote_reply>(d.receive(pre_vote{4, 3, 1, 3}, 1000), 3);
    CHECK_FALSE(r.vote_granted);
    r = the_only_sent<pre_vote_reply>(d.receive(pre_vote{4, 3, 5, 2}, 1000), 3);
    CHECK_FALSE(r.vote_granted);
  }
}

TEST_CASE("a leader refuses every pre-vote: it is the live leader (thesis §9.6)",
          "[rules][prevote]") {
  driver d{1, cluster_of(3)};
  make_leader(d, 2, 400);
  auto r = the_only_sent<pre_vote_reply>(d.receive(pre_vote{9, 3}, 500), 3);
  CHECK_FALSE(r.vote_granted);
  CHECK(d.n.current_term() == 1);
}

TEST_CASE("a majority of pre-votes starts a real election in term + 1, and a refusal or a grant "
          "for another term does not (thesis §9.6, §5.2)",
          "[rules][prevote]") {
  driver d{1, cluster_of(5)};
  d.start(0);
  d.election_timeout(400);
  d.receive(pre_vote_reply{1, true, 2}, 401);
  d.receive(pre_vote_reply{0, false, 3}, 402);
  d.receive(pre_vote_reply{7, true, 4}, 403); // a grant for another term
  CHECK(d.n.role() == role::follower);
  auto& fx = d.receive(pre_vote_reply{1, true, 5}, 404);
  CHECK(d.n.role() == role::candidate);
  CHECK(d.n.current_term() == 1);
  CHECK(d.n.voted_for() == peer_id{1});
  CHECK(count_of<persist>(fx) == 1);
  CHECK(recipients_of<request_vote>(fx) == std::set<peer_id>{2, 3, 4, 5});
}

TEST_CASE("a pre-vote grant never raises the asker's term or changes its vote, whatever term it "
          "carries, and a majority of grants makes it candidate in exactly term + 1 (thesis §9.6)",
          "[rules][prevote]") {
  driver d{1, cluster_of(5), restored(4, 2)}; // voted for 2 in term 4
  d.start(0);
  d.election_timeout(400); // asks for pre-votes for term 5
  // A grant echoes the term asked about (5); one for another term (9) counts for nothing.
  // Neither is a term to adopt: the asker stays in term 4 with its vote for 2.
  for (auto grant : {pre_vote_reply{5, true, 2}, pre_vote_reply{9, true, 3}}) {
    auto& fx = d.receive(grant, 401);
    CHECK(d.n.current_term() == 4);
    CHECK(d.n.voted_for() == peer_id{2});
    CHECK(d.n.role() == role::follower);
    CHECK(d.n.pre_voting());
    CHECK(count_of<persist>(fx) == 0);
    CHECK(count_of<role_changed>(fx) == 0);
  }
  // The third yes (self, 2 and 4) is a majority of five: a real election in term 5, not 9.
  auto& fx = d.receive(pre_vote_reply{5, true, 4}, 402);
  CHECK(d.n.role() == role::candidate);
  CHECK(d.n.current_term() == 5);
  CHECK(d.n.voted_for() == peer_id{1});
  CHECK(the_only<persist>(fx).current_term == 5);
}

TEST_CASE("a pre-vote refusal from a peer in a higher term makes the asker its follower in that "
          "term, with no vote and no pre-vote round (§5.1)",
          "[rules][prevote]") {
  driver e{1, cluster_of(3), restored(4, 2)};
  e.start(0);
  e.election_timeout(400);
  auto& fx = e.receive(pre_vote_reply{6, false, 3}, 401);
  CHECK(e.n.current_term() == 6);
  CHECK_FALSE(e.n.voted_for());
  CHECK(e.n.role() == role::follower);
  CHECK_FALSE(e.n.pre_voting());
  CHECK(the_only<persist>(fx).current_term == 6);
}

TEST_CASE("with pre-vote, a candidate whose election times out asks for pre-votes again in its "
          "own term, keeping its vote for itself, instead of raising the term (thesis §9.6)",
          "[rules][prevote][candidacy]") {
  driver d{1, cluster_of(3)};
  d.start(0);
  d.election_timeout(400);
  d.receive(pre_vote_reply{1, true, 2}, 401);
  REQUIRE(d.n.role() == role::candidate);
  REQUIRE(d.n.current_term() == 1);
  auto& fx = d.election_timeout(1000); // no vote came back
  CHECK(d.n.role() == role::follower);
  CHECK(d.n.pre_voting());
  CHECK(d.n.current_term() == 1);
  CHECK(d.n.voted_for() == peer_id{1});
  CHECK(count_of<persist>(fx) == 0);
  CHECK(the_only<role_changed>(fx).role == role::follower);
  CHECK(sent<request_vote>(fx).empty());
  CHECK(recipients_of<pre_vote>(fx) == std::set<peer_id>{2, 3});
  for (auto& [to, pv] : sent<pre_vote>(fx))
    CHECK(pv.term == 2);
  // A late vote for the abandoned election wins nothing...
  d.receive(vote_reply(1, true, 2), 1001);
  CHECK_FALSE(d.n.is_leader());
  // ...and a majority of pre-votes starts the next election, in term 2.
  auto& stand = d.receive(pre_vote_reply{2, true, 3}, 1002);
  CHECK(d.n.role() == role::candidate);
  CHECK(d.n.current_term() == 2);
  CHECK(the_only<persist>(stand).current_term == 2);
  CHECK(recipients_of<request_vote>(stand) == std::set<peer_id>{2, 3});
}

TEST_CASE("with pre-vote, a candidate cut off from the others stays in the term of its election "
          "however many times its election times out (thesis §9.6)",
          "[rules][prevote][candidacy]") {
  driver d{1, cluster_of(5)};
  d.start(0);
  d.election_timeout(400);
  d.receive(pre_vote_reply{1, true, 2}, 401);
  d.receive(pre_vote_reply{1, true, 3}, 401);
  REQUIRE(d.n.role() == role::candidate);
  for (long t = 1; t <= 50; ++t) {
    d.heartbeat_timeout(400 + t * 600 - 300); // the retries go unanswered too
    d.election_timeout(400 + t * 600);
  }
  CHECK(d.n.current_term() == 1);
  CHECK(d.n.voted_for() == peer_id{1});
  CHECK(d.n.role() == role::follower);
  CHECK(d.n.pre_voting());
}

TEST_CASE("a candidate with the injected bug candidate_skips_pre_vote raises its term at every "
          "election timeout, as a candidate did before pre-vote covered every candidacy",
          "[rules][prevote][candidacy][bugs]") {
  auto o = node::with_defaults(1, cluster_of(3), timing{}, 7);
  o.injected_bugs = bug_candidate_skips_pre_vote;
  driver d{o};
  d.start(0);
  d.election_timeout(400);
  d.receive(pre_vote_reply{1, true, 2}, 401);
  REQUIRE(d.n.current_term() == 1);
  for (long t = 1; t <= 5; ++t)
    d.election_timeout(400 + t * 600);
  CHECK(d.n.role() == role::candidate);
  CHECK(d.n.current_term() == 6);
}

TEST_CASE("a rejoining node cannot depose a healthy leader: its pre-votes are refused while "
          "the others hear the leader, and no term changes (thesis §9.6)",
          "[rules][prevote]") {
  driver leader{1, cluster_of(3)}, follower{2, cluster_of(3)}, rejoining{3, cluster_of(3)};
  make_leader(leader, 2, 400);
  follower.start(0);
  follower.receive(heartbeat(1, 1), 450);
  rejoining.start(0);
  // Cut off, node 3 has asked for pre-votes many times; it comes back at 5 s.
  for (long t = 600; t < 5000; t += 450)
    rejoining.election_timeout(t);
  REQUIRE(rejoining.n.current_term() == 0);
  for (long t = 500; t < 6000; t += 100) {
    follower.receive(heartbeat(1, 1), t);
    leader.heartbeat_timeout(t);
    leader.receive(heartbeat_reply(1, true, 2), t);
  }
  auto& ask = rejoining.election_timeout(6000);
  for (auto& [to, pv] : sent<pre_vote>(ask)) {
    auto& answer = to == 1 ? leader.receive(pv, 6001) : follower.receive(pv, 6001);
    auto r = the_only_sent<pre_vote_reply>(answer, 3);
    CHECK_FALSE(r.vote_granted);
    rejoining.receive(r, 6002);
  }
  CHECK(leader.n.is_leader());
  CHECK(leader.n.current_term() == 1);
  CHECK(follower.n.current_term() == 1);
  CHECK(rejoining.n.role() == role::follower);
  CHECK(rejoining.n.current_term() == 1); // learned from the refusals, without an election
}

TEST_CASE("check-quorum: a leader that has heard from no majority within the maximum election "
          "timeout steps down at its next event, before it sends anything (thesis §6.2)",
          "[rules][checkquorum]") {
  driver d{1, cluster_of(3)};
  make_leader(d, 2, 400);
  d.heartbeat_timeout(500);
  d.receive(heartbeat_reply(1, true, 2), 501);
  // Silence from everyone; at 501 + 600 ms the window has just not passed.
  d.heartbeat_timeout(1101);
  CHECK(d.n.is_leader());
  auto& fx = d.heartbeat_timeout(1102);
  CHECK_FALSE(d.n.is_leader());
  CHECK(d.n.role() == role::follower);
  CHECK(d.n.current_term() == 1);
  CHECK(sent<append_entries>(fx).empty());
  CHECK(count_of<arm_election_timer>(fx) == 1);
}

TEST_CASE("check-quorum: a leader that keeps hearing from a majority stays leader for good",
          "[rules][checkquorum]") {
  driver d{1, cluster_of(5)};
  d.start(0);
  d.election_timeout(400);
  for (peer_id p : {2, 3})
    d.receive(pre_vote_reply{1, true, p}, 400);
  for (peer_id p : {2, 3})
    d.receive(vote_reply(1, true, p), 400);
  REQUIRE(d.n.is_leader());
  for (long t = 500; t < 20000; t += 100) {
    d.heartbeat_timeout(t);
    d.receive(heartbeat_reply(1, true, 2), t + 1); // 2 and 3 answer; 4 and 5 never do
    d.receive(heartbeat_reply(1, true, 3), t + 1);
  }
  CHECK(d.n.is_leader());
}

TEST_CASE("a leader frozen longer than the maximum election timeout steps down at the first "
          "event after it thaws, even a status query, and sends nothing as leader",
          "[rules][checkquorum]") {
  driver d{1, cluster_of(3)};
  make_leader(d, 2, 400);
  d.receive(heartbeat_reply(1, true, 2), 450);
  auto& fx = d.tick(5000); // frozen from 450 ms to 5 s
  CHECK_FALSE(d.n.is_leader());
  CHECK(sent<append_entries>(fx).empty());
  CHECK(sent<append_entries>(d.heartbeat_timeout(5000)).empty());
}

TEST_CASE("crash fast path: when the connection to its leader drops, a follower asks for "
          "pre-votes within half a heartbeat instead of a whole election timeout",
          "[rules][fastpath]") {
  driver d{2, cluster_of(3)};
  d.start(0);
  d.receive(heartbeat(1, 1), 100);
  auto& fx = d.lost(1, 150);
  REQUIRE(count_of<arm_election_timer>(fx) == 1);
  REQUIRE(d.last_election_delay);
  CHECK(*d.last_election_delay >= milliseconds(10));
  CHECK(*d.last_election_delay <= milliseconds(50));
  auto& ask = d.election_timeout(190);
  CHECK(recipients_of<pre_vote>(ask) == std::set<peer_id>{1, 3});
}

TEST_CASE("crash fast path: a peer grants the early pre-vote only once its own connection to "
          "the leader is down too, so one lost link changes nothing",
          "[rules][fastpath]") {
  driver d{3, cluster_of(3)};
  d.start(0);
  d.receive(heartbeat(1, 1), 100);
  auto r = the_only_sent<pre_vote_reply>(d.receive(pre_vote{2, 2}, 160), 2);
  CHECK_FALSE(r.vote_granted); // 3 still hears leader 1
  d.lost(1, 161);
  r = the_only_sent<pre_vote_reply>(d.receive(pre_vote{2, 2}, 162), 2);
  CHECK(r.vote_granted); // now 3 has lost it too
  d.restored(1, 163);
  r = the_only_sent<pre_vote_reply>(d.receive(pre_vote{2, 2}, 164), 2);
  CHECK_FALSE(r.vote_granted);
}

TEST_CASE("a dropped connection to a peer that is not the leader arms no early election",
          "[rules][fastpath]") {
  driver d{2, cluster_of(3)};
  d.start(0);
  d.receive(heartbeat(1, 1), 100);
  CHECK(count_of<arm_election_timer>(d.lost(3, 150)) == 0);
}

TEST_CASE("kind_index gives each message type its position in raft::message", "[rules]") {
  STATIC_REQUIRE(kind_index<request_vote>::value == 0);
  STATIC_REQUIRE(kind_index<append_entries>::value == 2);
  STATIC_REQUIRE(kind_index<pre_vote_reply>::value == 5);
  CHECK(message{pre_vote{}}.index() == kind_index<pre_vote>::value);
}

TEST_CASE("crash fast path: refused early pre-votes are retried on the short timer for four "
          "rounds in all, its window doubling each round, then the follower falls back to full "
          "election timeouts",
          "[rules][fastpath]") {
  driver d{2, cluster_of(3)};
  follow_then_lose_leader(d);
  long t = 150;
  for (int round = 1; round <= node::fast_path_rounds; ++round) {
    INFO("round " << round);
    auto window = milliseconds(50) * (1 << (round - 1)); // 50, 100, 200, 400 ms
    REQUIRE(d.last_election_delay);
    CHECK(*d.last_election_delay >= milliseconds(10));
    CHECK(*d.last_election_delay <= window);
    t += static_cast<long>(window.count());
    auto& ask = d.election_timeout(t);
    REQUIRE(recipients_of<pre_vote>(ask) == std::set<peer_id>{1, 3});
    d.receive(pre_vote_reply{1, false, 3}, t + 1); // 3 still hears the leader
  }
  REQUIRE(d.last_election_delay);
  CHECK(*d.last_election_delay >= milliseconds(300));
  CHECK(d.n.current_term() == 1);
}

TEST_CASE("crash fast path: after a split vote the candidate asks for pre-votes again on the "
          "short timer, in its own term, and the next election follows one round trip later",
          "[rules][fastpath]") {
  driver d{2, cluster_of(3)};
  follow_then_lose_leader(d);
  d.election_timeout(180);
  d.receive(pre_vote_reply{2, true, 3}, 181);
  REQUIRE(d.n.role() == role::candidate);
  REQUIRE(d.last_election_delay);
  CHECK(*d.last_election_delay <= milliseconds(200)); // the third short timer: 10–200 ms
  d.receive(vote_reply(2, false, 3), 182); // 3 stood at the same moment and voted for itself
  auto& ask = d.election_timeout(390);
  CHECK(d.n.role() == role::follower);
  CHECK(d.n.pre_voting());
  CHECK(d.n.current_term() == 2);
  CHECK(d.n.voted_for() == peer_id{2});
  CHECK(count_of<persist>(ask) == 0);
  CHECK(recipients_of<pre_vote>(ask) == std::set<peer_id>{1, 3});
  for (auto& [to, pv] : sent<pre_vote>(ask))
    CHECK(pv.term == 3);
  CHECK(*d.last_election_delay <= milliseconds(400)); // the fourth short timer: 10–400 ms
  // 3, a candidate of term 2 that knows no leader, grants; 2 stands in term 3.
  auto& fx = d.receive(pre_vote_reply{3, true, 3}, 395);
  CHECK(d.n.role() == role::candidate);
  CHECK(d.n.current_term() == 3);
  CHECK(recipients_of<request_vote>(fx) == std::set<peer_id>{1, 3});
}

TEST_CASE("crash fast path: a heartbeat that arrives after the connection to its leader was "
          "reported down renews nothing, and the early pre-vote still goes out",
          "[rules][fastpath]") {
  // The leader sent it just before it died; the report overtook it.
  driver d{2, cluster_of(3)};
  follow_then_lose_leader(d);
  auto gen = d.election_gen;
  auto& fx = d.receive(heartbeat(1, 1), 152);
  CHECK(count_of<arm_election_timer>(fx) == 0); // the short timer stays armed
  CHECK(d.election_gen == gen);
  CHECK(recipients_of<pre_vote>(d.election_timeout(190)) == std::set<peer_id>{1, 3});
  // And the other follower, also told, grants: the stale heartbeat gave no lease.
  driver o{3, cluster_of(3)};
  follow_then_lose_leader(o);
  o.receive(heartbeat(1, 1), 151);
  CHECK(the_only_sent<pre_vote_reply>(o.receive(pre_vote{2, 2}, 190), 2).vote_granted);
}

TEST_CASE("crash fast path: of two followers asking for pre-votes at once with equally fresh "
          "logs, the lower id is granted and the higher refused, so they do not split the vote",
          "[rules][fastpath]") {
  driver d{3, cluster_of(4)}; // 1 was leader; 2, 3 and 4 follow
  follow_then_lose_leader(d);
  auto& ask = d.election_timeout(170); // 3 asks for pre-votes on the short timer
  REQUIRE(recipients_of<pre_vote>(ask).count(4) == 1);
  CHECK_FALSE(the_only_sent<pre_vote_reply>(d.receive(pre_vote{2, 4}, 171), 4).vote_granted);
  CHECK(the_only_sent<pre_vote_reply>(d.receive(pre_vote{2, 2}, 172), 2).vote_granted);
}

TEST_CASE("crash fast path: a follower that grants a pre-vote drops its own round and restarts "
          "its short timer, so the asker's RequestVote finds it unvoted",
          "[rules][fastpath]") {
  driver d{3, cluster_of(3)};
  follow_then_lose_leader(d);
  d.election_timeout(170); // 3 asks for pre-votes
  auto gen = d.election_gen;
  auto& fx = d.receive(pre_vote{2, 2}, 171);
  CHECK(the_only_sent<pre_vote_reply>(fx, 2).vote_granted);
  REQUIRE(count_of<arm_election_timer>(fx) == 1);
  CHECK(d.election_gen != gen);
  CHECK(*d.last_election_delay <= milliseconds(100)); // still a short timer
  // A late grant for 3's dropped round no longer makes it a candidate...
  d.receive(pre_vote_reply{2, true, 1}, 172);
  CHECK(d.n.role() == role::follower);
  // ...and 2's RequestVote gets 3's vote.
  auto r = the_only_sent<request_vote_reply>(d.receive(request_vote{2, 2, 0, 0}, 180), 2);
  CHECK(r.vote_granted);
}

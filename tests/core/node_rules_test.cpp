/// Figure 2, "Rules for Servers": all servers, followers, candidates and leaders, as far as
/// they concern leader election (§5.1, §5.2).

#include <catch2/catch.hpp>

#include "tests/core/core_test_util.hpp"

using namespace raft_test;

// ---------------------------------------------------------------------------------------
// All servers
// ---------------------------------------------------------------------------------------

TEST_CASE("all servers: if an RPC request or response contains term T > currentTerm, set "
          "currentTerm = T and convert to follower (§5.1)",
          "[rules][all-servers]") {
  auto k = GENERATE(kind::request_vote, kind::request_vote_reply, kind::append_entries,
                    kind::append_entries_reply);
  auto r = GENERATE(role::follower, role::candidate, role::leader);
  CAPTURE(name_of(k), to_string(r));
  // Every node has a log ending at (1, term 1), so the request_vote below, which carries an
  // empty log, is refused: the vote cleared by the new term stays cleared.
  auto d = in_role(r, options_for(1, cluster_of(3)), restored(1, 2, log_with_terms({1})));
  auto before = d.n.current_term();
  auto t = before + 3;

  auto fx = d.receive(message_of(k, t, 2));
  CHECK(d.n.current_term() == t);
  CHECK(d.n.role() == role::follower);
  CHECK_FALSE(d.n.voted_for()); // no vote given in the new term
  CHECK(d.n.votes_received().empty());
  CHECK(the_only<persist>(fx).current_term == t);
  auto changed = the_only<role_changed>(fx);
  CHECK(changed.role == role::follower);
  CHECK(changed.term == t);
  if (k == kind::append_entries) {
    // The sender is the leader of term T: the node knows it and accepts the heartbeat.
    CHECK(d.n.leader() == peer_id{2});
    CHECK(the_only_sent<append_entries_reply>(fx, 2) == append_entries_reply{t, true, 1});
  } else {
    CHECK_FALSE(d.n.leader());
  }
  if (k == kind::request_vote)
    CHECK(the_only_sent<request_vote_reply>(fx, 2) == request_vote_reply{t, false, 1});
  if (k == kind::request_vote_reply || k == kind::append_entries_reply)
    CHECK(count_of<send>(fx) == 0);
}

TEST_CASE("all servers: a new term clears votedFor, so a server that voted in term 1 can vote "
          "in term 2 (§5.1, §5.2)",
          "[rules][all-servers][vote]") {
  auto d = started(options_for(1, cluster_of(3)));
  d.receive(vote_request(1, 2));
  REQUIRE(d.n.voted_for() == peer_id{2});
  auto fx = d.receive(heartbeat_reply(2, false, 3)); // any message of term 2
  CHECK(d.n.current_term() == 2);
  CHECK_FALSE(d.n.voted_for());
  CHECK(the_only<persist>(fx).voted_for == std::nullopt);
  fx = d.receive(vote_request(2, 3));
  CHECK(the_only_sent<request_vote_reply>(fx, 3) == request_vote_reply{2, true, 1});
}

TEST_CASE("all servers: currentTerm never decreases, and a message of an older term "
          "changes neither the term nor the role (§5.1)",
          "[rules][all-servers]") {
  auto k = GENERATE(kind::request_vote, kind::request_vote_reply, kind::append_entries,
                    kind::append_entries_reply);
  auto r = GENERATE(role::follower, role::candidate, role::leader);
  CAPTURE(name_of(k), to_string(r));
  auto d = in_role(r, options_for(1, cluster_of(3)), restored(5));
  auto term = d.n.current_term();
  auto vote = d.n.voted_for();
  auto leader = d.n.leader();
  for (term_t old : {term - 1, term_t{1}, term_t{0}}) {
    auto fx = d.receive(message_of(k, old, 2));
    CHECK(d.n.current_term() == term);
    CHECK(d.n.role() == r);
    CHECK(d.n.voted_for() == vote);
    CHECK(d.n.leader() == leader);
    CHECK(count_of<persist>(fx) == 0);
    CHECK(count_of<role_changed>(fx) == 0);
    CHECK(count_of<arm_election_timer>(fx) == 0);
    // Requests are answered with the current term so the sender can update itself.
    for (const auto& s : effects_of<send>(fx)) {
      CHECK(s.to == 2);
      CHECK(term_of(s.msg) == term);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Followers
// ---------------------------------------------------------------------------------------

TEST_CASE("followers: if election timeout elapses without receiving AppendEntries from the "
          "current leader or granting a vote, convert to candidate (§5.2)",
          "[rules][follower]") {
  SECTION("a fresh follower") {
    auto d = started(options_for(1, cluster_of(3)));
    d.fire_election();
    CHECK(d.n.role() == role::candidate);
    CHECK(d.n.current_term() == 1);
  }
  SECTION("a follower that knew a leader") {
    auto d = started(options_for(1, cluster_of(3)));
    d.receive(heartbeat(3, 2));
    REQUIRE(d.n.leader() == peer_id{2});
    d.fire_election();
    CHECK(d.n.role() == role::candidate);
    CHECK(d.n.current_term() == 4);
    CHECK_FALSE(d.n.leader());
  }
}

TEST_CASE("followers: an AppendEntries from the current leader restarts the election timer, and "
          "the timer armed before it is then ignored (§5.2)",
          "[rules][follower][timer]") {
  auto d = started(options_for(1, cluster_of(3)));
  auto g0 = *d.election_gen;

  auto fx = d.receive(heartbeat(1, 2));
  auto g1 = the_only<arm_election_timer>(fx).generation;
  CHECK(g1 != g0);
  CHECK(d.fire_election(g0).empty());
  CHECK(d.n.role() == role::follower);
  CHECK(d.n.leader() == peer_id{2});

  fx = d.receive(heartbeat(1, 2)); // a second heartbeat restarts it again
  auto g2 = the_only<arm_election_timer>(fx).generation;
  CHECK(g2 != g1);
  CHECK(g2 != g0);
  CHECK(d.fire_election(g1).empty());
  CHECK(d.n.role() == role::follower);

  d.fire_election(g2);
  CHECK(d.n.role() == role::candidate);
  CHECK(d.n.current_term() == 2);
}

// ---------------------------------------------------------------------------------------
// Candidates
// ---------------------------------------------------------------------------------------

TEST_CASE("candidates: on conversion to candidate, start election: increment currentTerm, vote "
          "for self, reset election timer, send RequestVote RPCs to all other servers (§5.2)",
          "[rules][candidate]") {
  // Peer 3 of five, at term 2 with a log ending at (index 2, term 2).
  auto d = started(options_for(3, cluster_of(5)), restored(2, std::nullopt, log_with_terms({1, 2})));
  auto g0 = *d.election_gen;
  auto fx = d.fire_election();

  CHECK(d.n.role() == role::candidate);
  CHECK(d.n.current_term() == 3);
  CHECK(d.n.voted_for() == peer_id{3});
  CHECK(d.n.votes_received() == std::set<peer_id>{3});
  CHECK_FALSE(d.n.leader());

  auto p = the_only<persist>(fx);
  CHECK(p.current_term == 3);
  CHECK(p.voted_for == peer_id{3});
  auto changed = the_only<role_changed>(fx);
  CHECK(changed.role == role::candidate);
  CHECK(changed.term == 3);
  CHECK_FALSE(changed.leader);
  CHECK(the_only<arm_election_timer>(fx).generation != g0);
  CHECK(count_of<arm_heartbeat_timer>(fx) == 0);

  CHECK(recipients_of<request_vote>(fx) == std::set<peer_id>{1, 2, 4, 5});
  for (const auto& [to, rv] : sent<request_vote>(fx)) {
    CAPTURE(to);
    CHECK(rv == request_vote{3, 3, 2, 2}); // term, candidate, last log index, last log term
  }
  CHECK(count_of<send>(fx) == 4);
}

TEST_CASE("candidates: if votes received from a majority of servers, become leader, and "
          "not with fewer (§5.2)",
          "[rules][candidate]") {
  auto n = GENERATE(peer_id{3}, peer_id{4}, peer_id{5});
  CAPTURE(n);
  auto d = in_role(role::candidate, options_for(1, cluster_of(n)));
  const std::size_t quorum = n / 2 + 1;
  REQUIRE(d.n.quorum() == quorum);

  // Refusals from every other member count for nothing.
  for (peer_id p = 2; p <= n; ++p)
    d.receive(vote_reply(1, false, p));
  CHECK(d.n.role() == role::candidate);
  CHECK(d.n.votes_received().size() == 1);

  // Grants up to one short of a majority (self included) do not elect.
  peer_id voter = 2;
  while (d.n.votes_received().size() + 1 < quorum) {
    d.receive(vote_reply(1, true, voter++));
    CHECK(d.n.role() == role::candidate);
  }
  // The grant that makes a majority does.
  auto fx = d.receive(vote_reply(1, true, voter));
  CHECK(d.n.is_leader());
  CHECK(d.n.leader() == peer_id{1});
  CHECK(d.n.votes_received().size() == quorum);
  auto changed = the_only<role_changed>(fx);
  CHECK(changed.role == role::leader);
  CHECK(changed.term == 1);
  CHECK(changed.leader == peer_id{1});
}

TEST_CASE("candidates: a vote granted in an older term is not counted (§5.2)",
          "[rules][candidate]") {
  auto d = started(options_for(1, cluster_of(3)));
  make_candidate(d); // term 1
  make_candidate(d); // term 2: the election of term 1 timed out
  REQUIRE(d.n.current_term() == 2);
  auto fx = d.receive(vote_reply(1, true, 2));
  CHECK(d.n.role() == role::candidate);
  CHECK(d.n.votes_received() == std::set<peer_id>{1});
  CHECK(fx.empty());
  d.receive(vote_reply(2, true, 2));
  CHECK(d.n.is_leader());
}

TEST_CASE("candidates: a duplicate vote from the same voter is counted once (§5.2)",
          "[rules][candidate]") {
  auto d = in_role(role::candidate, options_for(1, cluster_of(5)));
  d.receive(vote_reply(1, true, 2));
  d.receive(vote_reply(1, true, 2));
  d.receive(vote_reply(1, true, 2));
  CHECK(d.n.role() == role::candidate);
  CHECK(d.n.votes_received() == std::set<peer_id>{1, 2});
  d.receive(vote_reply(1, true, 4));
  CHECK(d.n.is_leader());
}

TEST_CASE("candidates: if AppendEntries RPC received from new leader, convert to follower "
          "(§5.2)",
          "[rules][candidate]") {
  auto d = in_role(role::candidate, options_for(1, cluster_of(3)));
  auto candidate_timer = *d.election_gen;
  auto fx = d.receive(heartbeat(1, 3));

  CHECK(d.n.role() == role::follower);
  CHECK(d.n.leader() == peer_id{3});
  CHECK(d.n.current_term() == 1);
  CHECK(d.n.voted_for() == peer_id{1}); // the vote of term 1 stays given
  CHECK(d.n.votes_received().empty());
  CHECK(count_of<persist>(fx) == 0);
  auto changed = the_only<role_changed>(fx);
  CHECK(changed.role == role::follower);
  CHECK(changed.leader == peer_id{3});
  CHECK(the_only_sent<append_entries_reply>(fx, 3) == append_entries_reply{1, true, 1});
  // Hearing from the leader restarted the timer; the candidate's own timer is stale.
  CHECK(the_only<arm_election_timer>(fx).generation != candidate_timer);
  CHECK(d.fire_election(candidate_timer).empty());
  CHECK(d.n.role() == role::follower);
  // A late grant of term 1 no longer elects the former candidate.
  d.receive(vote_reply(1, true, 2));
  CHECK(d.n.role() == role::follower);
}

TEST_CASE("candidates: if election timeout elapses, start new election (§5.2)",
          "[rules][candidate]") {
  auto d = in_role(role::candidate, options_for(1, cluster_of(5)));
  d.receive(vote_reply(1, true, 2)); // one grant in term 1, not a majority
  auto fx = d.fire_election();

  CHECK(d.n.role() == role::candidate);
  CHECK(d.n.current_term() == 2);
  CHECK(d.n.voted_for() == peer_id{1});
  CHECK(d.n.votes_received() == std::set<peer_id>{1}); // the grant of term 1 is gone
  CHECK(the_only<persist>(fx).current_term == 2);
  CHECK(count_of<arm_election_timer>(fx) == 1);
  CHECK(recipients_of<request_vote>(fx) == std::set<peer_id>{2, 3, 4, 5});
  for (const auto& [to, rv] : sent<request_vote>(fx))
    CHECK(rv.term == 2);
  // Term 2 needs three grants again.
  d.receive(vote_reply(2, true, 3));
  CHECK(d.n.role() == role::candidate);
  d.receive(vote_reply(2, true, 2));
  CHECK(d.n.is_leader());
}

TEST_CASE("a cluster of one elects itself when its election timer fires (§5.2)",
          "[rules][candidate]") {
  auto d = started(options_for(7, {7}, 42));
  auto fx = d.fire_election();
  CHECK(d.n.is_leader());
  CHECK(d.n.current_term() == 1);
  CHECK(d.n.voted_for() == peer_id{7});
  CHECK(count_of<send>(fx) == 0);
  CHECK(count_of<arm_heartbeat_timer>(fx) == 1);
}

// ---------------------------------------------------------------------------------------
// Leaders
// ---------------------------------------------------------------------------------------

TEST_CASE("leaders: upon election, send initial empty AppendEntries RPCs (heartbeat) to each "
          "server at once and arm the heartbeat timer (§5.2)",
          "[rules][leader]") {
  auto d = started(options_for(2, cluster_of(5)));
  auto fx = make_leader(d);
  CHECK(recipients_of<append_entries>(fx) == std::set<peer_id>{1, 3, 4, 5});
  for (const auto& [to, ae] : sent<append_entries>(fx)) {
    CAPTURE(to);
    auto expected = append_entries{1, 2, 0, 0, {}, 0};
    expected.round = 1; // the first heartbeat round (ReadIndex, thesis §6.4)
    CHECK(ae == expected);
  }
  CHECK(count_of<send>(fx) == 4);
  CHECK(the_only<arm_heartbeat_timer>(fx).after == timing{}.heartbeat);
  CHECK(count_of<arm_election_timer>(fx) == 0); // a leader has no election timer
  CHECK(count_of<persist>(fx) == 0);
}

TEST_CASE("leaders: repeat heartbeats during idle periods to prevent election timeouts (§5.2)",
          "[rules][leader]") {
  auto d = in_role(role::leader, options_for(1, cluster_of(3)));
  auto previous = *d.heartbeat_gen;
  for (int i = 0; i < 5; ++i) {
    auto fx = d.fire_heartbeat();
    CHECK(recipients_of<append_entries>(fx) == std::set<peer_id>{2, 3});
    auto expected = append_entries{1, 1, 0, 0, {}, 0};
    expected.round = static_cast<std::uint64_t>(i) + 2; // each interval is a new round
    for (const auto& [to, ae] : sent<append_entries>(fx))
      CHECK(ae == expected);
    auto armed = the_only<arm_heartbeat_timer>(fx);
    CHECK(armed.after == timing{}.heartbeat);
    CHECK(armed.generation != previous);
    previous = armed.generation;
    CHECK(fx.size() == 3); // two heartbeats and the timer; nothing durable changed
    CHECK(d.n.is_leader());
    CHECK(d.n.current_term() == 1);
  }
}

TEST_CASE("leaders: a heartbeat timer of an older generation is ignored (§5.2)", "[rules][leader][timer]") {
  auto d = in_role(role::leader, options_for(1, cluster_of(3)));
  auto first = *d.heartbeat_gen;
  d.fire_heartbeat();
  REQUIRE(*d.heartbeat_gen != first);
  CHECK(d.fire_heartbeat(first).empty());
  CHECK(d.fire_heartbeat(first + 1000).empty()); // a generation never armed
  CHECK(d.n.is_leader());
}

TEST_CASE("leaders: the election timer armed before winning is ignored when it fires (§5.2)",
          "[rules][leader][timer]") {
  auto d = started(options_for(1, cluster_of(3)));
  make_leader(d);
  auto candidate_timer = *d.election_gen;
  for (std::uint64_t g = 0; g <= candidate_timer + 3; ++g) {
    CAPTURE(g);
    CHECK(d.fire_election(g).empty());
    CHECK(d.n.is_leader());
    CHECK(d.n.current_term() == 1);
  }
}

TEST_CASE("leaders: a leader that sees a higher term steps down to follower, stops sending "
          "heartbeats and arms an election timer (§5.1)",
          "[rules][leader][timer]") {
  auto d = in_role(role::leader, options_for(1, cluster_of(3)));
  auto old_heartbeat = *d.heartbeat_gen;

  SECTION("from a reply") {
    auto fx = d.receive(heartbeat_reply(3, false, 2));
    CHECK(d.n.role() == role::follower);
    CHECK(d.n.current_term() == 3);
    CHECK_FALSE(d.n.leader());
    CHECK(count_of<arm_election_timer>(fx) == 1);
    CHECK(count_of<arm_heartbeat_timer>(fx) == 0);
    CHECK(count_of<send>(fx) == 0);
  }
  SECTION("from a candidate of a higher term, which gets the vote") {
    auto fx = d.receive(vote_request(3, 3));
    CHECK(d.n.role() == role::follower);
    CHECK(the_only_sent<request_vote_reply>(fx, 3) == request_vote_reply{3, true, 1});
    CHECK(count_of<arm_election_timer>(fx) >= 1);
    CHECK(count_of<arm_heartbeat_timer>(fx) == 0);
  }
  SECTION("from the leader of a higher term") {
    auto fx = d.receive(heartbeat(3, 2));
    CHECK(d.n.role() == role::follower);
    CHECK(d.n.leader() == peer_id{2});
    CHECK(count_of<arm_election_timer>(fx) >= 1);
    CHECK(count_of<arm_heartbeat_timer>(fx) == 0);
  }

  // The heartbeat timer of its leadership is stale now.
  CHECK(d.fire_heartbeat(old_heartbeat).empty());
  CHECK(d.n.role() == role::follower);
  // The new election timer runs: when it fires the node stands again.
  d.fire_election();
  CHECK(d.n.role() == role::candidate);
  CHECK(d.n.current_term() == 4);
  // Elected again, its old heartbeat generation stays ignored.
  d.receive(vote_reply(4, true, 2));
  REQUIRE(d.n.is_leader());
  CHECK(d.fire_heartbeat(old_heartbeat).empty());
}

TEST_CASE("leaders: an AppendEntries from a second leader of the same term is rejected, never "
          "obeyed (Election Safety, §5.2)",
          "[rules][leader]") {
  auto d = in_role(role::leader, options_for(1, cluster_of(3)));
  auto fx = d.receive(heartbeat(1, 2));
  CHECK(the_only<message_rejected>(fx).from == 2);
  CHECK(count_of<send>(fx) == 0);
  CHECK(d.n.is_leader());
  CHECK(d.n.current_term() == 1);
}

/// Rule tests for the leader lease on RequestVote (Raft thesis §4.2.3: "if a server receives
/// a RequestVote request within the minimum election timeout of hearing from a current
/// leader, it does not update its term or grant its vote"): a follower in the lease with
/// pre-vote on, and a leader with check-quorum on, ignore a RequestVote of a higher term.
/// Time is passed explicitly, in milliseconds from 0.

#include <catch2/catch.hpp>

#include "extension_driver.hpp"

using namespace raft;
using namespace raft_test;

namespace {

/// Checks that `fx` is the step of a RequestVote from `from` that was ignored: no reply, no
/// state change, no timer reset, one rejection naming the lease.
void check_ignored(const driver& d, const effects& fx, peer_id from, term_t term,
                   const char* reason) {
  CHECK(sent<request_vote_reply>(fx).empty());
  CHECK(effects_of<send>(fx).empty());
  CHECK(count_of<persist>(fx) == 0);
  CHECK(count_of<role_changed>(fx) == 0);
  CHECK(count_of<arm_election_timer>(fx) == 0);
  auto r = the_only<message_rejected>(fx);
  CHECK(r.from == from);
  CHECK_THAT(r.reason, Catch::Contains("request_vote of term") && Catch::Contains(reason) &&
                         Catch::Contains("lease"));
  CHECK(d.n.current_term() == term);
}

} // namespace

TEST_CASE("a follower ignores a RequestVote of a higher term while it heard its leader within "
          "the minimum election timeout, and adopts the term and votes once that has passed "
          "(thesis §4.2.3)",
          "[rules][lease]") {
  driver f{2, cluster_of(3)};
  f.start(0);
  f.receive(heartbeat(1, 1), 100); // leader 1 of term 1, heard at 100 ms
  SECTION("within the lease (up to 100 + 300 ms): ignored") {
    CHECK(f.n.ignores_vote_request(3));
    auto& fx = f.receive(request_vote{2, 3, 0, 0}, 399);
    check_ignored(f, fx, 3, 1, "leader 1 of term 1");
    CHECK_FALSE(f.n.voted_for());
    CHECK(f.n.leader() == peer_id{1});
    CHECK(f.n.role() == role::follower);
    // The lease also refuses the pre-vote the asker would need (the same lease).
    CHECK_FALSE(the_only_sent<pre_vote_reply>(f.receive(pre_vote{2, 3}, 399), 3).vote_granted);
  }
  SECTION("after the lease: the term is adopted and the vote granted (Figure 2)") {
    auto& fx = f.receive(request_vote{2, 3, 0, 0}, 400);
    CHECK(the_only_sent<request_vote_reply>(fx, 3).vote_granted);
    CHECK(f.n.current_term() == 2);
    CHECK(f.n.voted_for() == peer_id{3});
    CHECK(the_only<persist>(fx).current_term == 2);
  }
  SECTION("a heartbeat renews the lease") {
    f.receive(heartbeat(1, 1), 350);
    check_ignored(f, f.receive(request_vote{2, 3, 0, 0}, 600), 3, 1, "leader 1");
  }
}

TEST_CASE("a follower whose connection to its leader is reported down holds no lease and adopts "
          "the term of a RequestVote at once, so the crash fast path still elects in a round "
          "trip",
          "[rules][lease][fastpath]") {
  driver f{3, cluster_of(3)};
  follow_then_lose_leader(f); // heard leader 1 at 100 ms, its connection dropped at 150 ms
  SECTION("no lease at all") {
    CHECK_FALSE(f.n.ignores_vote_request(2));
    auto& fx = f.receive(request_vote{2, 2, 0, 0}, 160);
    CHECK(the_only_sent<request_vote_reply>(fx, 2).vote_granted);
    CHECK(f.n.current_term() == 2);
  }
  SECTION("a heartbeat that arrives after the report (sent before the crash) gives none") {
    f.receive(heartbeat(1, 1), 152);
    CHECK(the_only_sent<request_vote_reply>(f.receive(request_vote{2, 2, 0, 0}, 160), 2)
            .vote_granted);
  }
}

TEST_CASE("a follower's lease does not hold against the leader it follows: a pre-vote or a "
          "RequestVote from that leader shows it has stepped down, and is answered as Figure 2 "
          "and pre-vote say",
          "[rules][lease]") {
  // Leader 1 of term 1 stepped down by check-quorum; a late duplicate of its heartbeat still
  // renewed 2's lease. Its pre-vote is granted, its RequestVote adopted and granted.
  driver f{2, cluster_of(3)};
  f.start(0);
  f.receive(heartbeat(1, 1), 100);
  f.receive(heartbeat(1, 1), 250); // late copy of an old heartbeat
  REQUIRE(f.n.in_leader_lease());
  CHECK(the_only_sent<pre_vote_reply>(f.receive(pre_vote{2, 1, 0, 0}, 260), 1).vote_granted);
  CHECK_FALSE(the_only_sent<pre_vote_reply>(f.receive(pre_vote{2, 3, 0, 0}, 261), 3)
                .vote_granted); // the lease still holds against anyone else
  CHECK(f.n.ignores_vote_request(3));
  CHECK_FALSE(f.n.ignores_vote_request(1));
  auto& fx = f.receive(request_vote{2, 1, 0, 0}, 270);
  CHECK(the_only_sent<request_vote_reply>(fx, 1).vote_granted);
  CHECK(f.n.current_term() == 2);
  CHECK(f.n.voted_for() == peer_id{1});
}

TEST_CASE("a leader with check-quorum ignores a RequestVote of a higher term while it hears from "
          "a majority, and goes on leading its term (thesis §4.2.3)",
          "[rules][lease][checkquorum]") {
  driver d{1, cluster_of(3)};
  make_leader(d, 2, 400);
  d.receive(heartbeat_reply(1, true, 2), 450);
  auto& fx = d.receive(request_vote{5, 3, 0, 0}, 460);
  check_ignored(d, fx, 3, 1, "leads term 1");
  CHECK(d.n.is_leader());
  CHECK(recipients_of<append_entries>(d.heartbeat_timeout(500)) == std::set<peer_id>{2, 3});
}

TEST_CASE("a leader that lost its majority steps down by check-quorum first, and then adopts the "
          "term of a higher RequestVote and votes",
          "[rules][lease][checkquorum]") {
  driver d{1, cluster_of(3)};
  make_leader(d, 2, 400); // every peer counts as heard at 400 ms; nobody answers after
  auto& fx = d.receive(request_vote{5, 3, 0, 0}, 1001);
  CHECK_FALSE(d.n.is_leader());
  CHECK(d.n.current_term() == 5);
  CHECK(the_only_sent<request_vote_reply>(fx, 3).vote_granted);
}

TEST_CASE("without check-quorum a leader holds no lease: it adopts the term of a higher "
          "RequestVote and steps down (Figure 2)",
          "[rules][lease]") {
  auto o = node::with_defaults(1, cluster_of(3), timing{}, 7);
  o.features.check_quorum = false;
  driver d{o};
  make_leader(d, 2, 400);
  auto& fx = d.receive(request_vote{5, 3, 0, 0}, 410);
  CHECK(d.n.role() == role::follower);
  CHECK(d.n.current_term() == 5);
  CHECK(the_only_sent<request_vote_reply>(fx, 3).vote_granted);
}

TEST_CASE("without pre-vote a follower holds no lease: it adopts the term of a higher "
          "RequestVote from a candidate at once (Figure 2)",
          "[rules][lease]") {
  auto o = node::with_defaults(2, cluster_of(3), timing{}, 7);
  o.features.pre_vote = false;
  driver f{o};
  f.start(0);
  f.receive(heartbeat(1, 1), 100);
  auto& fx = f.receive(request_vote{2, 3, 0, 0}, 150);
  CHECK(f.n.current_term() == 2);
  CHECK(the_only_sent<request_vote_reply>(fx, 3).vote_granted);
}

TEST_CASE("a pre-voting follower and a candidate know no leader, hold no lease, and adopt the "
          "term of a higher RequestVote at once",
          "[rules][lease]") {
  driver d{1, cluster_of(3)};
  d.start(0);
  d.receive(heartbeat(1, 2), 100);
  d.election_timeout(450); // leader 2 silent since 100 ms: asks for pre-votes
  REQUIRE(d.n.pre_voting());
  SECTION("pre-voting") {
    CHECK(the_only_sent<request_vote_reply>(d.receive(request_vote{2, 3, 0, 0}, 451), 3)
            .vote_granted);
    CHECK(d.n.current_term() == 2);
  }
  SECTION("candidate") {
    d.receive(pre_vote_reply{2, true, 3}, 452);
    REQUIRE(d.n.role() == role::candidate);
    d.receive(request_vote{3, 3, 0, 0}, 453);
    CHECK(d.n.current_term() == 3);
    CHECK(d.n.role() == role::follower);
  }
}

TEST_CASE("the lease decides no vote: a RequestVote of the current term is answered, and once "
          "the lease is over a candidate of a higher term with a staler log still gets no vote "
          "(§5.4.1)",
          "[rules][lease]") {
  driver f{2, cluster_of(3), restored(3, std::nullopt, log_with_terms({1, 3}))};
  f.start(0);
  f.receive(heartbeat(3, 1, 2, 3), 100); // leader 1 of term 3
  // Same term: not the lease's business; Figure 2 grants (no vote yet, log as fresh).
  CHECK(the_only_sent<request_vote_reply>(f.receive(request_vote{3, 3, 2, 3}, 150), 3)
          .vote_granted);
  // After the lease, a higher term with a staler last entry: term adopted, vote refused.
  auto& fx = f.receive(request_vote{4, 3, 1, 3}, 400);
  CHECK(f.n.current_term() == 4);
  CHECK_FALSE(the_only_sent<request_vote_reply>(fx, 3).vote_granted);
  CHECK_FALSE(f.n.voted_for());
}

TEST_CASE("a follower with the injected bug ignore_vote_lease adopts the term of a higher "
          "RequestVote within its lease",
          "[rules][lease][bugs]") {
  auto o = node::with_defaults(2, cluster_of(3), timing{}, 7);
  o.injected_bugs = bug_ignore_vote_lease;
  driver f{o};
  f.start(0);
  f.receive(heartbeat(1, 1), 100);
  CHECK(f.n.in_leader_lease());
  CHECK_FALSE(f.n.ignores_vote_request(3));
  f.receive(request_vote{2, 3, 0, 0}, 150);
  CHECK(f.n.current_term() == 2);
}

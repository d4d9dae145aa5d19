/// The injected bugs of node::options: each must be caught, by check_invariants() where one
/// node can see the broken rule, otherwise by the outcome a rule test asserts.

#include <catch2/catch.hpp>

#include "tests/core/core_test_util.hpp"

using namespace raft_test;

TEST_CASE("check_invariants catches a second vote in one term (bug_vote_twice): voted_for "
          "changed within a term (§5.2)",
          "[invariants][bugs]") {
  SECTION("the buggy node is stopped by the invariant check") {
    auto d = started(options_for(1, cluster_of(3), 1, bug_vote_twice));
    d.receive(vote_request(1, 2));
    REQUIRE(d.n.voted_for() == peer_id{2});
    CHECK_THROWS_AS(d.n.receive(vote_request(1, 3)), invariant_violation);
  }
  SECTION("the message names the broken rule") {
    auto d = started(options_for(1, cluster_of(3), 1, bug_vote_twice));
    d.receive(vote_request(1, 2));
    CHECK_THROWS_WITH(d.n.receive(vote_request(1, 3)),
                      Catch::Matchers::Contains("voted_for changed within a term"));
  }
  SECTION("a candidate with the bug gives away its own vote, which is caught too") {
    auto d = in_role(role::candidate, options_for(1, cluster_of(3), 1, bug_vote_twice));
    CHECK_THROWS_AS(d.n.receive(vote_request(1, 2)), invariant_violation);
  }
  SECTION("without the check the bug goes through silently") {
    auto o = options_for(1, cluster_of(3), 1, bug_vote_twice);
    o.check_invariants = false;
    auto d = started(o);
    d.receive(vote_request(1, 2));
    CHECK_NOTHROW(d.n.check_invariants()); // remembers the vote of term 1
    auto fx = d.receive(vote_request(1, 3));
    CHECK(the_only_sent<request_vote_reply>(fx, 3).vote_granted); // two grants in term 1
    CHECK(d.n.voted_for() == peer_id{3});
    // The check compares with what it saw last time it ran: run now, it catches the change.
    CHECK_THROWS_AS(d.n.check_invariants(), invariant_violation);
  }
  SECTION("a correct node refuses, and its invariants hold") {
    auto d = started(options_for(1, cluster_of(3)));
    d.receive(vote_request(1, 2));
    effects fx;
    CHECK_NOTHROW(fx = d.receive(vote_request(1, 3)));
    CHECK_FALSE(the_only_sent<request_vote_reply>(fx, 3).vote_granted);
    CHECK_NOTHROW(d.n.check_invariants());
  }
}

TEST_CASE("a candidate that counts a vote granted in an older term (bug_count_stale_votes) "
          "wins with it, where a correct candidate does not (§5.2)",
          "[invariants][bugs]") {
  auto run = [](unsigned bugs) {
    auto d = started(options_for(1, cluster_of(3), 1, bugs));
    make_candidate(d); // term 1
    make_candidate(d); // term 2
    d.receive(vote_reply(1, true, 2));
    return d.n.role();
  };
  CHECK(run(bug_none) == role::candidate);
  // One node cannot see that the grant was stale once it is counted (votes_received does
  // not record terms), so no invariant fires: the rule test above is what catches it.
  CHECK(run(bug_count_stale_votes) == role::leader);
}

TEST_CASE("with bug_count_stale_votes two leaders are elected in the same term, which Election "
          "Safety forbids (§5.2, Figure 3)",
          "[bugs]") {
  auto elect_with = [](unsigned bugs_of_1) {
    auto a = started(options_for(1, cluster_of(3), 1, bugs_of_1));
    auto b = started(options_for(2, cluster_of(3), 2));
    auto c = started(options_for(3, cluster_of(3), 3));

    // Peer 1 stands in term 1 and peer 2 grants it; the grant is delayed on the network.
    auto rv1 = sent<request_vote>(make_candidate(a)).front().second;
    auto delayed = the_only<send>(b.receive(rv1)).msg;
    REQUIRE(std::get<request_vote_reply>(delayed).vote_granted);
    // Peer 1 times out and stands again in term 2.
    make_candidate(a);
    REQUIRE(a.n.current_term() == 2);
    // Peer 3 stands twice (its term-1 requests are lost) and peer 2 votes for it in term 2.
    make_candidate(c);
    auto rv3 = sent<request_vote>(make_candidate(c)).front().second;
    REQUIRE(rv3.term == 2);
    auto reply = the_only<send>(b.receive(rv3)).msg;
    c.receive(reply);
    REQUIRE(c.n.is_leader());
    REQUIRE(c.n.current_term() == 2);
    // The stale grant of term 1 finally reaches peer 1.
    a.receive(delayed);
    return a.n.is_leader() && a.n.current_term() == 2;
  };
  CHECK_FALSE(elect_with(bug_none));
  CHECK(elect_with(bug_count_stale_votes)); // a second leader of term 2
}

TEST_CASE("a voter that ignores the election restriction (bug_ignore_log_freshness) grants a "
          "vote a correct voter denies (§5.4.1)",
          "[bugs][election-restriction]") {
  auto granted = [](unsigned bugs) {
    auto d = started(options_for(1, cluster_of(3), 1, bugs),
                     restored(2, std::nullopt, log_with_terms({1, 2})));
    auto fx = d.receive(vote_request(3, 2, 5, 1)); // longer log, but an older last term
    return the_only_sent<request_vote_reply>(fx, 2).vote_granted;
  };
  CHECK_FALSE(granted(bug_none));
  CHECK(granted(bug_ignore_log_freshness));
}

TEST_CASE("every step of a correct node keeps the invariants, checked after each step by "
          "default",
          "[invariants]") {
  CHECK(node::options{}.check_invariants);
  // A run through every role and back: any broken invariant would throw from a step.
  auto d = started(options_for(1, cluster_of(5)));
  CHECK_NOTHROW(make_leader(d));
  CHECK_NOTHROW(d.fire_heartbeat());
  CHECK_NOTHROW(d.receive(vote_request(4, 3)));
  CHECK_NOTHROW(d.receive(heartbeat(4, 3)));
  CHECK_NOTHROW(d.fire_election());
  CHECK_NOTHROW(d.receive(vote_reply(5, true, 2)));
  CHECK_NOTHROW(d.receive(vote_reply(5, true, 4)));
  CHECK(d.n.is_leader());
  CHECK_NOTHROW(d.n.check_invariants());
}

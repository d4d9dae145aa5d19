/// Figure 2, "RequestVote RPC — Receiver implementation", with §5.2 (one vote per term) and
/// §5.4.1 (the election restriction), and the vote a restarted server must remember.

#include <catch2/catch.hpp>

#include "tests/core/core_test_util.hpp"

using namespace raft_test;

TEST_CASE("RequestVote receiver: reply false if term < currentTerm (§5.1)", "[rules][vote]") {
  // The receiver is at term 3 and has not voted in it; the candidate's log is better.
  auto d = started(options_for(1, cluster_of(3)), restored(3, std::nullopt, log_with_terms({1})));
  auto fx = d.receive(vote_request(2, 2, 5, 2));
  auto reply = the_only_sent<request_vote_reply>(fx, 2);
  CHECK(reply == request_vote_reply{3, false, 1}); // carries currentTerm so the candidate updates
  CHECK(fx.size() == 1);                           // no persist, no timer, no role change
  CHECK(d.n.current_term() == 3);
  CHECK_FALSE(d.n.voted_for());
  CHECK(d.n.role() == role::follower);
}

TEST_CASE("RequestVote receiver: if votedFor is null and the candidate's log is at least as "
          "up-to-date as the receiver's, grant vote (§5.2, §5.4)",
          "[rules][vote]") {
  SECTION("in a newer term") {
    auto d = started(options_for(1, cluster_of(3)));
    auto fx = d.receive(vote_request(1, 2));
    CHECK(the_only_sent<request_vote_reply>(fx, 2) == request_vote_reply{1, true, 1});
    CHECK(d.n.current_term() == 1);
    CHECK(d.n.voted_for() == peer_id{2});
    CHECK(the_only<persist>(fx).voted_for == peer_id{2});
  }
  SECTION("in the receiver's current term, where it has not voted yet") {
    auto d = started(options_for(1, cluster_of(3)), restored(4));
    auto fx = d.receive(vote_request(4, 3));
    CHECK(the_only_sent<request_vote_reply>(fx, 3) == request_vote_reply{4, true, 1});
    CHECK(d.n.current_term() == 4);
    CHECK(d.n.voted_for() == peer_id{3});
    CHECK(the_only<persist>(fx).voted_for == peer_id{3});
  }
}

TEST_CASE("RequestVote receiver: if votedFor is candidateId, grant the vote again "
          "(a duplicate request) (§5.2)",
          "[rules][vote]") {
  auto d = started(options_for(1, cluster_of(3)));
  d.receive(vote_request(1, 2));
  REQUIRE(d.n.voted_for() == peer_id{2});
  auto fx = d.receive(vote_request(1, 2));
  CHECK(the_only_sent<request_vote_reply>(fx, 2) == request_vote_reply{1, true, 1});
  CHECK(d.n.voted_for() == peer_id{2});
  CHECK(count_of<persist>(fx) == 0); // the vote was already durable
}

TEST_CASE("each server will vote for at most one candidate in a given term (§5.2)",
          "[rules][vote]") {
  SECTION("a follower that voted refuses a second candidate of the same term") {
    auto d = started(options_for(1, cluster_of(3)));
    d.receive(vote_request(1, 2));
    auto fx = d.receive(vote_request(1, 3));
    CHECK(the_only_sent<request_vote_reply>(fx, 3) == request_vote_reply{1, false, 1});
    CHECK(d.n.voted_for() == peer_id{2});
    CHECK(fx.size() == 1);
    // The limit is per term: in the next term it may vote again.
    fx = d.receive(vote_request(2, 3));
    CHECK(the_only_sent<request_vote_reply>(fx, 3) == request_vote_reply{2, true, 1});
    CHECK(d.n.voted_for() == peer_id{3});
  }
  SECTION("a candidate voted for itself and refuses another candidate of its term") {
    auto d = in_role(role::candidate, options_for(1, cluster_of(3)));
    auto fx = d.receive(vote_request(1, 2));
    CHECK(the_only_sent<request_vote_reply>(fx, 2) == request_vote_reply{1, false, 1});
    CHECK(d.n.voted_for() == peer_id{1});
    CHECK(d.n.role() == role::candidate);
  }
  SECTION("a leader voted for itself and refuses another candidate of its term") {
    auto d = in_role(role::leader, options_for(1, cluster_of(3)));
    auto fx = d.receive(vote_request(1, 3));
    CHECK(the_only_sent<request_vote_reply>(fx, 3) == request_vote_reply{1, false, 1});
    CHECK(d.n.voted_for() == peer_id{1});
    CHECK(d.n.is_leader());
  }
}

namespace {

/// A follower at term 2 whose log ends (index 3, term 2): terms 1, 2, 2.
driven_node voter_with_log(unsigned bugs = bug_none) {
  return started(options_for(1, cluster_of(3), 1, bugs),
                 restored(2, std::nullopt, log_with_terms({1, 2, 2})));
}

/// The receiver answered a term-3 request of candidate 2 with a grant.
void require_granted(driven_node& d, const effects& fx) {
  CHECK(the_only_sent<request_vote_reply>(fx, 2) == request_vote_reply{3, true, 1});
  CHECK(d.n.voted_for() == peer_id{2});
  CHECK(count_of<arm_election_timer>(fx) == 1);
}

/// The receiver answered a term-3 request of candidate 2 with a refusal, adopting term 3
/// without spending its vote.
void require_refused(driven_node& d, const effects& fx) {
  CHECK(the_only_sent<request_vote_reply>(fx, 2) == request_vote_reply{3, false, 1});
  CHECK(d.n.current_term() == 3);
  CHECK_FALSE(d.n.voted_for());
  CHECK(count_of<arm_election_timer>(fx) == 0);
  // The vote is still free: a candidate with an up-to-date log gets it in the same term.
  auto later = d.receive(vote_request(3, 3, 3, 2));
  CHECK(the_only_sent<request_vote_reply>(later, 3) == request_vote_reply{3, true, 1});
}

} // namespace

TEST_CASE("if the logs have last entries with different terms, the log with the later term "
          "is more up-to-date, even when it is shorter (§5.4.1)",
          "[rules][vote][election-restriction]") {
  auto d = voter_with_log();
  auto fx = d.receive(vote_request(3, 2, 1, 3)); // one entry, of term 3
  require_granted(d, fx);
}

TEST_CASE("if the logs end with the same term, whichever log is longer is more up-to-date, "
          "and an equally long log is as up-to-date (§5.4.1)",
          "[rules][vote][election-restriction]") {
  auto d = voter_with_log();
  SECTION("longer") { require_granted(d, d.receive(vote_request(3, 2, 4, 2))); }
  SECTION("as long") { require_granted(d, d.receive(vote_request(3, 2, 3, 2))); }
}

TEST_CASE("a voter denies its vote if its own log is more up-to-date than that of the "
          "candidate (§5.4.1)",
          "[rules][vote][election-restriction]") {
  auto d = voter_with_log();
  SECTION("same last term, shorter log") { require_refused(d, d.receive(vote_request(3, 2, 2, 2))); }
  SECTION("earlier last term, even with a longer log") {
    require_refused(d, d.receive(vote_request(3, 2, 10, 1)));
  }
  SECTION("empty log") { require_refused(d, d.receive(vote_request(3, 2, 0, 0))); }
}

TEST_CASE("granting a vote to a candidate restarts the election timer, and refusing one does "
          "not (Figure 2, Followers, §5.2)",
          "[rules][vote][follower][timer]") {
  auto d = started(options_for(1, cluster_of(3)));
  auto first = *d.election_gen;

  auto fx = d.receive(vote_request(1, 2));
  auto armed = the_only<arm_election_timer>(fx);
  CHECK(armed.generation != first);
  CHECK(armed.after >= timing{}.election_min);
  CHECK(armed.after <= timing{}.election_max);
  // The timer armed before the vote is now stale: its firing changes nothing.
  CHECK(d.fire_election(first).empty());
  CHECK(d.n.role() == role::follower);

  // A refused request (already voted in this term) leaves the running timer alone.
  fx = d.receive(vote_request(1, 3));
  CHECK(count_of<arm_election_timer>(fx) == 0);
  // A refused request of a stale term too.
  fx = d.receive(vote_request(0, 3));
  CHECK(count_of<arm_election_timer>(fx) == 0);

  // The timer armed by the grant is the running one.
  d.fire_election(armed.generation);
  CHECK(d.n.role() == role::candidate);
  CHECK(d.n.current_term() == 2);
}

TEST_CASE("on restart a server resumes with its persisted vote: it refuses another candidate "
          "in the term it voted in and grants the same candidate again (Figure 2, §5.2)",
          "[rules][vote][restart]") {
  auto d = driven_node(options_for(1, cluster_of(3)), restored(5, 2));
  auto fx = d.start();
  CHECK(the_only<role_changed>(fx).term == 5);
  CHECK(d.n.current_term() == 5);
  CHECK(d.n.voted_for() == peer_id{2});

  fx = d.receive(vote_request(5, 3));
  CHECK(the_only_sent<request_vote_reply>(fx, 3) == request_vote_reply{5, false, 1});
  CHECK(d.n.voted_for() == peer_id{2});

  fx = d.receive(vote_request(5, 2));
  CHECK(the_only_sent<request_vote_reply>(fx, 2) == request_vote_reply{5, true, 1});
  CHECK(d.n.voted_for() == peer_id{2});
  CHECK(count_of<persist>(fx) == 0);

  fx = d.receive(vote_request(4, 2)); // an older term is refused whoever asks
  CHECK(the_only_sent<request_vote_reply>(fx, 2) == request_vote_reply{5, false, 1});
}

/// Figure 2, "Persistent state on all servers (updated on stable storage before responding to
/// RPCs)", and the rejection of messages from peers that are not members.

#include <catch2/catch.hpp>

#include "tests/core/core_test_util.hpp"

using namespace raft_test;

namespace {

/// `fx` persists the node's term and vote first, and sends only after that.
void require_persisted_before_sending(const driven_node& d, const effects& fx) {
  REQUIRE(count_of<persist>(fx) == 1);
  REQUIRE(first_index_of<persist>(fx) == std::size_t{0});
  auto p = the_only<persist>(fx);
  CHECK(p.current_term == d.n.current_term());
  CHECK(p.voted_for == d.n.voted_for());
  CHECK(d.n.persistent().current_term == d.n.current_term());
  auto first_send = first_index_of<send>(fx);
  if (first_send)
    CHECK(*first_send > 0);
}

} // namespace

TEST_CASE("persistent state is updated on stable storage before responding to RPCs: a step "
          "that changes currentTerm or votedFor persists them first, before any send "
          "(Figure 2)",
          "[rules][persist]") {
  SECTION("becoming candidate") {
    auto d = started(options_for(1, cluster_of(3)));
    auto fx = d.fire_election();
    require_persisted_before_sending(d, fx);
    CHECK(count_of<send>(fx) == 2);
  }
  SECTION("starting a new election as candidate") {
    auto d = in_role(role::candidate, options_for(1, cluster_of(3)));
    auto fx = d.fire_election();
    require_persisted_before_sending(d, fx);
    CHECK(the_only<persist>(fx).current_term == 2);
  }
  SECTION("granting a vote in the current term") {
    auto d = started(options_for(1, cluster_of(3)), restored(2));
    auto fx = d.receive(vote_request(2, 3));
    require_persisted_before_sending(d, fx);
    CHECK(the_only<persist>(fx).voted_for == peer_id{3});
    CHECK(count_of<send>(fx) == 1);
  }
  SECTION("granting a vote in a higher term") {
    auto d = started(options_for(1, cluster_of(3)));
    auto fx = d.receive(vote_request(4, 3));
    require_persisted_before_sending(d, fx);
    CHECK(the_only<persist>(fx).current_term == 4);
    CHECK(the_only<persist>(fx).voted_for == peer_id{3});
  }
  SECTION("adopting a higher term from a refused RequestVote") {
    auto d = started(options_for(1, cluster_of(3)), restored(1, std::nullopt, log_with_terms({1})));
    auto fx = d.receive(vote_request(4, 3)); // empty log: refused
    require_persisted_before_sending(d, fx);
    CHECK(the_only<persist>(fx).voted_for == std::nullopt);
    CHECK(count_of<send>(fx) == 1);
  }
  SECTION("adopting a higher term from an AppendEntries") {
    auto d = started(options_for(1, cluster_of(3)));
    auto fx = d.receive(heartbeat(5, 2));
    require_persisted_before_sending(d, fx);
    CHECK(count_of<send>(fx) == 1);
  }
  SECTION("adopting a higher term from a reply, as leader") {
    auto d = in_role(role::leader, options_for(1, cluster_of(3)));
    auto fx = d.receive(vote_reply(5, false, 2));
    require_persisted_before_sending(d, fx);
    CHECK(the_only<persist>(fx).current_term == 5);
  }
  SECTION("adopting a higher term from an AppendEntries reply, as candidate") {
    auto d = in_role(role::candidate, options_for(1, cluster_of(3)));
    auto fx = d.receive(heartbeat_reply(5, false, 3));
    require_persisted_before_sending(d, fx);
  }
}

TEST_CASE("a step that changes neither currentTerm nor votedFor persists nothing (Figure 2)", "[rules][persist]") {
  SECTION("a heartbeat of the current term") {
    auto d = started(options_for(1, cluster_of(3)));
    d.receive(heartbeat(1, 2));
    CHECK(count_of<persist>(d.receive(heartbeat(1, 2))) == 0);
  }
  SECTION("the first heartbeat from the leader of the current term") {
    auto d = started(options_for(1, cluster_of(3)), restored(2, 3));
    CHECK(count_of<persist>(d.receive(heartbeat(2, 3))) == 0);
  }
  SECTION("a refused vote in the current term") {
    auto d = started(options_for(1, cluster_of(3)), restored(2, 3));
    CHECK(count_of<persist>(d.receive(vote_request(2, 2))) == 0);
  }
  SECTION("a vote granted again to the same candidate") {
    auto d = started(options_for(1, cluster_of(3)), restored(2, 3));
    CHECK(count_of<persist>(d.receive(vote_request(2, 3))) == 0);
  }
  SECTION("messages of an older term") {
    auto d = started(options_for(1, cluster_of(3)), restored(2));
    CHECK(count_of<persist>(d.receive(heartbeat(1, 2))) == 0);
    CHECK(count_of<persist>(d.receive(vote_request(1, 2))) == 0);
  }
  SECTION("winning an election") {
    auto d = started(options_for(1, cluster_of(3)));
    CHECK(count_of<persist>(make_leader(d)) == 0);
  }
  SECTION("a heartbeat timer") {
    auto d = in_role(role::leader, options_for(1, cluster_of(3)));
    CHECK(count_of<persist>(d.fire_heartbeat()) == 0);
  }
  SECTION("starting") {
    auto d = driven_node(options_for(1, cluster_of(3)), restored(4, 2));
    CHECK(count_of<persist>(d.start()) == 0);
  }
}

TEST_CASE("a message from a peer that is not a member, or that claims to come from the node "
          "itself, is rejected and changes nothing",
          "[rules][membership]") {
  auto k = GENERATE(kind::request_vote, kind::request_vote_reply, kind::append_entries,
                    kind::append_entries_reply);
  auto r = GENERATE(role::follower, role::candidate, role::leader);
  auto from = GENERATE(peer_id{1}, peer_id{4}, peer_id{99});
  CAPTURE(name_of(k), to_string(r), from);
  auto d = in_role(r, options_for(1, cluster_of(3)));
  auto state = d.n.persistent();
  auto leader = d.n.leader();
  auto votes = d.n.votes_received();

  for (term_t t : {d.n.current_term(), d.n.current_term() + 5}) {
    auto fx = d.receive(message_of(k, t, from));
    CHECK(the_only<message_rejected>(fx).from == from);
    CHECK(fx.size() == 1);
    CHECK(d.n.persistent() == state);
    CHECK(d.n.role() == r);
    CHECK(d.n.leader() == leader);
    CHECK(d.n.votes_received() == votes);
  }
}

TEST_CASE("a vote granted by a peer that is not a member does not count towards a majority",
          "[rules][membership][candidate]") {
  auto d = in_role(role::candidate, options_for(1, cluster_of(3)));
  d.receive(vote_reply(1, true, 4));
  d.receive(vote_reply(1, true, 1)); // "from" itself
  CHECK(d.n.role() == role::candidate);
  CHECK(d.n.votes_received() == std::set<peer_id>{1});
}

TEST_CASE("the effect-ordering check flags a send before a persist", "[util]") {
  effects good{persist{1, 1}, role_changed{}, send{2, vote_request(1, 1)}};
  effects send_first{send{2, vote_request(1, 1)}, persist{1, 1}};
  effects role_first{role_changed{}, persist{1, 1}};
  effects two_persists{persist{1, 1}, persist{1, 1}};
  CHECK(effect_order_problem(good).empty());
  CHECK_FALSE(effect_order_problem(send_first).empty());
  CHECK_FALSE(effect_order_problem(role_first).empty());
  CHECK_FALSE(effect_order_problem(two_persists).empty());
}

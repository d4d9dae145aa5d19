/// Rule tests for the term ceiling raft::max_term (2^63, messages/wire.hpp): no term at or
/// above it is ever adopted, and no node stands for election in it, so `current_term + 1`
/// never wraps and one forged message cannot end all elections.

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

#include "extension_driver.hpp"

using namespace raft;
using namespace raft_test;

namespace {

/// Every message kind, from `from`, carrying `term`.
std::vector<message> every_kind(term_t term, peer_id from) {
  return {request_vote{term, from, 0, 0}, request_vote_reply{term, true, from},
          append_entries{term, from, 0, 0, {}, 0}, append_entries_reply{term, true, from},
          pre_vote{term, from, 0, 0}, pre_vote_reply{term, true, from}};
}

} // namespace

TEST_CASE("a message whose term is at or above the term ceiling is rejected with a reason and "
          "never adopted, whatever its kind and whatever the receiver's role",
          "[rules][ceiling]") {
  const term_t too_high[] = {max_term, max_term + 1, std::numeric_limits<term_t>::max()};
  for (bool product : {false, true})
    for (auto r : {role::follower, role::candidate, role::leader})
      for (auto term : too_high)
        for (auto& m : every_kind(term, 2)) {
          auto o = product ? node::with_defaults(1, cluster_of(3), timing{}, 7)
                           : options_for(1, cluster_of(3));
          o.features.pre_vote = false; // in_role() makes candidates directly; pre-vote is tested below
          auto d = in_role(r, o, restored(3));
          auto before = d.n.persistent();
          INFO(kind_of(m) << " of term " << term << " to a " << to_string(r)
                          << (product ? " with check-quorum" : ""));
          auto fx = d.receive(m);
          auto rejected = the_only<message_rejected>(fx);
          CHECK(rejected.from == 2);
          CHECK_THAT(rejected.reason, Catch::Contains("ceiling") &&
                                        Catch::Contains(std::to_string(term)));
          CHECK(d.n.persistent() == before);
          CHECK(d.n.role() == r);
          CHECK(count_of<persist>(fx) == 0);
          CHECK(count_of<send>(fx) == 0);
          CHECK(count_of<role_changed>(fx) == 0);
        }
}

TEST_CASE("a term just below the ceiling is adopted like any higher term (the ceiling is exact)",
          "[rules][ceiling]") {
  auto d = started(options_for(1, cluster_of(3)), restored(3));
  auto fx = d.receive(heartbeat(max_term - 1, 2));
  CHECK(d.n.current_term() == max_term - 1);
  CHECK(d.n.leader() == peer_id{2});
  CHECK(count_of<message_rejected>(fx) == 0);
}

TEST_CASE("a node in the last term below the ceiling never stands for election: it asks for no "
          "pre-vote and raises no term, but still votes and follows in that term",
          "[rules][ceiling]") {
  SECTION("Figure 2") {
    auto d = started(options_for(1, cluster_of(3)), restored(max_term - 1));
    auto fx = d.fire_election();
    CHECK(d.n.role() == role::follower);
    CHECK(d.n.current_term() == max_term - 1);
    CHECK(sent<request_vote>(fx).empty());
    CHECK(count_of<persist>(fx) == 0);
    CHECK(count_of<arm_election_timer>(fx) == 1); // it keeps waiting for a leader
  }
  SECTION("with pre-vote") {
    driver d{1, cluster_of(3), restored(max_term - 1)};
    d.start(0);
    auto& fx = d.election_timeout(400);
    CHECK_FALSE(d.n.pre_voting());
    CHECK(sent<pre_vote>(fx).empty());
    CHECK(d.n.current_term() == max_term - 1);
    // A pre-vote for the ceiling itself is rejected like any message of that term.
    CHECK(count_of<message_rejected>(d.receive(pre_vote{max_term, 2, 0, 0}, 401)) == 1);
  }
  auto d = started(options_for(1, cluster_of(3)), restored(max_term - 1));
  CHECK(the_only_sent<request_vote_reply>(d.receive(vote_request(max_term - 1, 2)), 2)
          .vote_granted);
  d.receive(heartbeat(max_term - 1, 2));
  CHECK(d.n.leader() == peer_id{2});
}

TEST_CASE("a candidate of the last term below the ceiling does not stand again when its "
          "election times out: it waits as a follower of that term, keeping its vote",
          "[rules][ceiling]") {
  auto d = started(options_for(1, cluster_of(3)), restored(max_term - 2));
  make_candidate(d);
  REQUIRE(d.n.current_term() == max_term - 1);
  auto fx = d.fire_election();
  CHECK(d.n.role() == role::follower);
  CHECK(d.n.current_term() == max_term - 1);
  CHECK(d.n.voted_for() == peer_id{1});
  CHECK(sent<request_vote>(fx).empty());
  CHECK(count_of<persist>(fx) == 0);
}

TEST_CASE("a node refuses to start from a restored term at or above the ceiling",
          "[rules][ceiling]") {
  for (auto term : {max_term, std::numeric_limits<term_t>::max()})
    CHECK_THROWS_WITH((node{options_for(1, cluster_of(3)), restored(term)}),
                      Catch::Contains("term ceiling"));
  CHECK_NOTHROW((node{options_for(1, cluster_of(3)), restored(max_term - 1)}));
}

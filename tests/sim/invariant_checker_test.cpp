#include <catch2/catch.hpp>

#include "core/node.hpp"
#include "sim/invariants.hpp"

using namespace raft;
using raft::sim::invariant_checker;

namespace {

/// A one-member cluster elects itself when its timer fires: a cheap way to get a leader.
node leader_of_one(peer_id self, term_t from_term, std::vector<log_entry> log = {}) {
  persistent_state restored;
  restored.current_term = from_term;
  restored.log = std::move(log);
  node n{{self, {self}, {}, 7}, restored};
  auto fx = n.start();
  n.election_timer_fired(std::get<arm_election_timer>(fx.back()).generation);
  REQUIRE(n.is_leader());
  return n;
}

} // namespace

TEST_CASE("the invariant checker reports two leaders in one term (Figure 3, Election Safety)") {
  invariant_checker c;
  c.reset(2);
  auto a = leader_of_one(1, 4);
  auto b = leader_of_one(2, 4);
  REQUIRE(c.after_step(0, a));
  CHECK_FALSE(c.after_step(1, b));
  CHECK_THAT(c.what(), Catch::Contains("two leaders in term 5"));
}

TEST_CASE("the invariant checker remembers a vote across restarts and reports a second one") {
  invariant_checker c;
  c.reset(3);
  REQUIRE(c.on_persist(0, 3, peer_id{2}));
  REQUIRE(c.on_persist(0, 3, peer_id{2})); // the same vote again is fine
  // A new incarnation of peer 1 knows nothing of its vote, but the checker does.
  CHECK_FALSE(c.on_persist(0, 3, peer_id{3}));
  CHECK_THAT(c.what(), Catch::Contains("p1 voted twice in term 3"));
}

TEST_CASE("the invariant checker reports a term that goes back, also across restarts") {
  invariant_checker c;
  c.reset(1);
  persistent_state six, five;
  six.current_term = 6;
  five.current_term = 5;
  node later{{1, {1, 2, 3}, {}, 1}, six};
  node earlier{{1, {1, 2, 3}, {}, 1}, five};
  REQUIRE(c.after_step(0, later));
  CHECK_FALSE(c.after_step(0, earlier));
  CHECK_THAT(c.what(), Catch::Contains("went back from term 6 to term 5"));
}

TEST_CASE("the invariant checker accepts one leader per term across many terms") {
  invariant_checker c;
  c.reset(1);
  for (term_t t = 0; t < 5; ++t) {
    auto a = leader_of_one(1, t);
    REQUIRE(c.after_step(0, a));
  }
  CHECK(c.leaders_by_term().size() == 6);
}


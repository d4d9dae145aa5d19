#include <catch2/catch.hpp>

#include "core/node.hpp"

using namespace raft;

TEST_CASE("smoke: a single-member cluster elects itself when its election timer fires") {
  node n{{1, {1}, {}, 42}};
  auto fx = n.start();
  REQUIRE(fx.size() == 2);
  auto timer = std::get<arm_election_timer>(fx[1]);
  n.election_timer_fired(timer.generation);
  CHECK(n.is_leader());
  CHECK(n.current_term() == 1);
}

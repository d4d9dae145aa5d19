/// The core driver of testing/: what it refuses, what it remembers, and that it lets effects
/// it does not check pass.

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "testing/core_driver.hpp"

using namespace raft;
using raft::testing::core_driver;
using raft::testing::effect_order_problem;
using namespace std::chrono_literals;

namespace {

node::options three_peers(bool product = false) {
  if (product)
    return node::with_defaults(1, {1, 2, 3}, timing{}, 7);
  node::options o;
  o.self = 1;
  o.members = {1, 2, 3};
  o.seed = 7;
  return o;
}

const effect a_send = send{2, append_entries{}};
const effect a_role_change = role_changed{role::follower, 0, std::nullopt};

} // namespace

TEST_CASE("the effect order check names each way a step can break the contract of "
          "core/effects.hpp") {
  CHECK(effect_order_problem({}) == "");
  CHECK(effect_order_problem({persist{}, a_role_change, a_send}) == "");
  CHECK(effect_order_problem({a_role_change, a_send}) == "");
  CHECK(effect_order_problem({persist{}, persist{}}) == "more than one persist in one step");
  CHECK(effect_order_problem({a_send, persist{}}) ==
        "persist is not the first effect of the step");
  CHECK(effect_order_problem({a_role_change, a_role_change}) ==
        "more than one role_changed in one step");
  CHECK(effect_order_problem({persist{}, a_send, a_role_change}) ==
        "role_changed does not come right after the persist (or first)");
}

TEST_CASE("the core driver refuses a step whose persist is not its first effect") {
  core_driver d{three_peers()};
  CHECK_THROWS_WITH(d.take({a_send, persist{}}),
                    "effects of one step break the ordering contract of core/effects.hpp: "
                    "persist is not the first effect of the step");
}

TEST_CASE("the core driver refuses a persist that says other than what the node holds") {
  core_driver d{three_peers()};
  CHECK_THROWS_WITH(d.take({persist{3, 2}}),
                    "a persist says term 3 and vote 2 but the node holds term 0 and vote none");
  CHECK_NOTHROW(d.take({persist{0, std::nullopt}}));
}

TEST_CASE("the core driver fires the newest election timer the node armed, and an older one "
          "on request") {
  core_driver d{three_peers()};
  d.start();
  REQUIRE(d.election_gen);
  REQUIRE(d.last_election_delay);
  CHECK(*d.last_election_delay >= 300ms);
  auto first = *d.election_gen;
  d.receive(append_entries{1, 2, 0, 0, {}, 0}); // a heartbeat of term 1 restarts the timer
  REQUIRE(d.election_gen);
  CHECK(*d.election_gen != first);
  CHECK(d.fire_election(first).empty()); // stale: ignored
  CHECK(d.n.role() == role::follower);
  d.fire_election();
  CHECK(d.n.role() == role::candidate);
  CHECK(d.last.size() > 0);
}

TEST_CASE("the core driver refuses to fire a timer the node never armed") {
  core_driver d{three_peers()};
  CHECK_THROWS_WITH(d.fire_election(), "the node has armed no election timer yet");
  CHECK_THROWS_WITH(d.election_timeout(0), "the node has armed no election timer yet");
  d.start();
  CHECK_THROWS_WITH(d.fire_heartbeat(), "the node has armed no heartbeat timer yet");
  CHECK_THROWS_WITH(d.heartbeat_timeout(0), "the node has armed no heartbeat timer yet");
}

TEST_CASE("the core driver passes effects of kinds it does not check through untouched") {
  core_driver d{three_peers()};
  auto& fx = d.take({a_send, message_rejected{3, "why"}});
  REQUIRE(fx.size() == 2);
  CHECK(&fx == &d.last);
  REQUIRE(std::holds_alternative<message_rejected>(fx[1]));
  CHECK(std::get<message_rejected>(fx[1]).reason == "why");
}

TEST_CASE("the core driver's timed steps move the node's clock and its untimed steps do not") {
  core_driver d{three_peers(true)};
  d.start(0);
  d.receive(append_entries{1, 2, 0, 0, {}, 0}, 100);
  CHECK(d.n.in_leader_lease());
  d.receive(append_entries_reply{1, false, 3}); // no time passes
  CHECK(d.n.in_leader_lease());
  d.tick(100 + 300); // election_min after the leader was last heard
  CHECK_FALSE(d.n.in_leader_lease());
}

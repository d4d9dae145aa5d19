/// The course's Part 2A tests, exactly as ../shared/TESTER.md describes them, on the
/// reliable network, on the unreliable one and with long reordering.

#include <catch2/catch.hpp>

#include "part2a_scenarios.hpp"

using namespace raft::testing;

TEST_CASE("initial election: three peers elect one leader, agree on its term and keep it "
          "while idle (2A)",
          "[cluster][2A]") {
  initial_election(network_mode::reliable);
}

TEST_CASE("re-election: a new leader takes over from a disconnected one, the old one steps "
          "down on return, and no leader arises without a majority (2A)",
          "[cluster][2A]") {
  re_election(network_mode::reliable);
}

TEST_CASE("many elections: seven peers keep one leader through nine rounds of random "
          "disconnections (2A)",
          "[cluster][2A]") {
  many_elections(network_mode::reliable);
}

// On the unreliable network 10% of messages are lost, so a follower can miss three
// heartbeats in a row and time out. Pre-vote keeps that from changing the term: the others
// still hear the leader and refuse. So the idle term must stay here too.
TEST_CASE("initial election on an unreliable network: one leader is elected, all agree on "
          "its term, and it keeps the term while idle",
          "[cluster][unreliable]") {
  initial_election(network_mode::unreliable);
}

TEST_CASE("re-election on an unreliable network", "[cluster][unreliable]") {
  re_election(network_mode::unreliable);
}

TEST_CASE("many elections on an unreliable network", "[cluster][unreliable]") {
  many_elections(network_mode::unreliable);
}

TEST_CASE("initial election with long reordering of replies keeps one leader and its term "
          "while idle",
          "[cluster][reordering]") {
  initial_election(network_mode::long_reordering);
}

TEST_CASE("re-election with long reordering of replies", "[cluster][reordering]") {
  re_election(network_mode::long_reordering);
}

TEST_CASE("many elections with long reordering of replies", "[cluster][reordering]") {
  many_elections(network_mode::long_reordering);
}

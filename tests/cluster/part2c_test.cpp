/// The course's Part 2C tests (../shared/TESTER-2BCD.md) under the course's names, each on
/// the course's network; then, our stricter bar, the reliable-network ones on the unreliable
/// network and with long reordering, and the unreliable ones with long reordering on top.
/// "Figure 8 (unreliable)" turns long reordering on itself, so it has no variant.

#include <catch2/catch.hpp>

#include "part2c_scenarios.hpp"

using namespace raft::testing;

TEST_CASE("basic persistence (2C)", "[cluster][2C]") {
  basic_persistence(network_mode::reliable);
}

TEST_CASE("basic persistence (2C) - unreliable network", "[cluster][2C][unreliable]") {
  basic_persistence(network_mode::unreliable);
}

TEST_CASE("basic persistence (2C) - long reordering", "[cluster][2C][reordering]") {
  basic_persistence(network_mode::long_reordering);
}

TEST_CASE("more persistence (2C)", "[cluster][2C]") {
  more_persistence(network_mode::reliable);
}

TEST_CASE("more persistence (2C) - unreliable network", "[cluster][2C][unreliable]") {
  more_persistence(network_mode::unreliable);
}

TEST_CASE("more persistence (2C) - long reordering", "[cluster][2C][reordering]") {
  more_persistence(network_mode::long_reordering);
}

TEST_CASE("partitioned leader and one follower crash, leader restarts (2C)", "[cluster][2C]") {
  partitioned_leader_and_follower_crash(network_mode::reliable);
}

TEST_CASE("partitioned leader and one follower crash, leader restarts (2C) - unreliable "
          "network",
          "[cluster][2C][unreliable]") {
  partitioned_leader_and_follower_crash(network_mode::unreliable);
}

TEST_CASE("partitioned leader and one follower crash, leader restarts (2C) - long reordering",
          "[cluster][2C][reordering]") {
  partitioned_leader_and_follower_crash(network_mode::long_reordering);
}

TEST_CASE("Figure 8 (2C)", "[cluster][2C]") {
  figure_8(network_mode::reliable);
}

TEST_CASE("Figure 8 (2C) - unreliable network", "[cluster][2C][unreliable]") {
  figure_8(network_mode::unreliable);
}

TEST_CASE("Figure 8 (2C) - long reordering", "[cluster][2C][reordering]") {
  figure_8(network_mode::long_reordering);
}

// The course runs it on the unreliable network already.
TEST_CASE("unreliable agreement (2C)", "[cluster][2C][unreliable]") {
  unreliable_agreement(false);
}

TEST_CASE("unreliable agreement (2C) - long reordering", "[cluster][2C][unreliable][reordering]") {
  unreliable_agreement(true);
}

TEST_CASE("Figure 8 (unreliable) (2C)", "[cluster][2C][unreliable][reordering]") {
  figure_8_unreliable();
}

// "churn" on the unreliable network is the course's own "unreliable churn".
TEST_CASE("churn (2C)", "[cluster][2C]") {
  churn(false, false);
}

TEST_CASE("churn (2C) - long reordering", "[cluster][2C][reordering]") {
  churn(false, true);
}

TEST_CASE("unreliable churn (2C)", "[cluster][2C][unreliable]") {
  churn(true, false);
}

TEST_CASE("unreliable churn (2C) - long reordering", "[cluster][2C][unreliable][reordering]") {
  churn(true, true);
}

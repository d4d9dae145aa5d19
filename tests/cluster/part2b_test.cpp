/// The course's Part 2B tests (../shared/TESTER-2BCD.md) under the course's names: each on
/// the reliable network as the course runs it, then, our stricter bar, on the unreliable
/// network and with long reordering of replies. The 2023 edition's follower and leader failure
/// tests are here too. The RPC budgets are in part2b_budgets_test.cpp (reliable only).

#include <catch2/catch.hpp>

#include "part2b_scenarios.hpp"

using namespace raft::testing;

TEST_CASE("basic agreement (2B)", "[cluster][2B]") {
  basic_agreement(network_mode::reliable);
}

TEST_CASE("basic agreement (2B) - unreliable network", "[cluster][2B][unreliable]") {
  basic_agreement(network_mode::unreliable);
}

TEST_CASE("basic agreement (2B) - long reordering", "[cluster][2B][reordering]") {
  basic_agreement(network_mode::long_reordering);
}

TEST_CASE("test progressive failure of followers (2B)", "[cluster][2B]") {
  progressive_follower_failure(network_mode::reliable);
}

TEST_CASE("test progressive failure of followers (2B) - unreliable network",
          "[cluster][2B][unreliable]") {
  progressive_follower_failure(network_mode::unreliable);
}

TEST_CASE("test progressive failure of followers (2B) - long reordering",
          "[cluster][2B][reordering]") {
  progressive_follower_failure(network_mode::long_reordering);
}

TEST_CASE("test failure of leaders (2B)", "[cluster][2B]") {
  leader_failure(network_mode::reliable);
}

TEST_CASE("test failure of leaders (2B) - unreliable network", "[cluster][2B][unreliable]") {
  leader_failure(network_mode::unreliable);
}

TEST_CASE("test failure of leaders (2B) - long reordering", "[cluster][2B][reordering]") {
  leader_failure(network_mode::long_reordering);
}

TEST_CASE("agreement after follower reconnects (2B)", "[cluster][2B]") {
  agreement_after_follower_reconnects(network_mode::reliable);
}

TEST_CASE("agreement after follower reconnects (2B) - unreliable network",
          "[cluster][2B][unreliable]") {
  agreement_after_follower_reconnects(network_mode::unreliable);
}

TEST_CASE("agreement after follower reconnects (2B) - long reordering",
          "[cluster][2B][reordering]") {
  agreement_after_follower_reconnects(network_mode::long_reordering);
}

TEST_CASE("no agreement if too many followers disconnect (2B)", "[cluster][2B]") {
  no_agreement_if_too_many_followers_disconnect(network_mode::reliable);
}

TEST_CASE("no agreement if too many followers disconnect (2B) - unreliable network",
          "[cluster][2B][unreliable]") {
  no_agreement_if_too_many_followers_disconnect(network_mode::unreliable);
}

TEST_CASE("no agreement if too many followers disconnect (2B) - long reordering",
          "[cluster][2B][reordering]") {
  no_agreement_if_too_many_followers_disconnect(network_mode::long_reordering);
}

TEST_CASE("concurrent Start()s (2B)", "[cluster][2B]") {
  concurrent_starts(network_mode::reliable);
}

TEST_CASE("concurrent Start()s (2B) - unreliable network", "[cluster][2B][unreliable]") {
  concurrent_starts(network_mode::unreliable);
}

TEST_CASE("concurrent Start()s (2B) - long reordering", "[cluster][2B][reordering]") {
  concurrent_starts(network_mode::long_reordering);
}

TEST_CASE("rejoin of partitioned leader (2B)", "[cluster][2B]") {
  rejoin_of_partitioned_leader(network_mode::reliable);
}

TEST_CASE("rejoin of partitioned leader (2B) - unreliable network", "[cluster][2B][unreliable]") {
  rejoin_of_partitioned_leader(network_mode::unreliable);
}

TEST_CASE("rejoin of partitioned leader (2B) - long reordering", "[cluster][2B][reordering]") {
  rejoin_of_partitioned_leader(network_mode::long_reordering);
}

TEST_CASE("leader backs up quickly over incorrect follower logs (2B)", "[cluster][2B]") {
  leader_backs_up_quickly(network_mode::reliable);
}

TEST_CASE("leader backs up quickly over incorrect follower logs (2B) - unreliable network",
          "[cluster][2B][unreliable]") {
  leader_backs_up_quickly(network_mode::unreliable);
}

TEST_CASE("leader backs up quickly over incorrect follower logs (2B) - long reordering",
          "[cluster][2B][reordering]") {
  leader_backs_up_quickly(network_mode::long_reordering);
}

#include "config_test_util.hpp"

using namespace raft_test;
using Catch::Matchers::Contains;

namespace {
std::string with_timing(const std::string& timing) {
  return std::string(three_nodes) + "\n[timing]\n" + timing;
}
} // namespace

TEST_CASE("timing values must be positive integers") {
  const auto errors = errors_of(with_timing(R"(heartbeat_ms = 0
election_timeout_min_ms = -300
election_timeout_max_ms = 600.5
)"));
  REQUIRE(errors.size() == 3);
  CHECK(errors[0] == "test.toml:22:16: timing.heartbeat_ms must be a positive integer number "
                     "of milliseconds, at most 3600000, got 0");
  CHECK_THAT(errors[1], Contains("timing.election_timeout_min_ms must be a positive integer"));
  CHECK(errors[2] == "test.toml:24:27: timing.election_timeout_max_ms must be an integer, not "
                     "a floating-point number");
}

TEST_CASE("timing values beyond an hour are rejected") {
  const auto errors = errors_of(with_timing("election_timeout_max_ms = 3600001\n"));
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Contains("at most 3600000, got 3600001"));
}

TEST_CASE("a minimum election timeout above the maximum is an error") {
  const auto errors = errors_of(with_timing(R"(election_timeout_min_ms = 700
election_timeout_max_ms = 600
)"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "test.toml:21:1: [timing]: minimum election timeout exceeds the maximum "
                     "(heartbeat_ms = 100, election_timeout_min_ms = 700, "
                     "election_timeout_max_ms = 600)");
}

TEST_CASE("the minimum election timeout must be at least twice the heartbeat") {
  // One lost or late heartbeat must never make a follower start an election.
  const auto errors = errors_of(with_timing(R"(heartbeat_ms = 100
election_timeout_min_ms = 199
)"));
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0],
             Contains("minimum election timeout must be at least twice the heartbeat interval"));
}

TEST_CASE("a larger heartbeat alone can break the rule against the default election timeout") {
  const auto errors = errors_of(with_timing("heartbeat_ms = 200\n"));
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Contains("heartbeat_ms = 200, election_timeout_min_ms = 300"));
}

TEST_CASE("a minimum election timeout of exactly twice the heartbeat is accepted") {
  const auto config = config_of(with_timing(R"(heartbeat_ms = 150
election_timeout_min_ms = 300
election_timeout_max_ms = 300
)"));
  CHECK(config.timing.election_min == std::chrono::milliseconds(300));
  CHECK(config.timing.election_max == std::chrono::milliseconds(300));
}

TEST_CASE("timing that is not a table is an error") {
  const auto errors = errors_of(std::string("timing = 5\n") + std::string(three_nodes));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "test.toml:1:10: timing must be a table ([timing]), not an integer");
}

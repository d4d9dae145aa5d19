/// §5.2: "Raft uses randomized election timeouts ... chosen randomly from a fixed interval",
/// drawn from the injected seed so that a run can be replayed; and the options a node refuses.

#include <algorithm>
#include <set>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "tests/core/core_test_util.hpp"

using namespace raft_test;

namespace {

/// The first `n` election timeouts a node with `o` draws: at start, then at each election
/// it starts because the previous one timed out.
std::vector<duration> election_timeouts(node::options o, std::size_t n) {
  driven_node d(std::move(o));
  std::vector<duration> result;
  auto take = [&](const effects& fx) {
    for (const auto& t : effects_of<arm_election_timer>(fx))
      result.push_back(t.after);
  };
  take(d.start());
  while (result.size() < n)
    take(d.fire_election());
  result.resize(n);
  return result;
}

node::options with_timing(std::uint64_t seed, duration min, duration max) {
  auto o = options_for(1, cluster_of(3), seed);
  o.timing.election_min = min;
  o.timing.election_max = max;
  return o;
}

} // namespace

TEST_CASE("election timeouts are chosen randomly from the fixed interval [election_min, "
          "election_max] (§5.2)",
          "[rules][timing]") {
  using std::chrono::milliseconds;
  SECTION("the default interval") {
    auto draws = election_timeouts(options_for(1, cluster_of(3), 11), 1000);
    for (auto t : draws) {
      CHECK(t >= timing{}.election_min);
      CHECK(t <= timing{}.election_max);
    }
    std::set<duration> distinct(draws.begin(), draws.end());
    CHECK(distinct.size() > 900); // 300001 possible values: random, not fixed
    auto [lo, hi] = std::minmax_element(draws.begin(), draws.end());
    CHECK(*lo < milliseconds(330)); // spread over the whole interval
    CHECK(*hi > milliseconds(570));
  }
  SECTION("both ends of the interval can be drawn") {
    auto min = milliseconds(300);
    auto max = min + duration(2);
    auto draws = election_timeouts(with_timing(5, min, max), 300);
    std::set<duration> distinct(draws.begin(), draws.end());
    CHECK(distinct == std::set<duration>{min, min + duration(1), max});
  }
  SECTION("an interval of one value") {
    auto only = milliseconds(450);
    for (auto t : election_timeouts(with_timing(5, only, only), 50))
      CHECK(t == only);
  }
}

TEST_CASE("the same seed gives the same randomized election timeouts, and different seeds "
          "give different ones (§5.2)",
          "[rules][timing]") {
  auto a = election_timeouts(options_for(1, cluster_of(3), 7), 30);
  auto b = election_timeouts(options_for(1, cluster_of(3), 7), 30);
  auto c = election_timeouts(options_for(1, cluster_of(3), 8), 30);
  CHECK(a == b);
  CHECK(a != c);
  // Every draw differs for most positions, not just one of them.
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    same += a[i] == c[i] ? 1u : 0u;
  CHECK(same < 3);
}

TEST_CASE("a node refuses options it cannot run with", "[options]") {
  CHECK_THROWS_AS(node(options_for(4, cluster_of(3))), std::invalid_argument);
  CHECK_THROWS_AS(node(options_for(1, {1, 2, 2})), std::invalid_argument);
  auto o = options_for(1, cluster_of(3));
  o.timing.election_min = o.timing.heartbeat; // one lost heartbeat would start an election
  CHECK_THROWS_AS(node(o), std::invalid_argument);
  o = options_for(1, cluster_of(3));
  o.timing.election_max = o.timing.election_min - duration(1);
  CHECK_THROWS_AS(node(o), std::invalid_argument);
  CHECK_NOTHROW(node(options_for(1, cluster_of(3))));
}

/// The simulator with the product's election extensions on: pre-vote (thesis §9.6),
/// check-quorum and the crash fast path (core/node.hpp). The same invariants and liveness
/// bound hold. (Targeted scenarios — a rejoining node, an isolated leader, one lost link —
/// are in tests/core/election_extensions_test.cpp and tests/cluster.)

#include <catch2/catch.hpp>

#include "sim/simulator.hpp"
#include "tests/sim/report.hpp"

using namespace raft::sim;

namespace {

run_options product() {
  run_options o;
  o.pre_vote = true;
  o.check_quorum = true;
  o.retry_vote_requests = true;
  return o;
}

} // namespace

TEST_CASE("ten thousand seeded fault scenarios with pre-vote, check-quorum and the crash fast "
          "path keep at most one leader per term and elect within five seconds of the heal",
          "[sim][prevote]") {
  auto opts = product();
  std::size_t crashes = 0;
  for (std::uint64_t seed = 1; seed <= 10000; ++seed) {
    auto r = run_seed(seed, opts);
    if (!r.ok)
      FAIL(report(r, opts));
    crashes += r.crashes;
  }
  CHECK(crashes > 30000); // the fast path was exercised many times
}

/// The simulator with the product's election extensions on: pre-vote on every candidacy
/// (thesis §9.6), the leader lease on RequestVote (thesis §4.2.3), check-quorum and the crash
/// fast path (core/node.hpp). The same invariants and liveness bound hold, and no leader
/// holding a majority is deposed after the heal. (Targeted scenarios are in
/// tests/sim/scripted_test.cpp, the rules in tests/core.)

#include <catch2/catch.hpp>

#include "sim/simulator.hpp"
#include "tests/sim/report.hpp"

using namespace raft::sim;

namespace {

run_options product() {
  run_options o;
  o.features = raft::features::product();
  return o;
}

} // namespace

TEST_CASE("ten thousand seeded fault scenarios with pre-vote, check-quorum and the crash fast "
          "path keep at most one leader per term, elect within five seconds of the heal, "
          "depose no leader that holds a majority, and run the fast path",
          "[sim][prevote][fastpath]") {
  auto opts = product();
  std::size_t crashes = 0, disruptive = 0;
  std::uint64_t fast_timers = 0, fast_leaders = 0;
  for (std::uint64_t seed = 1; seed <= 10000; ++seed) {
    auto r = run_seed(seed, opts);
    if (!r.ok)
      FAIL(report(r, opts));
    crashes += r.crashes;
    disruptive += r.disruptive_depositions;
    fast_timers += r.fast_path_timers;
    fast_leaders += r.fast_path_leaders;
  }
  CHECK(disruptive == 0);
  // The fast path really ran: its short timers fired and started rounds, and leaders were
  // elected by them (a leader whose winning election was on a short timer).
  CHECK(crashes > 30000);
  CHECK(fast_timers > 20000);
  CHECK(fast_leaders > 1000);
  WARN("fast path: " << fast_timers << " short timers fired, " << fast_leaders
                     << " leaders elected on it, after " << crashes << " crashes");
}

TEST_CASE("in plain Figure 2 runs the simulator reports no fast path timer and dozens of "
          "disruptive depositions in 3000 seeds of five peers",
          "[sim][prevote]") {
  // Plain Figure 2: nothing keeps a peer that has not heard the leader from standing against
  // it, so the disruptive-deposition count is not zero by construction.
  run_options plain;
  plain.peers = 5;
  std::size_t disruptive = 0;
  std::uint64_t fast_timers = 0;
  for (std::uint64_t seed = 1; seed <= 3000; ++seed) {
    auto r = run_seed(seed, plain);
    if (!r.ok)
      FAIL(report(r, plain));
    disruptive += r.disruptive_depositions;
    fast_timers += r.fast_path_timers;
  }
  CHECK(fast_timers == 0);
  CHECK(disruptive >= 20);
  WARN("plain Figure 2, 3000 seeds of 5 peers: " << disruptive << " disruptive depositions");
}

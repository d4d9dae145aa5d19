/// The simulator with the whole log: client proposals, stores whose unsynced writes a crash
/// loses, services that snapshot, and the checks of sim/log_checker.hpp after every event.

#include <catch2/catch.hpp>

#include "sim/simulator.hpp"
#include "tests/sim/report.hpp"

using namespace raft::sim;

TEST_CASE("ten thousand seeded fault scenarios with proposals, durable logs, crashes and "
          "snapshots keep Log Matching, Leader Completeness and State Machine Safety, and "
          "apply every acknowledged proposal everywhere") {
  int churn = 0, power_cuts = 0, slow_disks = 0, crashing = 0, product = 0;
  std::uint64_t committed = 0, installed = 0, taken = 0, accepted = 0;
  for (std::uint64_t seed = 1; seed <= 10000; ++seed) {
    run_options opts;
    opts.logs = true;
    // Half the seeds as raft-node runs (pre-vote, check-quorum, retries, the crash fast
    // path), half as Figure 2 alone.
    if (seed % 2 == 0)
      opts.features = raft::features::product();
    auto r = run_seed(seed, opts);
    if (!r.ok)
      FAIL(report(r, opts));
    churn += r.scn.leader_churn;
    power_cuts += r.scn.power_cuts;
    slow_disks += r.scn.slow_disk;
    crashing += r.scn.crashes;
    product += seed % 2 == 0;
    committed += r.committed_entries;
    installed += r.snapshots_installed;
    taken += r.snapshots_taken;
    accepted += r.proposals_accepted;
  }
  // The mix really is mixed, and the log really is used: thousands of seeds of each kind of
  // log fault, a million committed entries, tens of thousands of snapshots installed.
  CHECK(churn > 2000);
  CHECK(power_cuts > 1000);
  CHECK(slow_disks > 4000);
  CHECK(crashing > 5000);
  CHECK(product == 5000);
  CHECK(committed > 1'000'000);
  CHECK(accepted > committed / 2);
  CHECK(taken > 100'000);
  CHECK(installed > 30'000);
}

TEST_CASE("with proposals a seed replays to the identical trace") {
  run_options opts;
  opts.logs = true;
  auto a = run_seed(4321, opts);
  auto b = run_seed(4321, opts);
  REQUIRE(a.ok);
  CHECK(a.trace_hash == b.trace_hash);
  CHECK(a.committed_entries == b.committed_entries);
  CHECK(a.committed_entries > 0);
  CHECK(replay_command(4321, opts) ==
        "build/sim/raft-sim --seed 4321 --logs --snapshot-every 8 --trace");
}

TEST_CASE("without snapshots every follower catches up by AppendEntries alone") {
  run_options opts;
  opts.logs = true;
  opts.snapshot_every = 0;
  for (std::uint64_t seed = 1; seed <= 500; ++seed) {
    auto r = run_seed(seed, opts);
    if (!r.ok)
      FAIL(report(r, opts));
    CHECK(r.snapshots_taken == 0);
    CHECK(r.snapshots_installed == 0);
  }
}

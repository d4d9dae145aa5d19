/// Proof that the checks can fail: each injected bug is reported within a bounded number of
/// seeds. Seeds are deterministic, so "within the first 2,000 seeds" is a fixed fact of the
/// current simulator, not a matter of luck.
#include <catch2/catch.hpp>

#include "sim/simulator.hpp"

using namespace raft::sim;

namespace {

struct first_failure {
  std::uint64_t seed = 0; ///< 0 when none failed
  run_result result;
  std::size_t failures = 0;
};

/// Runs seeds 1..`seeds` until the first failure (all of them when none fails).
first_failure hunt(const run_options& opts, std::uint64_t seeds) {
  first_failure f;
  for (std::uint64_t s = 1; s <= seeds; ++s) {
    auto r = run_seed(s, opts);
    if (r.ok)
      continue;
    f.failures = 1;
    f.seed = s;
    f.result = std::move(r);
    break;
  }
  return f;
}

/// Hunts `name` over seeds 1..2000, requires a failure whose description contains
/// `violation`, and reports where it was first caught.
void expect_caught(const char* name, const run_options& opts, const char* violation) {
  auto f = hunt(opts, 2000);
  INFO("first failure at seed " << f.seed << " (0: none in 2000 seeds)");
  REQUIRE(f.seed != 0);
  CHECK_THAT(f.result.violation, Catch::Contains(violation));
  WARN(name << ": first caught at seed " << f.seed);
}

} // namespace

TEST_CASE("the simulator catches a candidate that counts stale votes as two leaders in a term") {
  // Needs a vote granted in an older term to arrive late (long delay or late duplicate) while
  // the candidate runs again, and a rival winning that same term (§5.2, Figure 3).
  run_options opts;
  opts.core_bugs = raft::bug_count_stale_votes;
  expect_caught("count_stale_votes", opts, "two leaders in term");
}

TEST_CASE("the simulator catches a peer that forgets its vote on restart") {
  // Storage bug: the restarted peer gets its term back but not voted_for, and votes again
  // in that term (Figure 2: votedFor is persistent state).
  run_options opts;
  opts.forget_vote_on_restart = true;
  expect_caught("forget_vote_on_restart", opts, "voted twice in term");
}

TEST_CASE("the simulator catches a voter that votes twice, by the core's own check and by its "
          "own cross-node checks") {
  run_options opts;
  opts.core_bugs = raft::bug_vote_twice;
  auto with_core = hunt(opts, 200);
  REQUIRE(with_core.seed != 0);
  CHECK_THAT(with_core.result.violation, Catch::Contains("core invariant"));

  // Without the core's check_invariants() the simulator's own memory of votes catches it.
  opts.core_checks = false;
  auto alone = hunt(opts, 200);
  REQUIRE(alone.seed != 0);
  CHECK_THAT(alone.result.violation, Catch::Contains("voted twice in term"));
  WARN("vote_twice: first caught at seed " << with_core.seed << " (core check) and "
                                           << alone.seed << " (simulator only)");
}

TEST_CASE("the simulator catches a voter that ignores log freshness as a leader without a "
          "committed entry, once peers start with uneven logs") {
  // §5.4.1: a voter refuses a candidate whose log is less up to date than its own. With
  // preloaded logs (sim/history.hpp) some peers lack a committed entry; a voter with the bug
  // helps one of them win, and Leader Completeness (Figure 3) reports it.
  run_options opts;
  opts.preloaded_logs = true;
  opts.core_bugs = raft::bug_ignore_log_freshness;
  expect_caught("ignore_log_freshness", opts, "without committed entry");
}

TEST_CASE("with empty logs a voter that ignores log freshness behaves exactly like a correct "
          "one") {
  // §5.4.1 compares the candidate's last log entry with the voter's; when every log is empty
  // the comparison always says "up to date", so the bug cannot change a single step. This is
  // why the test above needs preloaded logs: the runs here are identical, event for event.
  run_options buggy;
  buggy.core_bugs = raft::bug_ignore_log_freshness;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    auto r = run_seed(seed, buggy);
    REQUIRE(r.ok);
    REQUIRE(r.trace_hash == run_seed(seed).trace_hash);
  }
}

namespace {

run_options with_logs(unsigned core_bugs) {
  run_options opts;
  opts.logs = true;
  opts.core_bugs = core_bugs;
  return opts;
}

} // namespace

TEST_CASE("the simulator catches a leader that commits an entry of an earlier term by "
          "counting replicas (Figure 8)") {
  // §5.4.2: such an entry may still be overwritten by a leader of a term between; the
  // leader churn seeds (the course's Figure 8 test) make one.
  expect_caught("commit_previous_term", with_logs(raft::bug_commit_previous_term),
                "committed entry");
}

TEST_CASE("the simulator catches a follower that skips the prevLogIndex and prevLogTerm "
          "check") {
  expect_caught("skip_prev_log_check", with_logs(raft::bug_skip_prev_log_check), "");
}

TEST_CASE("the simulator catches a follower that keeps conflicting entries instead of "
          "deleting them") {
  expect_caught("no_truncate_on_conflict", with_logs(raft::bug_no_truncate_on_conflict),
                "State Machine Safety");
}

TEST_CASE("the simulator catches a follower that acknowledges entries before they are "
          "durable") {
  // A power cut (or a crash) after the acknowledgement loses an entry the leader counted
  // towards commitment; the slow disk seeds leave time for it.
  expect_caught("ack_before_sync", with_logs(raft::bug_ack_before_sync), "committed entry");
}

TEST_CASE("the simulator catches a peer that forgets its log on restart") {
  auto opts = with_logs(0);
  opts.forget_log_on_restart = true;
  expect_caught("forget_log_on_restart", opts, "committed entry");
}

/// raft-sim: runs seeded simulations of the Raft core and reports violations.
///
///   raft-sim --seeds 10000 --start 1      run seeds 1..10000 (sizes 3/5/7 by seed)
///   raft-sim --seed 1234 --trace          replay one seed, printing every event
///   options: --peers N, --bug NAME (count_stale_votes, ignore_log_freshness, vote_twice,
///            forget_vote_on_restart, candidate_skips_pre_vote, ignore_vote_lease,
///            commit_previous_term, skip_prev_log_check, no_truncate_on_conflict,
///            ack_before_sync, forget_log_on_restart),
///            --logs (client proposals, durable logs, snapshots; the log's checks),
///            --snapshot-every N (with --logs; 0: no snapshots; default 8),
///            --no-core-checks, --never-heal, --tail N,
///            --show N (failures printed in full, default 5), --quiet,
///            --pre-vote, --check-quorum, --retry, --product (all three: what raft-node runs),
///            --preloaded-logs (peers start with uneven logs; Leader Completeness checked)
///
/// Ends with one JSON summary line (violations, leaders deposed after the heal, disruptive
/// depositions, crash fast path timers and leaders: sim/README.md); exits 1 when any seed
/// failed, 2 on bad usage.

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "apps/cli.hpp"
#include "sim/simulator.hpp"

int main(int argc, char** argv) {
  using namespace raft::sim;
  run_options opts;
  std::uint64_t start = 1, count = 1, show = 5;
  std::optional<std::uint64_t> seed;
  std::size_t peers = 0;
  std::vector<std::string> bugs;
  bool trace = false, quiet = false, product = false;
  CLI::App app{"Runs seeded simulations of the Raft core and reports violations.", "raft-sim"};
  app.option_defaults()->always_capture_default();
  auto* seeds_opt = app.add_option("--seeds", count, "how many seeds to run");
  auto* start_opt = app.add_option("--start", start, "the first seed");
  app.add_option("--seed", seed, "replay this one seed")->excludes(seeds_opt, start_opt);
  app.add_option("--peers", peers, "peers per scenario (default: 3, 5 or 7 by seed)")
    ->check(CLI::Range(1, 15));
  app.add_option("--bug", bugs, "inject a bug (repeatable)")
    ->check(raft::one_of({"count_stale_votes", "ignore_log_freshness", "vote_twice",
                          "forget_vote_on_restart", "candidate_skips_pre_vote",
                          "ignore_vote_lease", "commit_previous_term", "skip_prev_log_check",
                          "no_truncate_on_conflict", "ack_before_sync",
                          "forget_log_on_restart", "read_without_round"}))
    ->type_name("NAME");
  app.add_flag("--no-core-checks{false}", opts.core_checks, "skip the core's own invariants");
  app.add_flag("--never-heal", opts.never_heal, "keep the faults to the end");
  app.add_option("--tail", opts.tail, "events shown before a failure");
  app.add_option("--show", show, "failures printed in full");
  app.add_flag("--quiet", quiet, "print only the summary");
  app.add_flag("--pre-vote", opts.features.pre_vote, "pre-vote (thesis 9.6)");
  app.add_flag("--check-quorum", opts.features.check_quorum, "check-quorum");
  app.add_flag("--retry", opts.features.retry_vote_requests, "retried vote requests");
  app.add_flag("--product", product, "all three: what raft-node runs");
  app.add_flag("--preloaded-logs", opts.preloaded_logs,
               "peers start with uneven logs (Leader Completeness checked)");
  app.add_flag("--logs", opts.logs,
               "client proposals, durable logs and snapshots, with the log's checks");
  app.add_option("--snapshot-every", opts.snapshot_every,
                 "with --logs: entries applied between snapshots (0: none)");
  app.add_flag("--trace", trace, "print every event");
  if (auto status = raft::parse_command_line(app, argc, argv))
    return *status;
  if (seed) {
    start = *seed;
    count = 1;
  }
  if (peers != 0)
    opts.peers = peers;
  if (product)
    opts.features = raft::features::product();
  for (auto& name : bugs) {
    if (name == "forget_vote_on_restart")
      opts.forget_vote_on_restart = true;
    else if (name == "forget_log_on_restart")
      opts.forget_log_on_restart = true;
    else
      opts.core_bugs |= parse_core_bug(name);
  }
  if (trace)
    opts.trace_out = &std::cout;

  std::uint64_t violations = 0, events = 0, first_failure = 0;
  double virtual_us = 0;
  vtime worst_leader = 0;
  std::uint64_t deposed = 0, disruptive = 0, fast_timers = 0, fast_leaders = 0;
  std::uint64_t committed = 0, snapshots_installed = 0, reads = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t s = start; s < start + count; ++s) {
    auto r = run_seed(s, opts);
    events += r.events;
    virtual_us += static_cast<double>(r.end);
    deposed += r.leaders_deposed_after_heal;
    disruptive += r.disruptive_depositions;
    fast_timers += r.fast_path_timers;
    fast_leaders += r.fast_path_leaders;
    committed += r.committed_entries;
    snapshots_installed += r.snapshots_installed;
    reads += r.reads_served;
    if (r.leader_after_heal > worst_leader)
      worst_leader = r.leader_after_heal;
    if (r.ok)
      continue;
    if (violations++ == 0)
      first_failure = s;
    if (quiet || violations > show)
      continue;
    std::cout << "FAIL seed " << s << " (" << r.scn.describe() << "): " << r.violation << '\n'
              << "  replay: " << replay_command(s, opts) << '\n';
    if (!trace)
      std::cout << "  last " << opts.tail << " events:\n" << r.tail;
  }
  double secs =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Rounded as the summary always printed them (milliseconds to 1 decimal, seconds to 3).
  auto rounded = [](double x, double scale) { return std::round(x * scale) / scale; };
  nlohmann::ordered_json summary = {
    {"seeds", count},
    {"start", start},
    {"violations", violations},
    {"first_failing_seed", first_failure},
    {"seconds", rounded(secs, 1000)},
    {"seeds_per_second", rounded(secs > 0 ? static_cast<double>(count) / secs : 0.0, 10)},
    {"virtual_seconds", rounded(virtual_us / 1e6, 10)},
    {"events", events},
    {"slowest_stable_leader_after_heal_ms", rounded(static_cast<double>(worst_leader) / 1000.0, 10)},
    {"leaders_deposed_after_heal", deposed},
    {"disruptive_depositions", disruptive},
    {"fast_path_timers", fast_timers},
    {"fast_path_leaders", fast_leaders},
    {"committed_entries", committed},
    {"snapshots_installed", snapshots_installed},
    {"reads_served", reads}};
  std::cout << summary.dump() << std::endl;
  return violations == 0 ? 0 : 1;
}

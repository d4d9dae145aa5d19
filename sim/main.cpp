/// raft-sim: runs seeded simulations of the Raft core and reports violations.
///
///   raft-sim --seeds 10000 --start 1      run seeds 1..10000 (sizes 3/5/7 by seed)
///   raft-sim --seed 1234 --trace          replay one seed, printing every event
///   options: --peers N, --bug NAME (count_stale_votes, ignore_log_freshness, vote_twice,
///            forget_vote_on_restart, candidate_skips_pre_vote, ignore_vote_lease),
///            --no-core-checks, --never-heal, --tail N,
///            --show N (failures printed in full, default 5), --quiet,
///            --pre-vote, --check-quorum, --retry, --product (all three: what raft-node runs),
///            --preloaded-logs (peers start with uneven logs; Leader Completeness checked)
///
/// Ends with one JSON summary line (violations, leaders deposed after the heal, disruptive
/// depositions, crash fast path timers and leaders: sim/README.md); exits 1 when any seed
/// failed, 2 on bad usage.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "sim/simulator.hpp"

namespace {

void usage() {
  std::cerr << "usage: raft-sim [--seeds N] [--start S] [--seed S] [--peers 3|5|7] [--trace]\n"
               "                [--bug count_stale_votes|ignore_log_freshness|vote_twice|"
               "forget_vote_on_restart|\n"
               "                       candidate_skips_pre_vote|ignore_vote_lease]...\n"
               "                [--no-core-checks] [--never-heal] [--tail N] [--show N] "
               "[--quiet]\n"
               "                [--pre-vote] [--check-quorum] [--retry] [--product (all three)]\n"
               "                [--preloaded-logs]\n";
}

bool parse_u64(const char* s, std::uint64_t& out) {
  char* end = nullptr;
  out = std::strtoull(s, &end, 10);
  return end && *end == '\0' && end != s;
}

} // namespace

int main(int argc, char** argv) {
  using namespace raft::sim;
  run_options opts;
  std::uint64_t start = 1, count = 1, show = 5;
  bool trace = false, quiet = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::uint64_t& out) {
      if (i + 1 >= argc || !parse_u64(argv[i + 1], out)) {
        std::cerr << "raft-sim: " << a << " needs a number\n";
        usage();
        std::exit(2);
      }
      ++i;
    };
    if (a == "--seeds") {
      value(count);
    } else if (a == "--start") {
      value(start);
    } else if (a == "--seed") {
      value(start);
      count = 1;
    } else if (a == "--peers") {
      std::uint64_t p = 0;
      value(p);
      if (p < 1 || p > 15) {
        std::cerr << "raft-sim: --peers must be 1..15\n";
        return 2;
      }
      opts.peers = static_cast<std::size_t>(p);
    } else if (a == "--tail") {
      std::uint64_t t = 0;
      value(t);
      opts.tail = static_cast<std::size_t>(t);
    } else if (a == "--show") {
      value(show);
    } else if (a == "--bug" && i + 1 < argc) {
      std::string name = argv[++i];
      if (name == "forget_vote_on_restart") {
        opts.forget_vote_on_restart = true;
      } else if (auto bit = parse_core_bug(name)) {
        opts.core_bugs |= bit;
      } else {
        std::cerr << "raft-sim: unknown bug " << name << '\n';
        usage();
        return 2;
      }
    } else if (a == "--no-core-checks") {
      opts.core_checks = false;
    } else if (a == "--never-heal") {
      opts.never_heal = true;
    } else if (a == "--pre-vote") {
      opts.pre_vote = true;
    } else if (a == "--check-quorum") {
      opts.check_quorum = true;
    } else if (a == "--retry") {
      opts.retry_vote_requests = true;
    } else if (a == "--preloaded-logs") {
      opts.preloaded_logs = true;
    } else if (a == "--product") {
      opts.pre_vote = opts.check_quorum = opts.retry_vote_requests = true;
    } else if (a == "--trace") {
      trace = true;
    } else if (a == "--quiet") {
      quiet = true;
    } else {
      usage();
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  if (trace)
    opts.trace_out = &std::cout;

  std::uint64_t violations = 0, events = 0, first_failure = 0;
  double virtual_us = 0;
  vtime worst_leader = 0;
  std::uint64_t deposed = 0, disruptive = 0, fast_timers = 0, fast_leaders = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t s = start; s < start + count; ++s) {
    auto r = run_seed(s, opts);
    events += r.events;
    virtual_us += static_cast<double>(r.end);
    deposed += r.leaders_deposed_after_heal;
    disruptive += r.disruptive_depositions;
    fast_timers += r.fast_path_timers;
    fast_leaders += r.fast_path_leaders;
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
  char json[768];
  std::snprintf(json, sizeof json,
                "{\"seeds\": %llu, \"start\": %llu, \"violations\": %llu, "
                "\"first_failing_seed\": %llu, \"seconds\": %.3f, \"seeds_per_second\": %.1f, "
                "\"virtual_seconds\": %.1f, \"events\": %llu, "
                "\"slowest_stable_leader_after_heal_ms\": %.1f, "
                "\"leaders_deposed_after_heal\": %llu, \"disruptive_depositions\": %llu, "
                "\"fast_path_timers\": %llu, \"fast_path_leaders\": %llu}",
                static_cast<unsigned long long>(count), static_cast<unsigned long long>(start),
                static_cast<unsigned long long>(violations),
                static_cast<unsigned long long>(first_failure), secs,
                secs > 0 ? static_cast<double>(count) / secs : 0.0, virtual_us / 1e6,
                static_cast<unsigned long long>(events),
                static_cast<double>(worst_leader) / 1000.0,
                static_cast<unsigned long long>(deposed),
                static_cast<unsigned long long>(disruptive),
                static_cast<unsigned long long>(fast_timers),
                static_cast<unsigned long long>(fast_leaders));
  std::cout << json << std::endl;
  return violations == 0 ? 0 : 1;
}

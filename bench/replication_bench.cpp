/// replication-bench: what a committed entry costs in a 3-peer cluster of real peer actors
/// with durable stores, as one JSON document on stdout (progress on stderr).
///
///   replication-bench [--trials N] [--entries N] [--proposers N] [--throughput-entries N]
///                     [--stores disk,disk-nosync,memory] [--placement detached|scheduled]
///                     [--max-throughput N] [--fdatasync-samples N] [--dir DIR] ...
///
/// Per trial, and per store and placement asked for, two phases, each on a fresh cluster
/// (bench/bench_cluster.hpp: three peers from spawn_peer, each with its store in its own
/// directory, linked directly in one process) once it has elected a leader:
/// - one proposer, closed loop (bench/closed_loop.hpp): propose an entry of --entry-bytes,
///   wait until the leader applies it, propose the next; the latency of each of --entries
///   entries after --warmup: p50, p90, p99, p99.9, max;
/// - --proposers closed-loop proposers at once: entries per second committed and applied at
///   the leader over --throughput-entries entries, and their latencies.
/// Before each trial the disk's fdatasync latency is measured in the same directory as
/// log-store-bench does (bench/fdatasync_probe.hpp), alone and with three writers at once
/// (as the peers sync), so every figure can be read against it; the fdatasyncs the peers
/// made are timed too (leader_fdatasync, follower_fdatasync).
///
/// Stores: `disk` is raft-node's (disk_log_store over posix_fs, a file_store for the term and
/// vote): every acknowledgement and every commit waits for an fdatasync. `disk-nosync` skips
/// the fdatasyncs (no durability: the cost of the protocol, the actors and the store's
/// writes without the disk's flushes) and `memory` keeps the log in memory_log_store: both
/// are comparisons, never a way to run a peer. Placement `detached` gives each peer a thread
/// of its own, as raft-node does; `scheduled` runs the peers on CAF's shared workers. The
/// scheduler's settings are raft-node's (actors/node_system.cpp) unless --max-throughput
/// says otherwise. Trials interleave the variants, so a change in the machine's load
/// reaches all of them alike; the load average is recorded with each phase.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <caf/all.hpp>

#include "apps/cli.hpp"
#include "bench/bench_cluster.hpp"
#include "bench/bench_stats.hpp"
#include "bench/machine_load.hpp"
#include "bench/closed_loop.hpp"
#include "bench/fdatasync_probe.hpp"

using namespace raft;
using namespace raft::bench;

namespace {

struct settings {
  std::string base;
  std::size_t trials = 10;
  std::size_t entries = 2000;
  std::size_t warmup = 200;
  std::size_t proposers = 64;
  std::size_t throughput_entries = 20000;
  std::size_t entry_bytes = 100;
  std::vector<std::string> stores{"disk", "disk-nosync", "memory"};
  std::vector<std::string> placements{"detached"};
  int max_throughput = 1;
  std::size_t fdatasync_samples = 500;
  std::uint64_t seed = 1;
};

store_kind store_of(const std::string& s) {
  if (s == "disk")
    return store_kind::disk;
  if (s == "disk-nosync")
    return store_kind::disk_nosync;
  return store_kind::memory;
}

void note(const std::string& s) {
  std::fprintf(stderr, "replication-bench: %s\n", s.c_str());
}

/// One variant: a store and a placement; its two phases gather samples over the trials.
struct phase_samples {
  std::vector<double> latency_us;
  std::vector<double> trial_p50_us;
  std::vector<double> trial_p99_us;
  std::vector<double> entries_per_second;
  json trials = json::array();
  std::size_t failed = 0;
};

struct variant {
  std::string store;
  std::string placement;
  phase_samples one;
  phase_samples many;
};

json spread(std::vector<double> v, int digits = 1) {
  std::sort(v.begin(), v.end());
  auto r = [digits](double x) {
    const double s = std::pow(10.0, digits);
    return std::round(x * s) / s;
  };
  return {{"median", r(percentile(v, 50))},
          {"min", r(v.empty() ? 0 : v.front())},
          {"max", r(v.empty() ? 0 : v.back())}};
}

/// The share of [start, end] that `r` spent inside fdatasync (syncs begun in the window).
double sync_share(const peer_report& r, std::int64_t start, std::int64_t end) {
  double busy_ns = 0;
  for (std::size_t i = 0; i < r.datasync_start_ns.size(); ++i)
    if (r.datasync_start_ns[i] >= start && r.datasync_start_ns[i] < end)
      busy_ns += r.datasync_us[i] * 1e3;
  return end > start ? busy_ns / static_cast<double>(end - start) : 0;
}

/// One phase on a fresh cluster: elect, run the proposers, stop, report.
void run_phase(const settings& s, variant& v, std::size_t trial, bool many,
               const std::string& dir) {
  auto& out = many ? v.many : v.one;
  caf::actor_system_config cfg;
  // raft-node's scheduler settings (actors/node_system.cpp).
  cfg.set("scheduler.max-throughput", s.max_throughput);
  cfg.set("work-stealing.aggressive-poll-attempts", 1);
  cfg.set("work-stealing.moderate-poll-attempts", 1);
  cfg.set("work-stealing.relaxed-sleep-duration", caf::timespan{std::chrono::milliseconds(100)});
  caf::actor_system sys{cfg};
  std::filesystem::create_directories(dir);
  json rec = {{"trial", trial}};
  {
    bench_cluster_options co;
    co.store = store_of(v.store);
    co.detached = v.placement == "detached";
    co.dir = dir;
    co.seed = s.seed + trial;
    bench_cluster cluster{sys, co};
    auto leader = cluster.wait_for_leader(10000);
    if (!leader) {
      rec["error"] = "no leader within 10 s";
      ++out.failed;
      out.trials.push_back(rec);
      return;
    }
    closed_loop_options lo;
    lo.proposers = many ? s.proposers : 1;
    lo.warmup = s.warmup;
    lo.measured = many ? s.throughput_entries : s.entries;
    lo.entry_bytes = s.entry_bytes;
    rec["load_average_before"] = load_average();
    const auto usage_before = process_usage::now();
    const auto applied_before = cluster.applied(*leader);
    auto r = run_closed_loop(sys, cluster, *leader, lo);
    const auto usage_after = process_usage::now();
    const auto applied_during =
      static_cast<double>(std::max<std::uint64_t>(1, cluster.applied(*leader) - applied_before));
    rec["load_average_after"] = load_average();
    auto reports = cluster.stop();
    if (!r.error.empty()) {
      rec["error"] = r.error;
      ++out.failed;
      out.trials.push_back(rec);
      note("  failed: " + r.error);
      return;
    }
    std::sort(r.latency_us.begin(), r.latency_us.end());
    out.trial_p50_us.push_back(percentile(r.latency_us, 50));
    out.trial_p99_us.push_back(percentile(r.latency_us, 99));
    out.entries_per_second.push_back(r.entries_per_second);
    rec["leader"] = *leader;
    rec["latency"] = latency_summary(r.latency_us);
    rec["entries_per_second"] = std::lround(r.entries_per_second);
    rec["window_ms"] = us1(r.window_seconds * 1000);
    // Group commit and message counts over the whole phase (election and warm-up included).
    const auto& lr = reports.at(*leader - 1);
    std::vector<double> follower_syncs;
    for (auto& p : reports)
      if (p.id != *leader)
        follower_syncs.insert(follower_syncs.end(), p.datasync_us.begin(), p.datasync_us.end());
    if (v.store != "memory") {
      rec["leader_fdatasync"] = latency_summary(lr.datasync_us);
      rec["follower_fdatasync"] = latency_summary(follower_syncs);
      // Per peer: entries per fdatasync (group commit) over the phase, and the percentage of
      // the measured window it spent blocked in fdatasync.
      json per_sync = json::object();
      json share = json::object();
      for (auto& p : reports) {
        auto name = (p.id == *leader ? "leader_" : "follower_") + std::to_string(p.id);
        per_sync[name] = us1(static_cast<double>(p.applied) /
                             static_cast<double>(std::max<std::size_t>(1, p.datasync_us.size())));
        share[name] = us1(100 * sync_share(p, r.window_start_ns, r.window_end_ns));
      }
      rec["entries_per_fdatasync"] = per_sync;
      rec["fdatasync_percent_of_window"] = share;
    }
    // The whole process (three peers, relays, proposers) per entry the leader applied while
    // the proposers ran (warm-up and drain included): robust against other load.
    rec["cpu_us_per_entry"] = us1((usage_after.cpu_us - usage_before.cpu_us) / applied_during);
    rec["context_switches_per_entry"] =
      us1((usage_after.context_switches - usage_before.context_switches) / applied_during);
    // AppendEntries the leader sent (to both followers together) per entry it applied.
    rec["append_entries_sent_per_entry"] =
      us1(static_cast<double>(lr.sent_append_entries) /
          static_cast<double>(std::max<std::uint64_t>(1, lr.applied)));
    out.latency_us.insert(out.latency_us.end(), r.latency_us.begin(), r.latency_us.end());
    note("  p50 " + std::to_string(std::lround(percentile(r.latency_us, 50))) + " us, p99 " +
         std::to_string(std::lround(percentile(r.latency_us, 99))) + " us, " +
         std::to_string(std::lround(r.entries_per_second)) + " entries/s, load " +
         std::to_string(load_average()[0]));
  }
  out.trials.push_back(rec);
}

json phase_json(const phase_samples& p, std::size_t proposers, std::size_t entries) {
  return {{"proposers", proposers},
          {"entries_per_trial", entries},
          {"trials_completed", p.entries_per_second.size()},
          {"trials_failed", p.failed},
          {"latency_all_trials", latency_summary(p.latency_us)},
          {"trial_p50_us", spread(p.trial_p50_us)},
          {"trial_p99_us", spread(p.trial_p99_us)},
          {"entries_per_second", spread(p.entries_per_second, 0)},
          {"trials", p.trials}};
}

} // namespace

int main(int argc, char** argv) {
  settings s;
  CLI::App app{"Commit latency and throughput of a 3-peer cluster of peer actors with durable "
               "stores, with the disk's fdatasync latency, as JSON.",
               "replication-bench"};
  app.option_defaults()->always_capture_default();
  app.add_option("--dir", s.base,
                 "where to make the scratch directory, on the disk to measure (default: "
                 "$TMPDIR or /var/tmp)");
  app.add_option("--trials", s.trials,
                 "trials (each: a fresh cluster per store, placement and phase)")
    ->check(CLI::Range(1, 1000));
  app.add_option("--entries", s.entries, "measured entries per trial with one proposer")
    ->check(CLI::Range(1, 10000000));
  app.add_option("--warmup", s.warmup, "entries completed before measuring, per phase")
    ->check(CLI::Range(0, 10000000));
  app.add_option("--proposers", s.proposers, "closed-loop proposers in the throughput phase")
    ->check(CLI::Range(1, 100000));
  app.add_option("--throughput-entries", s.throughput_entries,
                 "measured entries per trial in the throughput phase")
    ->check(CLI::Range(1, 100000000));
  app.add_option("--entry-bytes", s.entry_bytes, "bytes of each entry's command")
    ->check(CLI::Range(1, 1 << 20));
  app.add_option("--stores", s.stores,
                 "stores to measure: disk, disk-nosync (no fdatasync, no durability), memory")
    ->delimiter(',')
    ->check(raft::one_of({"disk", "disk-nosync", "memory"}));
  app.add_option("--placement", s.placements,
                 "detached (a thread per peer, as raft-node) and/or scheduled (CAF's workers)")
    ->delimiter(',')
    ->check(raft::one_of({"detached", "scheduled"}));
  app.add_option("--max-throughput", s.max_throughput,
                 "CAF scheduler.max-throughput (raft-node: 1)")
    ->check(CLI::Range(1, 1000000));
  app.add_option("--fdatasync-samples", s.fdatasync_samples,
                 "fdatasync samples before each trial")
    ->check(CLI::Range(1, 10000000));
  app.add_option("--seed", s.seed, "seed of the peers' election timers");
  if (auto status = raft::parse_command_line(app, argc, argv))
    return *status;
  if (s.base.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    s.base = tmp != nullptr ? tmp : "/var/tmp";
  }
  std::string dir = s.base + "/replication-bench-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    std::perror(("replication-bench: mkdtemp in " + s.base).c_str());
    return 1;
  }

  std::vector<variant> variants;
  for (auto& st : s.stores)
    for (auto& pl : s.placements)
      variants.push_back(variant{st, pl, {}, {}});
  std::vector<double> datasync_us;
  std::vector<double> datasync_trial_p50;
  std::vector<double> datasync3_us; // three writers at once, as the cluster's peers
  std::vector<double> datasync3_trial_p50;
  json datasync_trials = json::array();
  json datasync3_trials = json::array();
  const auto load_at_start = load_average();
  try {
    for (std::size_t t = 0; t < s.trials; ++t) {
      auto samples = fdatasync_after_append(dir + "/datasync", s.fdatasync_samples);
      std::sort(samples.begin(), samples.end());
      datasync_trial_p50.push_back(percentile(samples, 50));
      datasync_us.insert(datasync_us.end(), samples.begin(), samples.end());
      datasync_trials.push_back(latency_summary(samples));
      auto beside = fdatasync_after_append_concurrent(dir + "/datasync-", 3,
                                                      s.fdatasync_samples);
      std::sort(beside.begin(), beside.end());
      datasync3_trial_p50.push_back(percentile(beside, 50));
      datasync3_us.insert(datasync3_us.end(), beside.begin(), beside.end());
      datasync3_trials.push_back(latency_summary(beside));
      note("trial " + std::to_string(t + 1) + "/" + std::to_string(s.trials) +
           ": fdatasync p50 " + std::to_string(std::lround(datasync_trial_p50.back())) +
           " us alone, " + std::to_string(std::lround(datasync3_trial_p50.back())) +
           " us with 3 writers; load " + std::to_string(load_average()[0]));
      for (auto& v : variants)
        for (bool many : {false, true}) {
          note(" " + v.store + " " + v.placement + " " +
               std::to_string(many ? s.proposers : 1) + " proposer(s)");
          auto phase_dir = dir + "/t" + std::to_string(t) + "-" + v.store + "-" + v.placement +
                           (many ? "-many" : "-one");
          run_phase(s, v, t, many, phase_dir);
          std::filesystem::remove_all(phase_dir);
        }
    }
  } catch (const std::exception& e) {
    std::cerr << "replication-bench: " << e.what() << "\n";
    std::filesystem::remove_all(dir);
    return 1;
  }

  const auto facts = disk_facts_of(dir);
  std::filesystem::remove_all(dir);

  json runs = json::array();
  for (auto& v : variants)
    runs.push_back({{"store", v.store},
                    {"placement", v.placement},
                    {"one_proposer", phase_json(v.one, 1, s.entries)},
                    {"many_proposers", phase_json(v.many, s.proposers, s.throughput_entries)}});
  json out = {
    {"program", "replication-bench"},
    {"settings",
     {{"trials", s.trials},
      {"entries", s.entries},
      {"warmup", s.warmup},
      {"proposers", s.proposers},
      {"throughput_entries", s.throughput_entries},
      {"entry_bytes", s.entry_bytes},
      {"max_throughput", s.max_throughput},
      {"fdatasync_samples_per_trial", s.fdatasync_samples},
      {"seed", s.seed}}},
    {"cluster", "3 peers (spawn_peer) in one process, product features, default timing; links "
                "are direct (a forwarding relay actor per peer, no serialization)"},
    {"machine",
     {{"cores", std::thread::hardware_concurrency()},
      {"kernel", facts.kernel},
      {"fs_magic", facts.fs_magic},
      {"dir", dir},
      {"load_average_at_start", load_at_start},
      {"load_average_at_end", load_average()}}},
    {"fdatasync_after_100_byte_append",
     {{"all_trials", latency_summary(datasync_us)},
      {"trial_p50_us", spread(datasync_trial_p50)},
      {"trials", datasync_trials}}},
    {"fdatasync_after_100_byte_append_3_writers",
     {{"all_trials", latency_summary(datasync3_us)},
      {"trial_p50_us", spread(datasync3_trial_p50)},
      {"trials", datasync3_trials}}},
    {"runs", runs}};
  std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  return 0;
}

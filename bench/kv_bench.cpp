/// kv-bench: closed-loop clients of the replicated key-value store, as one JSON document on
/// stdout (progress on stderr).
///
///   kv-bench [--config FILE] [--clients N] [--seconds S] [--warmup-seconds W]
///            [--value-bytes V] [--key-bytes K] [--keys N] [--op put|get|mixed]
///            [--read linearizable|lease|local] [--read-percent P] [--snapshot-every N]
///            [--timeout-ms T] [--threads T]
///
/// Without --config it starts a 3-node raft-node cluster on loopback in a temporary
/// directory (testing/node_harness.hpp: `raft-node --init`, then a start, as deployed) and
/// removes it at the end; with --config it uses the cluster that config's members name (any
/// member's config: only the [[peer]] list, [timing] and [tls] are read).
///
/// N sessions (client/kv_session_actor.hpp: one event-based actor each, all sharing a few
/// threads; every session has its own store session for exactly-once writes) each run a
/// closed loop: send an operation, wait for its result, send the next. Keys are drawn
/// uniformly from N keys of K bytes; values are V bytes. `put` writes, `get` reads with the
/// given consistency (the keys are written once first), `mixed` reads P% of the time. The
/// first W seconds are not measured (sessions open, the leader is found); then for S seconds
/// every operation that ends is counted: throughput, latency percentiles of all operations
/// and of writes and reads apart, errors (operations that did not end `done`) by outcome,
/// operations per second of each second, the load average before and after, and the CPU
/// time of this process and of each node in the window.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <nlohmann/json.hpp>

#include "actors/node_system.hpp"
#include "apps/cli.hpp"
#include "bench/bench_stats.hpp"
#include "bench/machine_load.hpp"
#include "bench/kv_load.hpp"
#include "client/endpoint_connect.hpp"
#include "client/kv_session_actor.hpp"
#include "config/load_config.hpp"
#include "kv/codec.hpp"
#include "testing/node_harness.hpp"

using namespace raft;
using namespace raft::bench;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

struct options : kv_load {
  std::string config;
  std::string op = "put";
  std::string read = "linearizable";
  unsigned read_percent = 50;
  std::optional<std::uint64_t> snapshot_every;
  unsigned timeout_ms = 5000;
  unsigned threads = 0;
};

void progress(const std::string& s) {
  std::fprintf(stderr, "kv-bench: %s\n", s.c_str());
}

read_consistency consistency_of(const std::string& s) {
  return s == "lease" ? read_consistency::lease
         : s == "local" ? read_consistency::local
                        : read_consistency::linearizable;
}

/// What the driver does and what it records.
struct workload {
  std::vector<kv_session_actor> sessions;
  std::size_t keys = 0;
  std::size_t key_bytes = 0;
  std::string value;
  read_consistency read = read_consistency::linearizable;
  unsigned read_percent = 0; ///< share of reads (put: 0, get: 100)
  /// Preload: every key written once, in order, then the driver ends; no time window.
  bool preload = false;
  clock_type::time_point measure_from;
  clock_type::time_point measure_until;
};

struct results {
  std::vector<std::uint32_t> write_us;
  std::vector<std::uint32_t> read_us;
  std::map<std::string, std::uint64_t> errors; ///< by outcome
  std::string first_error;
  std::vector<std::uint64_t> per_second; ///< operations ended in each second of the window
  std::uint64_t preloaded = 0;
};

using done_atom = caf::atom_constant<caf::atom("done")>;

struct driver_state {
  std::shared_ptr<workload> w;
  std::shared_ptr<results> r;
  caf::actor report_to;
  std::minstd_rand rng{12345};
  std::size_t next_key = 0; ///< preload
  std::size_t running = 0;  ///< sessions still in their loop
  static inline const char* name = "kv_bench_driver";
};

using driver_pointer = caf::stateful_actor<driver_state>*;

void issue(driver_pointer self, std::size_t client);

void finished_one(driver_pointer self) {
  if (--self->state.running == 0) {
    self->send(self->state.report_to, done_atom::value);
    self->quit();
  }
}

void record(driver_pointer self, bool write, clock_type::time_point began,
            const kv_result& result) {
  auto& st = self->state;
  auto& w = *st.w;
  auto& r = *st.r;
  auto ended = clock_type::now();
  if (w.preload) {
    if (result.outcome == kv_outcome::done)
      ++r.preloaded;
    else if (r.first_error.empty())
      r.first_error = std::string(to_string(result.outcome)) + ": " + result.error;
    return;
  }
  if (ended < w.measure_from || ended >= w.measure_until)
    return;
  auto second = static_cast<std::size_t>((ended - w.measure_from) / 1s);
  if (second >= r.per_second.size())
    r.per_second.resize(second + 1, 0);
  ++r.per_second[second];
  if (result.outcome != kv_outcome::done) {
    ++r.errors[to_string(result.outcome)];
    if (r.first_error.empty())
      r.first_error = std::string(to_string(result.outcome)) + ": " + result.error;
    return;
  }
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(ended - began).count();
  (write ? r.write_us : r.read_us).push_back(static_cast<std::uint32_t>(us));
}

/// The next operation of session `client`, or none when its loop is over.
std::optional<kv_call> next_call(driver_pointer self) {
  auto& st = self->state;
  auto& w = *st.w;
  kv_call c;
  if (w.preload) {
    if (st.next_key >= w.keys)
      return std::nullopt;
    c.what = kv_call::kind::put;
    c.key = key_of(st.next_key++, w.key_bytes);
    c.value = w.value;
    return c;
  }
  if (clock_type::now() >= w.measure_until)
    return std::nullopt;
  c.key = key_of(st.rng() % w.keys, w.key_bytes);
  if (st.rng() % 100 < w.read_percent) {
    c.what = kv_call::kind::get;
    c.read = w.read;
  } else {
    c.what = kv_call::kind::put;
    c.value = w.value;
  }
  return c;
}

void issue(driver_pointer self, std::size_t client) {
  auto call = next_call(self);
  if (!call)
    return finished_one(self);
  bool write = call->what != kv_call::kind::get;
  auto began = clock_type::now();
  self->request(self->state.w->sessions[client], caf::infinite, std::move(*call))
    .then(
      [self, client, write, began](kv_result& result) {
        record(self, write, began, result);
        issue(self, client);
      },
      [self, client, write, began](caf::error& err) {
        kv_result failed;
        failed.error = self->system().render(err);
        record(self, write, began, failed);
        issue(self, client);
      });
}

caf::behavior driver(driver_pointer self, std::shared_ptr<workload> w,
                     std::shared_ptr<results> r, caf::actor report_to) {
  auto& st = self->state;
  st.w = std::move(w);
  st.r = std::move(r);
  st.report_to = std::move(report_to);
  st.running = st.w->sessions.size();
  for (std::size_t i = 0; i < st.w->sessions.size(); ++i)
    issue(self, i);
  return {[](done_atom) {}};
}

/// Runs the driver over `w` and waits until every session has left its loop.
void drive(caf::actor_system& sys, std::shared_ptr<workload> w, std::shared_ptr<results> r,
           std::chrono::milliseconds limit) {
  caf::scoped_actor self{sys};
  sys.spawn(driver, std::move(w), std::move(r), caf::actor{self});
  self->receive([](done_atom) {},
                caf::after(limit) >> [] { throw std::runtime_error("the clients did not finish in time"); });
}

double secs(clock_type::duration d) {
  return std::chrono::duration<double>(d).count();
}

int run(const options& o) {
  // The cluster: one started here, or the one a config names.
  std::unique_ptr<process::cluster_dir> cd;
  std::string config_path = o.config;
  std::optional<std::uint64_t> leader;
  if (config_path.empty()) {
    cd = std::make_unique<process::cluster_dir>(3);
    if (o.snapshot_every)
      for (auto id : cd->ids())
        process::write_file(cd->config(id),
                            cd->config_text(id, cd->data_dir(id)) + "\n[kv]\nsnapshot_every = " +
                              std::to_string(*o.snapshot_every) + "\n");
    cd->start_all();
    leader = cd->wait_for_leader(20s);
    if (!leader) {
      std::fprintf(stderr, "kv-bench: no leader within 20 s\n%s", cd->logs().c_str());
      return 1;
    }
    config_path = cd->config(1);
    progress("started 3 nodes in " + cd->dir() + ", leader " + std::to_string(*leader));
  }
  auto loaded = load_cluster_config_or_report(config_path);
  if (!loaded)
    return 2;
  const auto conf = *loaded;

  caf::actor_system_config cfg;
  configure_node_system(cfg, transport_timing_for(conf.timing), conf.tls);
  if (o.threads > 0)
    cfg.set("scheduler.max-threads", o.threads);
  caf::actor_system sys{cfg};

  kv_session_actor_config sc;
  sc.members = conf.peers;
  sc.options.timeout = std::chrono::milliseconds(o.timeout_ms);
  sc.options.attempt = std::min(sc.options.timeout, std::chrono::milliseconds(1000));
  {
    caf::scoped_actor self{sys};
    for (auto& p : conf.peers) {
      auto ep = connect_endpoint(sys, self, p, clock_type::now() + 5s);
      if (ep)
        sc.endpoints.emplace(p.id, ep);
      else
        progress("cannot reach member " + std::to_string(p.id) + " at " + p.host + ":" +
                 std::to_string(p.port));
    }
  }

  auto make_sessions = [&](std::size_t n) {
    std::vector<kv_session_actor> s;
    for (std::size_t i = 0; i < n; ++i)
      s.push_back(spawn_kv_session(sys, sc));
    return s;
  };

  const std::string value(o.value_bytes, 'v');
  const unsigned read_percent = o.op == "put" ? 0 : o.op == "get" ? 100 : o.read_percent;
  std::uint64_t preloaded = 0;
  if (read_percent > 0) {
    auto w = std::make_shared<workload>();
    w->sessions = make_sessions(std::min<std::size_t>(o.keys, 64));
    w->keys = o.keys;
    w->key_bytes = o.key_bytes;
    w->value = value;
    w->preload = true;
    auto r = std::make_shared<results>();
    progress("writing " + std::to_string(o.keys) + " keys first");
    drive(sys, w, r, std::chrono::minutes(10));
    preloaded = r->preloaded;
    if (preloaded != o.keys)
      progress("only " + std::to_string(preloaded) + " keys written: " + r->first_error);
    for (auto& s : w->sessions)
      caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
  }

  auto w = std::make_shared<workload>();
  w->sessions = make_sessions(o.clients);
  w->keys = o.keys;
  w->key_bytes = o.key_bytes;
  w->value = value;
  w->read = consistency_of(o.read);
  w->read_percent = read_percent;
  auto start = clock_type::now();
  w->measure_from = start + std::chrono::duration_cast<clock_type::duration>(
                              std::chrono::duration<double>(o.warmup_seconds));
  w->measure_until = w->measure_from + std::chrono::duration_cast<clock_type::duration>(
                                         std::chrono::duration<double>(o.seconds));
  auto r = std::make_shared<results>();
  progress(std::to_string(o.clients) + " clients, " + o.op + ", " +
           std::to_string(o.warmup_seconds) + " s warm-up then " + std::to_string(o.seconds) +
           " s measured");

  // The machine during the window: load average and CPU time, read from this thread.
  struct cpu_reading {
    std::array<double, 3> load{};
    machine_cpu machine;
    double own = 0;
    std::uint64_t own_switches = 0;
    std::map<std::uint64_t, double> nodes;
    std::map<std::uint64_t, std::uint64_t> node_switches;
  };
  auto read_cpu = [&] {
    cpu_reading c;
    c.load = load_average();
    c.machine = machine_cpu_now();
    c.own = own_cpu_seconds();
    c.own_switches = process_context_switches(::getpid()).value_or(0);
    if (cd)
      for (auto id : cd->ids()) {
        if (auto s = process_cpu_seconds(cd->node(id).pid()))
          c.nodes[id] = *s;
        if (auto n = process_context_switches(cd->node(id).pid()))
          c.node_switches[id] = *n;
      }
    return c;
  };
  cpu_reading before, after;
  std::thread watcher([&] {
    std::this_thread::sleep_until(w->measure_from);
    before = read_cpu();
    std::this_thread::sleep_until(w->measure_until);
    after = read_cpu();
  });
  auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(w->measure_until - start) +
               std::chrono::milliseconds(o.timeout_ms) + 30s;
  drive(sys, w, r, limit);
  watcher.join();
  for (auto& s : w->sessions)
    caf::anon_send_exit(s, caf::exit_reason::user_shutdown);

  // The summary.
  const double window = secs(w->measure_until - w->measure_from);
  std::vector<std::uint32_t> all = r->write_us;
  all.insert(all.end(), r->read_us.begin(), r->read_us.end());
  std::uint64_t errors = 0;
  json by_outcome = json::object();
  for (auto& [k, n] : r->errors) {
    errors += n;
    by_outcome[k] = n;
  }
  auto overall = latency_ms(all);
  const double cpu_window = after.machine.total - before.machine.total;
  json cpu = {{"window_s", rounded(window, 3)},
              {"machine_busy_percent",
               cpu_window > 0 ? rounded(100 * (after.machine.busy - before.machine.busy) / cpu_window *
                                          std::thread::hardware_concurrency(), 1)
                              : 0.0},
              {"kv_bench_percent", rounded(100 * (after.own - before.own) / window, 1)}};
  json nodes = json::object();
  double node_cpu = 0;
  for (auto& [id, s] : after.nodes)
    if (before.nodes.count(id)) {
      nodes[std::to_string(id)] = rounded(100 * (s - before.nodes[id]) / window, 1);
      node_cpu += s - before.nodes[id];
    }
  cpu["node_percent"] = nodes;
  // Per operation: what the machine's other load hardly changes.
  std::uint64_t node_switches = 0;
  for (auto& [id, n] : after.node_switches)
    if (before.node_switches.count(id))
      node_switches += n - before.node_switches[id];
  const double ops_in_window = std::max<double>(1, static_cast<double>(all.size()));
  cpu["nodes_cpu_us_per_op"] = rounded(1e6 * node_cpu / ops_in_window, 1);
  cpu["kv_bench_cpu_us_per_op"] = rounded(1e6 * (after.own - before.own) / ops_in_window, 1);
  cpu["nodes_context_switches_per_op"] =
    rounded(static_cast<double>(node_switches) / ops_in_window, 2);
  cpu["kv_bench_context_switches_per_op"] =
    rounded(static_cast<double>(after.own_switches - before.own_switches) / ops_in_window, 2);
  cpu["what"] = "percent of one core over the window (100: one core busy all the time); "
                "machine_busy_percent counts every process on every core (200 on 2 cores: "
                "all busy); per op: CPU time and context switches (thread wake-ups) of the "
                "three nodes together, and of kv-bench, per operation that ended done";

  json out;
  out["program"] = "kv-bench";
  out["cluster"] = cd ? "3 raft-node processes started on loopback" : "the members of " + o.config;
  if (leader)
    out["leader"] = *leader;
  out["op"] = o.op;
  out["read"] = o.read;
  out["read_percent"] = read_percent;
  put_load(out, o);
  if (o.snapshot_every)
    out["snapshot_every"] = *o.snapshot_every;
  out["preloaded_keys"] = preloaded;
  out["ops"] = all.size();
  out["ops_per_second"] = rounded(static_cast<double>(all.size()) / window, 1);
  out["writes_per_second"] = rounded(static_cast<double>(r->write_us.size()) / window, 1);
  out["reads_per_second"] = rounded(static_cast<double>(r->read_us.size()) / window, 1);
  out["p50_ms"] = overall["p50_ms"];
  out["p99_ms"] = overall["p99_ms"];
  out["p999_ms"] = overall["p999_ms"];
  out["errors"] = errors;
  out["errors_by_outcome"] = by_outcome;
  if (!r->first_error.empty())
    out["first_error"] = r->first_error;
  out["latency"] = overall;
  out["write_latency"] = latency_ms(r->write_us);
  out["read_latency"] = latency_ms(r->read_us);
  out["ops_each_second"] = r->per_second;
  out["load_average"] = {{"before", before.load}, {"after", after.load}};
  out["cpu"] = cpu;
  std::printf("%s\n", out.dump(1).c_str());
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"Closed-loop clients of the replicated key-value store; prints one JSON "
               "document.",
               "kv-bench"};
  app.option_defaults()->always_capture_default();
  app.add_option("--config", o.config,
                 "a member's config of a running cluster (default: start 3 nodes on loopback)")
    ->type_name("FILE");
  add_load_options(app, o, 100000, kv::max_key_bytes, kv::max_value_bytes);
  app.add_option("--op", o.op, "what the clients do")->check(one_of({"put", "get", "mixed"}));
  app.add_option("--read", o.read, "how reads are confirmed")
    ->check(one_of({"linearizable", "lease", "local"}));
  app.add_option("--read-percent", o.read_percent, "mixed: the share of reads")
    ->check(CLI::Range(0u, 100u));
  app.add_option("--snapshot-every", o.snapshot_every,
                 "the started cluster's [kv] snapshot_every (default: raft-node's)");
  app.add_option("--timeout-ms", o.timeout_ms, "per operation, every retry included")
    ->check(CLI::Range(100u, 600000u));
  app.add_option("--threads", o.threads, "CAF scheduler threads of this process (0: CAF's default)");
  if (auto status = parse_command_line(app, argc, argv))
    return *status;
  try {
    return run(o);
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "kv-bench: %s\n", ex.what());
    return 1;
  }
}

/// failover-bench: real raft-node processes; prints one JSON document.
///
///   failover-bench [--trials N] [--sizes 3,5] [--faults sigkill,sigstop,isolate]
///                  [--transports plain,tls] [--network loopback|namespaces]
///                  [--steady-seconds S] [--idle-seconds S]
///
/// For each cluster size and each fault — SIGKILL of the leader, SIGSTOP of the leader, the
/// leader's network isolated — it runs N trials and reports the time from the fault to the
/// new leader's own `role` event (median, p90, p99, max, in ms), the election messages per
/// failover (with every failover time, in trial order), and the terms bumped when the old
/// leader rejoins. With several transports
/// (plain TCP; mutual TLS with certificates from deploy/make-certs) one cluster per transport
/// runs at the same time and their trials alternate (trial 1 on each, then trial 2 on each,
/// …), so a change in the machine's load during the run falls on every transport alike.
///
/// `--network loopback` (the default) runs every node on 127.0.0.1 and isolates a leader
/// with raft-node's test-only --fault-file switch (packets dropped, connections left up).
/// `--network namespaces` (root only) runs each node on a host of its own, as the hosts
/// tests do (tests/hosts/host_cluster.hpp: network namespaces at 10.199.0.N behind one
/// bridge), and isolates a leader by taking its bridge port down.
///
/// Then, per size and transport unless `--idle-seconds` is 0, on a fresh cluster started as
/// deployed (no fault switch): heartbeats per second per follower in steady state, and each
/// idle node's resident memory and CPU time over `--idle-seconds`; for 3 nodes, the leader
/// changes during `--steady-seconds` with both cores saturated by busy processes. Every
/// node is initialised once with `raft-node --init` before its first start, as deployed.
/// Before each trial the bench waits (15 s at most) until every node follows one leader in
/// one term, by the nodes' own `role` events. Progress goes to stderr.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/cli.hpp"
#include "bench/bench_stats.hpp"
#include "testing/hosts/availability.hpp"
#include "testing/hosts/host_cluster.hpp"
#include "testing/hosts/transport.hpp"
#include "testing/node_harness.hpp"
#include "testing/polling.hpp"

using namespace raft::process;
using namespace std::chrono_literals;
/// Keys in the order written, as before: the kept results read the same.
using json = nlohmann::ordered_json;

namespace {

struct options {
  std::size_t trials = 50;
  std::vector<std::size_t> sizes{3, 5};
  std::vector<std::string> faults{"sigkill", "sigstop", "isolate"};
  std::vector<std::string> transports{"plain"};
  std::string network = "loopback";
  long steady_seconds = 300;
  long idle_seconds = 60;
};

/// A running cluster of the bench, on loopback or on the namespace network.
class bench_cluster {
public:
  virtual ~bench_cluster() = default;
  virtual std::vector<std::uint64_t> ids() const = 0;
  virtual node_process& node(std::uint64_t id) = 0;
  virtual void start_all() = 0;
  /// Cuts node `id` off from every other node, without closing a connection.
  virtual void isolate(std::uint64_t id) = 0;
  /// Undoes isolate().
  virtual void reconnect(std::uint64_t id) = 0;
  virtual std::string logs() const = 0;
  std::size_t size() const {
    return ids().size();
  }
};

/// Nodes on 127.0.0.1 (testing/node_harness.hpp); isolation by --fault-file.
class loopback_cluster final : public bench_cluster {
public:
  loopback_cluster(std::size_t n, bool tls, bool fault_files) : cd_(n, {}, fault_files) {
    if (tls) // the certificates an operator makes with deploy/make-certs
      for (auto id : cd_.ids())
        write_file(cd_.config(id), *read_file(cd_.config(id)) + "\n" +
                                     raft::hosts::mutual_tls::node_config(id, cd_.dir()));
  }
  std::vector<std::uint64_t> ids() const override { return cd_.ids(); }
  node_process& node(std::uint64_t id) override { return cd_.node(id); }
  void start_all() override { cd_.start_all(); }
  void isolate(std::uint64_t id) override { write_file(cd_.fault_file(id), "all\n"); }
  void reconnect(std::uint64_t id) override { write_file(cd_.fault_file(id), ""); }
  std::string logs() const override { return cd_.logs(); }

private:
  cluster_dir cd_;
};

/// Each node on a host of its own (tests/hosts/host_cluster.hpp); isolation by taking the
/// host's bridge port down (its packets vanish, no connection is reset).
class namespace_cluster final : public bench_cluster {
public:
  namespace_cluster(std::size_t n, bool tls)
    : c_(n, tls ? raft::hosts::transport_of<raft::hosts::mutual_tls>()
                : raft::hosts::transport_of<raft::hosts::plain_tcp>()) {
  }
  std::vector<std::uint64_t> ids() const override { return c_.ids(); }
  node_process& node(std::uint64_t id) override { return c_.node(id); }
  void start_all() override { c_.start_all(); }
  void isolate(std::uint64_t id) override { c_.isolate(id); }
  void reconnect(std::uint64_t id) override { c_.reconnect(id); }
  std::string logs() const override { return c_.logs(); }

private:
  raft::hosts::host_cluster c_;
};

std::unique_ptr<bench_cluster> make_cluster(const options& o, std::size_t n,
                                            const std::string& transport, bool fault_files) {
  const bool tls = transport == "tls";
  if (o.network == "namespaces")
    return std::make_unique<namespace_cluster>(n, tls);
  return std::make_unique<loopback_cluster>(n, tls, fault_files);
}

void progress(const std::string& s) {
  std::fprintf(stderr, "%s\n", s.c_str());
}

using raft::bench::percentile;
using raft::bench::rounded;

json summary(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {{"n", v.size()},
          {"median", rounded(percentile(v, 50), 1)},
          {"p90", rounded(percentile(v, 90), 1)},
          {"p99", rounded(percentile(v, 99), 1)},
          {"max", rounded(v.empty() ? 0.0 : v.back(), 1)},
          {"min", rounded(v.empty() ? 0.0 : v.front(), 1)}};
}

/// The latest `stats` event of a node logged after `after_us`, asked for with SIGUSR1.
std::optional<event> stats_of(node_process& n, std::int64_t after_us) {
  n.signal(SIGUSR1);
  return n.wait_event(
    [&](const event& e) { return e.name == "stats" && e.ts_us >= after_us; }, 2s);
}

/// Election messages (pre-votes, votes and their replies) a node has sent in total.
std::uint64_t election_messages(const event& stats) {
  std::uint64_t n = 0;
  for (auto k : {"request_vote", "request_vote_reply", "pre_vote", "pre_vote_reply"})
    n += stats.num(std::string("sent_") + k).value_or(0);
  return n;
}

/// The first `role` leader event of a term above `term` logged by a node other than
/// `old_leader` at or after `since_us`.
std::optional<event> new_leader_event(bench_cluster& cd, std::uint64_t old_leader,
                                      std::uint64_t term, std::int64_t since_us) {
  std::optional<event> best;
  for (auto id : cd.ids()) {
    if (id == old_leader)
      continue;
    for (auto& e : cd.node(id).events_of_this_run())
      if (e.name == "role" && e.str("role") == std::string("leader") &&
          e.num("term").value_or(0) > term && e.ts_us >= since_us &&
          (!best || e.ts_us < best->ts_us))
        best = e;
  }
  return best;
}

enum class fault { sigkill, sigstop, isolate };
const char* name_of(fault f) {
  switch (f) {
    case fault::sigkill: return "sigkill";
    case fault::sigstop: return "sigstop";
    case fault::isolate: return "isolate";
  }
  return "?";
}

fault fault_named(const std::string& name) {
  return name == "sigkill" ? fault::sigkill : name == "sigstop" ? fault::sigstop : fault::isolate;
}

struct case_result {
  std::vector<double> failover_ms;
  std::vector<double> election_messages;
  std::vector<double> old_leader_overlap_ms; ///< sigstop: thaw → old leader's step-down
  /// From the repair (restart, SIGCONT, reconnect) until every node follows one leader
  /// again, as the bench's 10 ms polling of the event logs saw it.
  std::vector<double> rejoin_ms;
  std::size_t failed_trials = 0;
  std::size_t rejoin_term_bumps = 0;
};

/// Waits (15 s at most) until every node's latest `role` event of its current run says it
/// follows one leader L in one term T, and L's says it leads T; returns (L, T).
std::optional<std::pair<std::uint64_t, std::uint64_t>> stable_leader(bench_cluster& cd) {
  std::optional<std::pair<std::uint64_t, std::uint64_t>> found;
  eventually(
    [&] {
      std::map<std::uint64_t, event> latest;
      for (auto id : cd.ids())
        for (auto& e : cd.node(id).events_of_this_run())
          if (e.name == "role")
            latest[id] = e;
      if (latest.size() != cd.size())
        return false;
      for (auto& [id, e] : latest) {
        if (e.str("role") != std::string("leader"))
          continue;
        const auto term = e.num("term").value_or(0);
        for (auto& [other, f] : latest)
          if (other != id && (f.str("role") != std::string("follower") ||
                              f.num("term").value_or(0) != term || f.num("leader") != id))
            return false;
        found = std::make_pair(id, term);
        return true;
      }
      return false;
    },
    15s, 10ms);
  return found;
}

/// One trial of fault `f` (number `t`, which sets the fault's phase in the heartbeat).
void run_trial(bench_cluster& cd, fault f, std::size_t t, case_result& r) {
  auto stable = stable_leader(cd);
  if (!stable) {
    ++r.failed_trials;
    progress("  no stable leader before a trial; logs:\n" + cd.logs());
    return;
  }
  auto [leader, term] = *stable;
  // Election messages sent by the others before the fault.
  std::uint64_t before = 0;
  auto t0 = wall_now_us();
  for (auto id : cd.ids())
    if (id != leader)
      if (auto s = stats_of(cd.node(id), t0))
        before += election_messages(*s);
  // Let a heartbeat pass so the fault lands at a random phase of the heartbeat.
  std::this_thread::sleep_for(std::chrono::milliseconds(50 + (t * 37) % 100));
  auto fault_at = wall_now_us();
  switch (f) {
    case fault::sigkill: cd.node(leader).kill_now(); break;
    case fault::sigstop: cd.node(leader).signal(SIGSTOP); break;
    case fault::isolate: cd.isolate(leader); break;
  }
  std::optional<event> elected;
  eventually(
    [&] { return (elected = new_leader_event(cd, leader, term, fault_at)).has_value(); },
    10s, 5ms);
  if (!elected) {
    ++r.failed_trials;
    progress("  no new leader within 10 s after " + std::string(name_of(f)));
  } else {
    r.failover_ms.push_back(static_cast<double>(elected->ts_us - fault_at) / 1000.0);
    if (std::getenv("BENCH_VERBOSE"))
      progress("    trial " + std::to_string(t + 1) + ": leader " + std::to_string(leader) +
               " faulted at " + std::to_string(fault_at) + " us, new leader " +
               std::to_string(elected->node) + " after " +
               std::to_string(r.failover_ms.back()) + " ms");
    std::uint64_t after = 0;
    auto t1 = wall_now_us();
    for (auto id : cd.ids())
      if (id != leader)
        if (auto s = stats_of(cd.node(id), t1))
          after += election_messages(*s);
    r.election_messages.push_back(static_cast<double>(after - before));
  }
  auto new_term = elected ? elected->num("term").value_or(term + 1) : term + 1;
  // Recover, then check the old leader rejoins without raising the term.
  auto heal_at = wall_now_us();
  switch (f) {
    case fault::sigkill: cd.node(leader).start(); break;
    case fault::sigstop: cd.node(leader).signal(SIGCONT); break;
    case fault::isolate: cd.reconnect(leader); break;
  }
  if (f == fault::sigstop) {
    auto down = cd.node(leader).wait_event(
      [&](const event& e) {
        return e.name == "role" && e.ts_us >= heal_at && e.str("role") != std::string("leader");
      },
      5s);
    if (down)
      r.old_leader_overlap_ms.push_back(static_cast<double>(down->ts_us - heal_at) / 1000.0);
  }
  auto settled = stable_leader(cd);
  if (settled) {
    r.rejoin_ms.push_back(static_cast<double>(wall_now_us() - heal_at) / 1000.0);
    if (settled->second > new_term)
      ++r.rejoin_term_bumps;
  }
}

/// Each value rounded to 0.1, in the order measured.
json samples(const std::vector<double>& v) {
  json out = json::array();
  for (auto x : v)
    out.push_back(rounded(x, 1));
  return out;
}

json case_json(const case_result& r) {
  json j = {{"failover_ms", summary(r.failover_ms)},
            {"failover_samples_ms", samples(r.failover_ms)},
            {"election_messages", summary(r.election_messages)},
            {"all_follow_one_leader_after_repair_ms", summary(r.rejoin_ms)},
            {"failed_trials", r.failed_trials},
            {"terms_bumped_by_rejoining_leader", r.rejoin_term_bumps}};
  if (!r.old_leader_overlap_ms.empty())
    j["old_leader_steps_down_after_thaw_ms"] = summary(r.old_leader_overlap_ms);
  return j;
}

/// utime + stime of a process, in seconds.
double cpu_seconds(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close == std::string::npos)
    return 0;
  std::istringstream fields{text.substr(close + 2)};
  std::string f;
  double ticks = 0;
  for (int i = 3; fields >> f; ++i)
    if (i == 14 || i == 15)
      ticks += std::stod(f);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double rss_mb(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

json steady_json(bench_cluster& cd, long idle_seconds) {
  auto stable = stable_leader(cd);
  if (!stable)
    return {{"error", "no stable leader"}};
  auto leader = stable->first;
  // Heartbeats per second per follower over 10 s, from the leader's own counters.
  auto t0 = wall_now_us();
  auto s0 = stats_of(cd.node(leader), t0);
  std::this_thread::sleep_for(10s);
  auto t1 = wall_now_us();
  auto s1 = stats_of(cd.node(leader), t1);
  double rate = 0;
  if (s0 && s1) {
    auto sent = s1->num("sent_append_entries").value_or(0) -
                s0->num("sent_append_entries").value_or(0);
    rate = static_cast<double>(sent) / static_cast<double>(cd.size() - 1) /
           (static_cast<double>(s1->ts_us - s0->ts_us) / 1e6);
  }
  json idle_nodes = json::array();
  // Resident memory and CPU of each node over the idle window.
  std::map<std::uint64_t, double> cpu0;
  for (auto id : cd.ids())
    cpu0[id] = cpu_seconds(cd.node(id).pid());
  std::this_thread::sleep_for(std::chrono::seconds(idle_seconds));
  for (auto id : cd.ids()) {
    auto pid = cd.node(id).pid();
    double cpu = cpu_seconds(pid) - cpu0[id];
    idle_nodes.push_back(
      {{"id", id},
       {"leader", id == leader},
       {"rss_mb", rounded(rss_mb(pid), 1)},
       {"cpu_percent_of_one_core", rounded(100.0 * cpu / static_cast<double>(idle_seconds), 2)}});
  }
  return {{"heartbeats_per_second_per_follower", rounded(rate, 2)},
          {"idle_nodes", idle_nodes},
          {"idle_seconds", idle_seconds}};
}

/// Leader changes while two busy processes saturate both cores.
json loaded_json(bench_cluster& cd, long seconds) {
  auto stable = stable_leader(cd);
  if (!stable)
    return {{"error", "no stable leader"}};
  auto start_term = stable->second;
  std::vector<pid_t> hogs;
  for (int i = 0; i < 2; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      volatile std::uint64_t x = 0;
      for (;;)
        x = x + 1;
    }
    hogs.push_back(pid);
  }
  auto t0 = wall_now_us();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  for (auto pid : hogs) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  std::size_t changes = 0;
  for (auto id : cd.ids())
    for (auto& e : cd.node(id).events_of_this_run())
      if (e.name == "role" && e.ts_us >= t0 && e.str("role") == std::string("leader"))
        ++changes;
  auto end = stable_leader(cd);
  return {{"seconds", seconds},
          {"busy_processes", 2},
          {"leader_changes", changes},
          {"terms_advanced", end ? end->second - start_term : 0}};
}

} // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"Failover times, heartbeat rate, leader changes under load and idle cost of "
               "real raft-node processes, as one JSON document.",
               "failover-bench"};
  app.option_defaults()->always_capture_default();
  app.add_option("--trials", o.trials, "trials per case")->check(CLI::Range(1, 100000));
  app.add_option("--sizes", o.sizes, "cluster sizes")->delimiter(',')->check(CLI::Range(1, 9));
  app.add_option("--faults", o.faults, "the faults, in this order")
    ->delimiter(',')
    ->check(CLI::IsMember({"sigkill", "sigstop", "isolate"}));
  app.add_option("--transports", o.transports,
                 "plain TCP and/or mutual TLS (certificates from deploy/make-certs)")
    ->delimiter(',')
    ->check(CLI::IsMember({"plain", "tls"}));
  app.add_option("--network", o.network,
                 "loopback, or namespaces: a host per node on a bridge (root only)")
    ->check(CLI::IsMember({"loopback", "namespaces"}));
  app.add_option("--steady-seconds", o.steady_seconds, "the loaded run (3 nodes; 0: none)")
    ->check(CLI::Range(0, 86400));
  app.add_option("--idle-seconds", o.idle_seconds,
                 "the idle window (0: no steady-state, idle or loaded run)")
    ->check(CLI::Range(0, 86400));
  if (auto status = raft::parse_command_line(app, argc, argv))
    return *status;
  if (o.network == "namespaces")
    if (auto why = raft::hosts::netns_unavailable()) {
      std::fprintf(stderr, "failover-bench: --network namespaces: %s\n", why->c_str());
      return 2;
    }
  json out = {{"heartbeat_ms", 100},
              {"election_timeout_ms", {300, 600}},
              {"trials_per_case", o.trials},
              {"network", o.network},
              {"transports", o.transports},
              {"clusters", json::array()}};
  for (auto n : o.sizes) {
    progress("cluster of " + std::to_string(n));
    std::map<std::string, json> clusters;
    {
      // One cluster per transport, all running; trials alternate between them.
      std::map<std::string, std::unique_ptr<bench_cluster>> running;
      for (auto& tr : o.transports) {
        running[tr] = make_cluster(o, n, tr, /*fault files*/ true);
        running[tr]->start_all();
        clusters[tr] = {{"nodes", n}, {"transport", tr}};
      }
      for (auto& name : o.faults) {
        const auto f = fault_named(name);
        progress("  " + name + " x " + std::to_string(o.trials) + " per transport");
        std::map<std::string, case_result> results;
        for (std::size_t t = 0; t < o.trials; ++t)
          for (auto& tr : o.transports)
            run_trial(*running[tr], f, t, results[tr]);
        for (auto& tr : o.transports)
          clusters[tr][name] = case_json(results[tr]);
      }
    } // their nodes are killed here
    for (auto& tr : o.transports) {
      if (o.idle_seconds > 0) {
        // Steady state, idle resources and the loaded run on a cluster started as
        // deployed: without the test-only fault switch, whose file raft-node polls every
        // 10 ms.
        auto deployed = make_cluster(o, n, tr, /*fault files*/ false);
        deployed->start_all();
        progress("  " + tr + ": steady state and idle resources");
        clusters[tr]["steady"] = steady_json(*deployed, o.idle_seconds);
        if (n == 3 && o.steady_seconds > 0) {
          progress("  " + tr + ": " + std::to_string(o.steady_seconds) +
                   " s with both cores saturated");
          clusters[tr]["loaded"] = loaded_json(*deployed, o.steady_seconds);
        }
      }
      out["clusters"].push_back(clusters[tr]);
    }
  }
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

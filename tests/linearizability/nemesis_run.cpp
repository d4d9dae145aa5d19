#include "nemesis_run.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "client_system.hpp"
#include "cluster_watch.hpp"
#include "testing/cluster_events.hpp"

namespace raft::linearizability {

namespace fs = std::filesystem;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::uint64_t run_seed() {
  if (const char* s = std::getenv("RAFT_LIN_SEED"))
    return std::strtoull(s, nullptr, 10);
  return (std::uint64_t{std::random_device{}()} << 32) | std::random_device{}();
}

std::string run_result::describe() const {
  std::string out = "seed " + std::to_string(seed) +
                    " (RAFT_LIN_SEED=SEED repeats the clients' and the nemesis's random "
                    "choices, not their timing)\n";
  out += "clients: " + std::to_string(counts.done) + " operations done, " +
         std::to_string(counts.unknown) + " unknown, " + std::to_string(counts.not_done) +
         " not done; fewest done by one client: " + std::to_string(counts.fewest_done()) + "\n";
  out += "nemesis: " + std::to_string(nemesis.total()) + " faults (" +
         std::to_string(nemesis.kills) + " kills, " + std::to_string(nemesis.freezes) +
         " freezes, " + std::to_string(nemesis.partitions) + " partitions), " +
         std::to_string(nemesis.on_leader) + " on the leader\n";
  for (auto& s : nemesis.steps)
    out += "  " + s + "\n";
  out += nemesis.problems;
  out += "elections: " + std::to_string(elections) + "\n";
  out += std::string("recovered after healing: ") + (recovered ? "yes" : "no") + "\n";
  out += links_down.empty() ? "every link up again\n" : links_down;
  if (!refusals.empty())
    out += std::to_string(refusals.size()) + " messages refused by guards, the first: " +
           refusals.front() + "\n";
  if (!safety.empty())
    out += "safety monitor: " + safety + "\n";
  out += check.describe();
  out += "run took " + std::to_string(took.count()) + " ms\n";
  return out;
}

namespace {

raft::timing raft_timing(const process::timing_config& t) {
  raft::timing out;
  out.heartbeat = std::chrono::milliseconds(t.heartbeat_ms);
  out.election_min = std::chrono::milliseconds(t.election_timeout_min_ms);
  out.election_max = std::chrono::milliseconds(t.election_timeout_max_ms);
  return out;
}

/// Keeps every node's logs beside a kept history (`FILE.nodeN.log`, `FILE.nodeN.err`).
void keep_logs(const run_cluster& c, const std::string& history_file) {
  std::error_code ec;
  for (auto id : c.ids()) {
    auto base = history_file + ".node" + std::to_string(id);
    fs::copy_file(c.node(id).log_path(), base + ".log", fs::copy_options::overwrite_existing, ec);
    fs::copy_file(c.node(id).err_path(), base + ".err", fs::copy_options::overwrite_existing, ec);
  }
}

} // namespace

run_result run_with_nemesis(run_options opts, std::uint64_t seed) {
  const auto began = steady::now();
  run_result out;
  out.seed = seed;
  opts.work.seed = seed;
  opts.nemesis.seed = seed ^ 0x9e3779b97f4a7c15ull;
  const bool switches = std::count(opts.nemesis.faults.begin(), opts.nemesis.faults.end(),
                                   fault::partition) > 0;
  cluster_options co;
  co.nodes = opts.nodes;
  co.timing = opts.timing;
  co.network = opts.network;
  co.partitions = switches;
  co.kv = opts.kv;
  auto cluster = make_run_cluster(co);
  auto& c = *cluster;
  if (!c.wait_for_leader(15s))
    throw std::runtime_error("no leader within 15 s of the start\n" + c.logs());
  lincheck::recorder rec;
  const auto since = process::wall_now_us();
  {
    // The clients' actor system and threads start where the clients run (the operator's
    // host on the namespace network) and stay there; this thread returns before the
    // cluster is taken down.
    auto client_side = c.enter_client_side();
    client_system sys{raft_timing(opts.timing)};
    workload clients{sys.get(), c.members(), opts.work, rec};
    out.nemesis = run_nemesis(c, opts.nemesis);
    // Healed: every client completes an operation again.
    const auto healed = clients.counts();
    out.recovered = testing::eventually(
      [&] {
        auto now = clients.counts();
        for (std::size_t i = 0; i < now.done_by_client.size(); ++i)
          if (now.done_by_client[i] <= healed.done_by_client[i])
            return false;
        return true;
      },
      opts.recovery);
    clients.stop();
    out.counts = clients.counts();
  }
  // Every link comes back up (a restarted node reconnects within about a second).
  testing::eventually([&] { return (out.links_down = links_down(c)).empty(); }, 10s);
  out.elections = elections_since(c, since);
  out.refusals = remote_refusals(c);
  testing::safety_monitor monitor;
  process::observe_logs(monitor, c);
  out.safety = monitor.report();
  // The history and the nodes' logs are kept when anything went wrong, not only the check.
  const bool trouble = !out.nemesis.problems.empty() || !out.safety.empty() || !out.recovered ||
                       !out.links_down.empty() || !out.refusals.empty();
  out.check = check_and_keep(rec.snapshot(), opts.name, opts.check_limit, trouble);
  if (!out.check.saved_to.empty())
    keep_logs(c, out.check.saved_to);
  out.took = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - began);
  return out;
}

} // namespace raft::linearizability

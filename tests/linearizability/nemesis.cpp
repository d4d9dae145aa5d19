#include "nemesis.hpp"

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "cluster_watch.hpp"

namespace raft::linearizability {

using ms = std::chrono::milliseconds;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

const char* to_string(fault f) {
  switch (f) {
    case fault::kill: return "kill";
    case fault::freeze: return "freeze";
    case fault::partition: return "partition";
  }
  return "?";
}


nemesis_report run_nemesis(run_cluster& c, const nemesis_options& opts) {
  nemesis_report rep;
  std::mt19937_64 rng{opts.seed};
  const auto start = steady::now();
  const auto ids = c.ids();
  auto span = [&](ms lo, ms hi) {
    auto width = static_cast<std::uint64_t>(hi.count() - lo.count() + 1);
    return lo + ms(static_cast<ms::rep>(rng() % width));
  };
  auto pick = [&](const std::vector<std::uint64_t>& from) { return from[rng() % from.size()]; };
  while (steady::now() - start < opts.duration) {
    // The cluster runs healthy for a while before each fault.
    std::this_thread::sleep_for(span(opts.calm_min, opts.calm_max));
    if (steady::now() - start >= opts.duration)
      break;
    const fault kind = opts.faults[rng() % opts.faults.size()];
    const bool aim_at_leader = rep.total() % 2 == 0; // faults 1, 3, 5, …
    std::uint64_t target = pick(ids);
    std::optional<std::uint64_t> leader;
    if (aim_at_leader) {
      // Wait for a leader: the last fault may have left none yet.
      testing::eventually([&] { return (leader = claimed_leader(c)).has_value(); }, 5s);
      if (leader)
        target = *leader;
    } else {
      leader = claimed_leader(c);
    }
    const bool on_leader = leader == target;
    const ms lasts = span(opts.fault_min, opts.fault_max);
    char at[32];
    std::snprintf(at, sizeof at, "%.1f s: ",
                  std::chrono::duration<double>(steady::now() - start).count());
    std::string line = std::string(at) + to_string(kind) + " node " + std::to_string(target) +
                       (on_leader ? " (leader)" : "") + " for " + std::to_string(lasts.count()) +
                       " ms";
    auto& node = c.node(target);
    switch (kind) {
      case fault::kill:
        node.kill_now();
        std::this_thread::sleep_for(lasts); // down for this long
        node.start();
        ++rep.kills;
        break;
      case fault::freeze:
        node.signal(SIGSTOP);
        std::this_thread::sleep_for(lasts); // frozen for this long
        node.signal(SIGCONT);
        ++rep.freezes;
        break;
      case fault::partition: {
        // Either a minority against the rest, or one link.
        std::set<std::uint64_t> side{target};
        auto others = c.others(target);
        // A partition aimed at the leader cuts it off from the majority (it must step down
        // and the others elect); the others sometimes cut only one link.
        bool one_link = !aim_at_leader && rng() % 2 == 0;
        if (one_link) {
          auto other = pick(others);
          line += ", only its link to node " + std::to_string(other);
          others = {other};
        } else if (ids.size() >= 5 && rng() % 2 == 0) {
          auto second = pick(others);
          side.insert(second);
          others.erase(std::find(others.begin(), others.end(), second));
          line += ", with node " + std::to_string(second);
        }
        std::set<std::uint64_t> rest(others.begin(), others.end());
        rep.problems += c.cut(side, rest);
        std::this_thread::sleep_for(lasts); // partitioned for this long
        rep.problems += c.heal();
        ++rep.partitions;
        break;
      }
    }
    if (on_leader)
      ++rep.on_leader;
    rep.steps.push_back(line);
    // Healed: every node runs. One that exited on its own is a finding; it is restarted so
    // that the run goes on.
    for (auto id : ids)
      if (auto status = c.node(id).wait_exit(0ms)) {
        rep.problems += "node " + std::to_string(id) + " exited by itself with status " +
                        std::to_string(*status) + " (after: " + line + "); its stderr:\n" +
                        c.node(id).stderr_text();
        c.node(id).start();
      }
  }
  return rep;
}

} // namespace raft::linearizability

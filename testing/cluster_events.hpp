#pragma once
/// What the JSON event logs of a cluster of raft-node processes say about the whole cluster,
/// and the safety monitor fed from them and from raftctl.
///
/// `Cluster` is any cluster of node_process with `ids()` and `node(id)`: the loopback
/// `cluster_dir` (node_harness.hpp) and the hosts tests' `host_cluster` alike.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "testing/node_harness.hpp"
#include "testing/safety_monitor.hpp"

namespace raft::process {

/// Feeds every `role` event of `events` to `m`: its node, term, role and known leader.
void observe_roles(testing::safety_monitor& m, const std::vector<event>& events);

/// Feeds every reachable peer of a `raftctl status` to `m`: its id, term, role and leader.
void observe_status(testing::safety_monitor& m, const status_result& s);

/// Feeds every `role` event of every node of `c` (every run) to `m`.
template <class Cluster>
void observe_logs(testing::safety_monitor& m, const Cluster& c) {
  for (auto id : c.ids())
    observe_roles(m, c.node(id).events());
}

/// The highest term in any `role` event of any node of `c` (every run); 0 before any.
template <class Cluster>
std::uint64_t top_term(const Cluster& c) {
  std::uint64_t top = 0;
  for (auto id : c.ids())
    for (auto& e : c.node(id).events())
      if (e.name == "role")
        top = std::max(top, e.num("term").value_or(0));
  return top;
}

/// The `role` events of every node of `c` (every run) logged at or after `since_us`, node by
/// node.
template <class Cluster>
std::vector<event> role_events_since(const Cluster& c, std::int64_t since_us) {
  std::vector<event> out;
  for (auto id : c.ids())
    for (auto& e : c.node(id).events())
      if (e.name == "role" && e.ts_us >= since_us)
        out.push_back(e);
  return out;
}

} // namespace raft::process

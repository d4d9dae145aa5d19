#pragma once
/// What the nemesis and the checks of a linearizability run read from a run's cluster's JSON
/// event logs: who leads now, and how many elections happened since a moment.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "run_cluster.hpp"

namespace raft::linearizability {

/// The running node whose latest `role` event of this run says leader, in the highest term
/// among such nodes; nothing when no running node claims to lead. A node frozen while it led
/// still claims to, until a higher term's leader appears.
std::optional<std::uint64_t> claimed_leader(const run_cluster& c);

/// Terms in which some node became leader at or after `since_us` (every run of every node).
std::size_t elections_since(const run_cluster& c, std::int64_t since_us);

/// The links that are not up, one line each (`node 4 has no link to node 5`), from each
/// running node's `peer_up` and `peer_down` events of this run: "" when every node's link
/// to every other node is up.
std::string links_down(const run_cluster& c);

/// Every node's `remote_refused` events (a message from another process that a guard kept
/// from one of its actors: actors/node_system.hpp), every run, one line each.
std::vector<std::string> remote_refusals(const run_cluster& c);

} // namespace raft::linearizability

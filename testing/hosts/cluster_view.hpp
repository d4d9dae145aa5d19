#pragma once
/// What the nodes of a host cluster say about themselves, read from their JSON event logs
/// (deploy/README.md, "What each event means"), and waits on it. Every wait polls the logs
/// against a deadline; none sleeps in place of a condition.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "host_cluster.hpp"
#include "testing/cluster_events.hpp"

namespace raft::hosts {

/// A node's latest `role` event of its current run.
struct role_view {
  std::string role; ///< follower, candidate or leader
  std::uint64_t term = 0;
  std::optional<std::uint64_t> leader;
  std::int64_t ts_us = 0; ///< when the node logged it
};

/// Each node's latest role event of its current run (absent before its first).
std::map<std::uint64_t, role_view> roles_now(const host_cluster& c);

/// A leader every node of a group follows.
struct agreement {
  std::uint64_t leader = 0;
  std::uint64_t term = 0;
  std::int64_t elected_us = 0; ///< when the leader logged that it became leader
  std::int64_t since_us = 0;   ///< when the last node of the group fell in line
};

/// Some node L of `group` whose latest role is leader of term T, while every other node of
/// `group` is a follower of L in T; nullopt otherwise.
std::optional<agreement> agreed_leader(const host_cluster& c,
                                       const std::vector<std::uint64_t>& group);

/// Waits until agreed_leader(group) holds, with a term above `above` when given.
std::optional<agreement> wait_agreed_leader(const host_cluster& c,
                                            const std::vector<std::uint64_t>& group,
                                            std::chrono::milliseconds limit,
                                            std::uint64_t above = 0);

/// The highest term in any role event of any node; the role events of every node logged at or
/// after a time (testing/cluster_events.hpp).
using process::role_events_since;
using process::top_term;

/// Makes node `id` log its message counters (SIGUSR1) and returns that `stats` event;
/// nullopt when the node is not running or the event does not appear within 2 s.
std::optional<process::event> stats_of(const host_cluster& c, std::uint64_t id);

/// Waits until node `id`'s counter `field` (e.g. `sent_pre_vote`) is at least `target`,
/// asking for stats every heartbeat. Returns the last value seen.
std::uint64_t wait_counter(const host_cluster& c, std::uint64_t id, const std::string& field,
                           std::uint64_t target, std::chrono::milliseconds limit);

/// Waits until node `id` has logged `event` (peer_up or peer_down) for every peer in
/// `peers` at or after `since_us`.
bool wait_peer_events(const host_cluster& c, std::uint64_t id, const std::string& event,
                      const std::vector<std::uint64_t>& peers, std::int64_t since_us,
                      std::chrono::milliseconds limit);

/// The ids of `c` that are not in `these`.
std::vector<std::uint64_t> all_but(const host_cluster& c, const std::vector<std::uint64_t>& these);

} // namespace raft::hosts

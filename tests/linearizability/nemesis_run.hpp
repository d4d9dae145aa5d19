#pragma once
/// One linearizability run: a fresh cluster of raft-node processes (run_cluster.hpp: on
/// loopback or on the namespace network), concurrent
/// clients recording a history (workload.hpp) while the nemesis injects faults
/// (nemesis.hpp), then every fault healed, a wait for every client to complete an operation
/// again, and the whole history checked (history_check.hpp). The result holds what a test
/// asserts: how much work and how many faults and elections there were, and the verdict.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/cluster_config.hpp"
#include "history_check.hpp"
#include "nemesis.hpp"
#include "testing/node_harness.hpp"
#include "workload.hpp"

namespace raft::linearizability {

struct run_options {
  std::string name;                            ///< names the kept history file
  std::size_t nodes = 3;
  process::timing_config timing;
  /// Where the nodes run and how partitions are made (run_cluster.hpp).
  enum network network = network::loopback;
  /// The [kv] table of every node's config (snapshots, session expiry and eviction); the
  /// defaults if none (loopback only).
  std::optional<kv_settings> kv;
  workload_options work;
  nemesis_options nemesis;
  /// After healing: how long every client gets to complete one more operation.
  std::chrono::milliseconds recovery{15000};
  std::chrono::milliseconds check_limit{60000}; ///< the checker's time budget
};

struct run_result {
  std::uint64_t seed = 0;
  workload_counts counts;       ///< at the end
  nemesis_report nemesis;
  std::size_t elections = 0;    ///< terms with a leader, begun after the clients started
  bool recovered = false;       ///< after healing, every client completed an operation
  /// After healing (and the clients' recovery), the links still down (cluster_watch.hpp,
  /// links_down): "" when every node's link to every other node came back up.
  std::string links_down;
  /// Messages from other processes that the nodes' guards refused (cluster_watch.hpp):
  /// none are expected, since no member addresses another's unpublished actors.
  std::vector<std::string> refusals;
  std::string safety;           ///< the safety monitor on the event logs; "" when sound
  history_check check;
  std::chrono::milliseconds took{0}; ///< the whole run, the check included

  /// Several lines for people: counts, faults, elections, the check.
  std::string describe() const;
};

/// The seed of a run: RAFT_LIN_SEED from the environment when set, else random. A seed
/// repeats the random choices of the clients (keys, operations, values) and of the nemesis
/// (kinds, targets, spans); the timing of processes and threads is not repeatable.
std::uint64_t run_seed();

/// Runs it; `opts.work.seed` and `opts.nemesis.seed` are derived from `seed`.
run_result run_with_nemesis(run_options opts, std::uint64_t seed = run_seed());

} // namespace raft::linearizability

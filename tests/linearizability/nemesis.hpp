#pragma once
/// The nemesis of a linearizability run: faults injected into a cluster of raft-node
/// processes (run_cluster.hpp: on loopback or on the namespace network) one at a time, each
/// healed before the next:
/// - kill: SIGKILL, then a restart from the node's data directory;
/// - freeze: SIGSTOP, then SIGCONT (a long pause: the others elect while it sleeps, and it
///   wakes up believing it still leads);
/// - partition: every message between two sides is dropped (run_cluster::cut: the fault
///   switch on loopback, nftables on the namespace network): either a minority (the target,
///   and with five nodes perhaps one more) against the rest, or, for a target not aimed at
///   as the leader, possibly only the one link between it and another node. Clients still
///   reach every member: a deposed leader on the minority side keeps getting requests.
/// Faults 1, 3, 5, … aim at the node that claims to lead (cluster_watch.hpp; awaited for up
/// to 5 s when none does yet), faults 2, 4, … at a random node, which may lead too. Each
/// fault aimed at the leader makes the others elect a new one: a killed leader comes back as
/// a follower, a leader frozen or cut off for longer than the maximum election timeout steps
/// down (check-quorum). Calm and fault spans are drawn from their ranges: they are spans of
/// time by design, so they are sleeps.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "run_cluster.hpp"

namespace raft::linearizability {

enum class fault : std::uint8_t { kill, freeze, partition };

/// "kill", "freeze", "partition".
const char* to_string(fault f);

struct nemesis_options {
  std::vector<fault> faults{fault::kill}; ///< each fault's kind is drawn from these
  std::chrono::milliseconds duration{20000}; ///< no fault starts after this has passed
  std::chrono::milliseconds calm_min{700};   ///< healthy span before each fault …
  std::chrono::milliseconds calm_max{1500};  ///< … drawn from [calm_min, calm_max]
  /// How long a fault lasts … (more than the maximum election timeout, so that a fault on
  /// the leader deposes it)
  std::chrono::milliseconds fault_min{1200};
  std::chrono::milliseconds fault_max{2500}; ///< … drawn from [fault_min, fault_max]
  std::uint64_t seed = 1;
};

struct nemesis_report {
  unsigned kills = 0;
  unsigned freezes = 0;
  unsigned partitions = 0;
  unsigned on_leader = 0;         ///< faults whose target claimed to lead when it was hit
  std::vector<std::string> steps; ///< one line per fault, for failure messages
  /// A fault that could not be applied or healed, or a node that exited by itself; "" if
  /// none.
  std::string problems;

  unsigned total() const { return kills + freezes + partitions; }
};

/// Injects faults into `c` (made with partitions allowed when `partition` is among the
/// faults) until `opts.duration` has passed. Returns with every node running, thawed and
/// every cut healed.
nemesis_report run_nemesis(run_cluster& c, const nemesis_options& opts);

} // namespace raft::linearizability

#pragma once
/// Scripted scenarios: instead of random faults, a fixed list of actions at given virtual
/// times on a clean network (delays 1–20 ms, no loss, duplication or reordering). They pin
/// down one situation at a time — a follower cut off and back, an isolated leader, one lost
/// link, a crashed or frozen leader — while the seed still varies every core's timeouts and
/// every message delay. All the invariants of a random run are checked as usual, and at
/// `heal_at` everything is repaired and the liveness check follows.
///
/// Targets are resolved when an action runs: `leader` is the leader of the highest term
/// (none: the action is skipped and its target recorded as 0); `follower` is the peer with
/// the lowest id that is not that leader; `candidate` waits, from `at` on, for the first peer
/// to become a candidate and acts on it in that very step, after its RequestVotes left (none
/// before the heal: skipped, target 0).

#include <cstdint>
#include <vector>

#include "sim/event_queue.hpp"

namespace raft::sim {

enum class script_target : std::uint8_t { leader, follower, candidate };

enum class script_kind : std::uint8_t {
  /// Every link to and from the target goes down, silently (no connection report): a
  /// partition that sends no resets.
  isolate,
  /// Both directions between the leader and the follower target go down, and each end is
  /// told its connection to the other dropped (the crash fast path sees it).
  cut_leader_link,
  /// The target crashes; the others are told its connections dropped 1–5 ms later.
  crash,
  /// The target handles no event for `duration` (SIGSTOP); what arrives meanwhile, its
  /// timers included, is handled at the thaw, in order. Nobody is told.
  freeze,
};

struct script_action {
  vtime at = 0;
  script_kind kind = script_kind::isolate;
  script_target target = script_target::leader;
  vtime duration = 0; ///< freeze only
};

struct script {
  std::vector<script_action> actions; ///< in any order; targets are recorded in the order
                                      ///< the actions run
  vtime heal_at = seconds(6);         ///< every fault repaired; liveness is checked after
};

} // namespace raft::sim

#pragma once
/// A deterministic discrete-event simulation of a Raft cluster: N instances of the real core
/// (raft::node) driven in virtual time, with a lossy, reordering network, partitions,
/// one-way link failures, crashes and restarts, all drawn from one seed.
///
/// A run has two phases:
/// 1. the fault phase (3–20 virtual seconds): faults come and go at random;
/// 2. the heal: every link up, no drops, duplicates or long delays, crashed peers restarted.
///    Then (liveness, §5.2 and §5.6 "broadcastTime ≪ electionTimeout ≪ MTBF") a leader must
///    be in office within 5 virtual seconds, and from its election on it must keep its term
///    for 10 virtual seconds with no peer entering a higher term.
///
/// After every event the cross-node invariants of sim/invariants.hpp and the core's own
/// check_invariants() are checked; the first failure ends the run as a violation.

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/node.hpp"
#include "sim/event_queue.hpp"
#include "sim/history.hpp"
#include "sim/script.hpp"
#include "sim/scenario.hpp"

namespace raft::sim {

struct run_options {
  std::optional<std::size_t> peers;      ///< fix the cluster size (else 3, 5 or 7 by seed)
  unsigned core_bugs = bug_none;         ///< raft::injected_bug flags for every core
  bool core_checks = true;               ///< node::options::check_invariants
  bool forget_vote_on_restart = false;   ///< storage bug: restart with the term, no vote
  bool forget_log_on_restart = false;    ///< storage bug: restart without the log entries
  bool never_heal = false;               ///< test hook: at the heal every peer stays isolated
  /// The product's additions to Figure 2 (core/features.hpp): pre-vote (with it the crash
  /// fast path: a crash is reported to the others' links after 1–5 ms), check-quorum, §5.1
  /// retries of unanswered (pre-)vote requests. `features::product()` runs them as raft-node.
  raft::features features{};
  /// Every peer starts with a prefix of one log, committed entries on a majority
  /// (sim/history.hpp), and Leader Completeness is checked: makes §5.4.1 observable.
  bool preloaded_logs = false;
  /// Clients propose commands all run long (to the peer believed to lead), every peer's
  /// store is modelled (writes durable only once synced; a crash loses the rest), services
  /// apply what commits and snapshot every few entries, and the log's checks of
  /// sim/log_checker.hpp run after every event.
  bool logs = false;
  /// With `logs`: a service snapshots once this many entries were applied since its last
  /// snapshot (0: never); the leader then sends InstallSnapshot to followers left behind.
  std::size_t snapshot_every = 8;
  /// A scripted scenario (sim/script.hpp) instead of random faults, on a clean network.
  std::optional<sim::script> script;
  std::ostream* trace_out = nullptr;     ///< every event, formatted, as it happens
  std::size_t tail = 40;                 ///< events shown for a violation
};

/// A peer's role or term changed (after the step that changed it).
struct role_change {
  vtime at = 0;
  peer_id peer = 0;
  term_t term = 0;
  raft::role role = raft::role::follower;
};

struct run_result {
  std::uint64_t seed = 0;
  scenario scn;
  bool ok = true;
  std::string violation;   ///< what failed (empty when ok)
  std::string tail;        ///< the last events before the violation (formatted on failure)
  std::uint64_t events = 0;
  vtime end = 0;           ///< virtual time simulated
  std::uint64_t trace_hash = 0; ///< hash of every event: equal runs hash equal
  vtime heal_at = 0;
  vtime leader_after_heal = -1; ///< heal → election of the leader that then kept office
  std::size_t leaders_deposed_after_heal = 0; ///< leaders after the heal that lost office
                                              ///< before the 5 s deadline
  /// Leaders that held a majority at the heal or later (they and the followers in two-way
  /// contact with them, defined in sim/README.md) and then lost office before the 5 s
  /// deadline: a healthy leader disrupted, typically by a peer rejoining with a higher term.
  std::size_t disruptive_depositions = 0;
  std::uint64_t fast_path_timers = 0;  ///< crash fast path timers that fired (rounds started)
  std::uint64_t fast_path_leaders = 0; ///< leaders elected while on the crash fast path
  term_t max_term = 0;
  std::size_t crashes = 0;
  std::size_t leaders = 0;  ///< distinct (term, leader) pairs seen
  std::optional<history> start_history; ///< with preloaded_logs: what the peers started with
  std::vector<role_change> role_changes; ///< every change of any peer's role or term, in order
  std::vector<peer_id> script_targets;   ///< the peer each scripted action hit (0: none),
                                         ///< in the order the actions ran
  /// Messages sent by a leader whose term is below the highest term of a running peer: a
  /// deposed leader still acting as one.
  std::uint64_t stale_leader_sends = 0;
  std::uint64_t proposals_accepted = 0;   ///< with logs: commands a leader appended
  std::uint64_t committed_entries = 0;    ///< with logs: indexes known committed at the end
  std::uint64_t snapshots_taken = 0;      ///< with logs: service snapshots
  std::uint64_t snapshots_installed = 0;  ///< with logs: snapshots installed from a leader
  std::uint64_t reads_served = 0;         ///< with logs: reads a leader confirmed
};

/// Runs one seed. Deterministic: the same seed and options give the same result and hash.
run_result run_seed(std::uint64_t seed, const run_options& opts = {});

/// The command line that replays `seed` with `opts`, e.g. `build/sim/raft-sim --seed 7 --trace`
/// (for a scripted run, a note that the test's script replays it).
std::string replay_command(std::uint64_t seed, const run_options& opts);

/// Names of the bugs the CLI and tests can inject.
unsigned parse_core_bug(const std::string& name); ///< 0 when unknown
std::string core_bug_names(unsigned bugs);

} // namespace raft::sim

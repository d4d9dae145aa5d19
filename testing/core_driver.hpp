#pragma once
/// One raft::node (core/node.hpp) driven step by step by a test, every step checked.
///
/// Every step (start, a message, a timer firing, a tick, a connection report, a proposal, a
/// log sync, a snapshot) goes through `take`, which
/// - throws effect_contract_broken when the step's effects break the ordering contract of
///   core/effects.hpp (effect_order_problem), or when a persist says other than what the
///   node now holds;
/// - remembers the generation of the newest election and heartbeat timers the node armed,
///   and the delay of the newest election timer, so a test can fire "the timer that is
///   running now" or an older one;
/// - keeps the step's effects in `last` and returns them.
///
/// Two call styles, both on the same node: without a time, no time passes (the node's clock
/// stays where it was: Figure 2's rules); with a time in milliseconds from 0, the node's clock
/// moves there first (pre-vote, leases, check-quorum, the crash fast path).
///
/// Effects are looked at by type only (effect_checks.hpp): a kind of effect added to the
/// core passes through untouched.

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/node.hpp"
#include "testing/effect_checks.hpp"

namespace raft::testing {

/// A step of the core broke the contract of core/effects.hpp: a bug in the core.
struct effect_contract_broken : std::logic_error {
  using std::logic_error::logic_error;
};

class core_driver {
public:
  node n;
  std::optional<std::uint64_t> election_gen;  ///< newest armed election timer
  std::optional<std::uint64_t> heartbeat_gen; ///< newest armed heartbeat timer
  std::optional<duration> last_election_delay; ///< the delay of the newest election timer
  effects last;                                ///< the effects of the latest step
  node::proposal proposed;                     ///< the answer of the latest propose

  explicit core_driver(node::options o, persistent_state s = {})
    : n(std::move(o), std::move(s)) {}

  /// `ms` milliseconds from 0 on the node's clock.
  static time_point at(long ms) {
    return std::chrono::duration_cast<time_point>(std::chrono::milliseconds(ms));
  }

  // -- no time passes ---------------------------------------------------------------------
  effects& start() { return take(n.start()); }
  effects& receive(const message& m) { return take(n.receive(m)); }
  /// Fires the election timer of `generation` (a stale one, say).
  effects& fire_election(std::uint64_t generation) {
    return take(n.election_timer_fired(generation));
  }
  /// Fires the newest armed election timer.
  effects& fire_election() { return fire_election(newest(election_gen, "election")); }
  /// Fires the heartbeat timer of `generation`.
  effects& fire_heartbeat(std::uint64_t generation) {
    return take(n.heartbeat_timer_fired(generation));
  }
  /// Fires the newest armed heartbeat timer.
  effects& fire_heartbeat() { return fire_heartbeat(newest(heartbeat_gen, "heartbeat")); }
  /// Proposes `command` (node::propose); its answer is in `proposed`.
  effects& propose(std::string command) { return propose(std::move(command), now_or_before()); }
  /// The shell made every write_log so far durable (node::log_synced).
  effects& log_synced() { return take(n.log_synced()); }
  /// The service's snapshot of the entries through `index` (node::snapshot).
  effects& snapshot(log_index index, std::string data) {
    return take(n.snapshot(index, std::move(data), now_or_before()));
  }

  // -- at `ms` milliseconds from 0 --------------------------------------------------------
  effects& start(long ms) { return take(n.start(at(ms))); }
  effects& receive(const message& m, long ms) { return take(n.receive(m, at(ms))); }
  /// Fires the newest armed election timer at `ms`.
  effects& election_timeout(long ms) {
    return take(n.election_timer_fired(newest(election_gen, "election"), at(ms)));
  }
  /// Fires the newest armed heartbeat timer at `ms`.
  effects& heartbeat_timeout(long ms) {
    return take(n.heartbeat_timer_fired(newest(heartbeat_gen, "heartbeat"), at(ms)));
  }
  effects& tick(long ms) { return take(n.tick(at(ms))); }
  /// The transport reports the connection to `p` down at `ms`.
  effects& lost(peer_id p, long ms) { return take(n.connection_lost(p, at(ms))); }
  /// The transport reports the connection to `p` up again at `ms`.
  effects& restored(peer_id p, long ms) { return take(n.connection_restored(p, at(ms))); }
  effects& propose(std::string command, long ms) { return propose(std::move(command), at(ms)); }
  effects& log_synced(long ms) { return take(n.log_synced(at(ms))); }
  effects& snapshot(log_index index, std::string data, long ms) {
    return take(n.snapshot(index, std::move(data), at(ms)));
  }

  /// Checks and records the effects `fx` of one step of `n` (see the top of this file).
  effects& take(effects fx) {
    if (auto problem = effect_order_problem(fx); !problem.empty())
      throw effect_contract_broken("effects of one step break the ordering contract of "
                                   "core/effects.hpp: " + problem);
    for (const auto& p : effects_of<persist>(fx))
      if (p.current_term != n.current_term() || p.voted_for != n.voted_for())
        throw effect_contract_broken("a persist says term " + std::to_string(p.current_term) +
                                     " and vote " + vote_text(p.voted_for) +
                                     " but the node holds term " +
                                     std::to_string(n.current_term()) + " and vote " +
                                     vote_text(n.voted_for()));
    for (const auto& t : effects_of<arm_election_timer>(fx)) {
      election_gen = t.generation;
      last_election_delay = t.after;
    }
    for (const auto& t : effects_of<arm_heartbeat_timer>(fx))
      heartbeat_gen = t.generation;
    last = std::move(fx);
    return last;
  }

private:
  effects& propose(std::string command, time_point now) {
    return take(n.propose(std::move(command), now, proposed));
  }
  /// A time no later than the node's clock: a step given it lets no time pass (core/node.hpp:
  /// a smaller value than seen before counts as no time passing).
  static time_point now_or_before() { return time_point{0}; }
  static std::uint64_t newest(const std::optional<std::uint64_t>& gen, const char* timer) {
    if (!gen)
      throw std::logic_error(std::string("the node has armed no ") + timer + " timer yet");
    return *gen;
  }
  static std::string vote_text(const std::optional<peer_id>& v) {
    return v ? std::to_string(*v) : "none";
  }
};

} // namespace raft::testing

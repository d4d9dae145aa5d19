#pragma once
/// The crash fast path, all of it: when the transport reports that the connection to its
/// leader dropped (the leader's process died or its host went away), a follower does not
/// wait a full election timeout (300–600 ms) but asks for pre-votes after a short random
/// delay. The others grant only once their own connection to that leader is down too, so a
/// link that fails between one follower and a live leader changes nothing (pre-vote's
/// refusals keep it safe from disruption, which is why it needs `features::pre_vote`).
///
/// Rounds: `rounds` short timers run (the first pre-vote, then each later pre-vote or
/// election round after a split vote) before full election timeouts take over. Timer k
/// (from 0) waits a random time in [heartbeat/10, heartbeat/2 · 2^k]: 10–50 ms first, up to
/// 10–400 ms for the fourth with the default heartbeat. The others may learn of the crash a
/// little later than we do and refuse the first round, or stand at the same moment and split
/// the vote; the window doubles every round so such a collision gets rarer each time while
/// the first round stays fast.
///
/// Invariant: 0 <= rounds_left() <= rounds; on_short_timer() is true exactly while the
/// election timer last armed is a short one.

#include <optional>

#include "core/timing.hpp"
#include "messages/wire.hpp"

namespace raft {

class crash_fast_path {
public:
  static constexpr int rounds = 4;

  /// Where an election timer's random delay is drawn from.
  struct window {
    duration lo{};
    duration hi{};
  };

  /// The connection to our leader dropped: the next `rounds` election timers are short.
  void leader_lost() { left_ = rounds; }
  /// A leader is known again: no more short rounds.
  void cancel() { left_ = 0; }

  /// The next election timer: if a short round is left, uses it up and returns its window
  /// (the caller arms the timer within it and calls armed(true)); otherwise nothing (the
  /// caller arms a full election timeout and calls armed(false)).
  std::optional<window> take_round(duration heartbeat) {
    if (left_ == 0)
      return std::nullopt;
    --left_;
    return window_of(heartbeat);
  }
  /// The current round's window again, without using up a round: a follower that granted a
  /// pre-vote on the fast path steps aside for the round (node.cpp, on pre_vote), so that the
  /// asker's RequestVote finds it still unvoted instead of racing it. The window keeps growing
  /// with our own rounds only, so an asker that cannot win delays us by one short timer.
  window repeat_round(duration heartbeat) const { return window_of(heartbeat); }

  void armed(bool short_timer) { short_ = short_timer; }
  bool on_short_timer() const { return short_; }
  int rounds_left() const { return left_; }

  /// Tie-break between two followers asking for pre-votes in the same short round: both
  /// would be granted, both would stand, and they would split the vote. Between two such
  /// askers with equally fresh logs the lower id goes first: a fast-path asker refuses a
  /// higher id. Only on the fast path (a few rounds), so a peer that cannot win itself never
  /// blocks another for long; a refused pre-vote changes nothing durable, so safety is
  /// untouched. `asking` says whether this follower is asking for pre-votes for `term` now.
  bool yields_to_self(bool asking, term_t asked_term, term_t next_term, peer_id asker,
                      peer_id self, bool equal_logs) const {
    return asking && short_ && asked_term == next_term && asker > self && equal_logs;
  }

private:
  window window_of(duration heartbeat) const {
    int round = rounds - 1 - left_; // 0 for the first short timer
    return {heartbeat / 10, (heartbeat / 2) * (1 << round)};
  }

  int left_ = 0;
  bool short_ = false;
};

} // namespace raft

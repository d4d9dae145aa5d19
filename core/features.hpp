#pragma once
/// The product's additions to Figure 2, in one place. raft-node, the demo, the in-process test
/// cluster and the simulator all take `features::product()`; `features{}` is Figure 2 exactly,
/// which the rule tests exercise. README "Failover and needless elections" explains each.

namespace raft {

struct features {
  /// Pre-vote (Raft thesis §9.6) on every candidacy: a follower whose election timer fires,
  /// and a candidate whose election timed out, first ask the others whether they would vote
  /// for it in the next term, without changing any term; only with a majority of yes does it
  /// start a real election. A peer says yes only when it has not heard from a current leader
  /// within `election_min` (or its connection to that leader is reported down) and the
  /// asker's log is at least as up to date (§5.4.1). It also turns on the leader lease on
  /// RequestVote for followers (thesis §4.2.3, node::ignores_vote_request) and the crash fast
  /// path (core/fast_path.hpp), which needs pre-vote's refusals to stay safe from disruption.
  bool pre_vote = false;
  /// Check-quorum: a leader that has not heard from a majority (itself included) within
  /// `election_max` steps down. The check runs at the start of every step, before anything
  /// is sent, so a leader frozen for longer and then thawed steps down before it tells
  /// anyone it is leader. With it, a leader also ignores a RequestVote of a higher term.
  bool check_quorum = false;
  /// §5.1: "Servers retry RPCs if they do not receive a response in a timely manner". A
  /// candidate (or a follower asking for pre-votes) sends its request again, every
  /// heartbeat interval, to the peers that have not answered it yet.
  bool retry_vote_requests = false;

  /// The settings raft-node runs with: all of the above.
  static constexpr features product() { return {true, true, true}; }
  /// Figure 2 exactly.
  static constexpr features figure2() { return {}; }

  friend constexpr bool operator==(const features& a, const features& b) {
    return a.pre_vote == b.pre_vote && a.check_quorum == b.check_quorum &&
           a.retry_vote_requests == b.retry_vote_requests;
  }
};

} // namespace raft

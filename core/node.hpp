#pragma once
/// The Raft rules for one peer (Figure 2, §5.1–§5.4.1), as a deterministic state machine.
///
/// No CAF, no clock, no I/O: every input is a method call (a message arrived, a timer fired)
/// and every output is an `effect` (core/effects.hpp) for the shell to carry out. Randomness
/// comes from a generator seeded by the caller, so a run is reproducible from its seed.
///
/// Invariants (checked by `check_invariants()` after every step when enabled):
/// - current_term never decreases;
/// - within one term, voted_for is set at most once and never changes after that;
/// - a candidate or leader voted for itself in its current term;
/// - a leader holds votes from a majority of the members for its current term;
/// - the known leader is this node exactly when this node is leader;
/// - only members appear as voters, and the commit index never passes the log;
/// - current_term stays below raft::max_term (messages/wire.hpp): a message carrying a term
///   at or above it is rejected, never adopted, and no node stands for election in it.

#include <cstdint>
#include <optional>
#include <random>
#include <map>
#include <set>
#include <stdexcept>
#include <vector>

#include "core/effects.hpp"
#include "core/message.hpp"
#include "core/persistent_state.hpp"
#include "core/role.hpp"
#include "core/timing.hpp"

namespace raft {

/// Thrown by `check_invariants()`: the core broke a rule of Raft. This is a bug, never bad
/// input; the owner should stop the node (fail-stop) rather than continue.
struct invariant_violation : std::logic_error {
  using std::logic_error::logic_error;
};

/// Deliberate bugs, only for proving that the tests and the simulator catch them.
/// Production code never sets any of them.
enum injected_bug : unsigned {
  bug_none = 0,
  /// A candidate counts granted votes from replies of an older term.
  bug_count_stale_votes = 1u << 0,
  /// A voter ignores §5.4.1 and grants votes to candidates with staler logs.
  bug_ignore_log_freshness = 1u << 1,
  /// A voter grants a second vote in the same term to another candidate.
  bug_vote_twice = 1u << 2,
  /// With pre-vote, a candidate whose election times out raises its term again at once
  /// instead of asking for pre-votes first (pre-vote only on a follower's first candidacy).
  bug_candidate_skips_pre_vote = 1u << 3,
  /// No leader lease on RequestVote: a peer that hears a live leader still adopts the term
  /// of a higher RequestVote (and a leader with check-quorum steps down for it).
  bug_ignore_vote_lease = 1u << 4,
};

class node {
public:
  /// Crash fast path: how many short timers (the first pre-vote, then each later pre-vote
  /// or election round: after a split vote, a pre-vote and a new election) run before
  /// falling back to full election timeouts. Timer k (from 0) waits a random time in
  /// [heartbeat/10, heartbeat/2 · 2^k]: 10–50 ms first, up to 10–400 ms for the fourth with
  /// the default heartbeat.
  static constexpr int fast_path_rounds = 4;

  struct options {
    peer_id self = 0;
    std::vector<peer_id> members; ///< every member of the cluster, self included
    raft::timing timing;
    std::uint64_t seed = 0;
    bool check_invariants = true; ///< run check_invariants() after every step
    unsigned injected_bugs = bug_none;
    /// Pre-vote (Raft thesis §9.6) on every candidacy: a follower whose election timer
    /// fires, and a candidate whose election times out, first ask the others whether they
    /// would vote for it in the next term, without changing any term; only with a majority
    /// of yes does it start a real election. A peer says yes only when it has not heard from
    /// a current leader within `election_min` (or its connection to that leader is reported
    /// down) and the asker's log is at least as up to date (§5.4.1).
    /// It also turns on the leader lease on RequestVote for followers (thesis §4.2.3): a
    /// follower in that same lease ignores a RequestVote of a higher term instead of
    /// adopting the term (see `ignores_vote_request`). Neither lease holds against the
    /// leader the follower follows: a leader that asks has stepped down.
    bool pre_vote = false;
    /// Check-quorum: a leader that has not heard from a majority (itself included) within
    /// `election_max` steps down. The check runs at the start of every step, before anything
    /// is sent, so a leader frozen for longer and then thawed steps down before it tells
    /// anyone it is leader. With it, a leader also ignores a RequestVote of a higher term
    /// (the leader's side of the lease on RequestVote, see `ignores_vote_request`).
    bool check_quorum = false;
    /// §5.1: "Servers retry RPCs if they do not receive a response in a timely manner". A
    /// candidate (or a follower asking for pre-votes) sends its request again, every
    /// heartbeat interval, to the peers that have not answered it yet. Over a network that
    /// loses or delays replies, an election then completes within one election timeout far
    /// more often, instead of restarting in a new term.
    bool retry_vote_requests = false;
  };

  /// The product's settings: pre-vote and check-quorum on. Plain `options{}` is Figure 2
  /// exactly, which the rule tests exercise.
  static options with_defaults(peer_id self, std::vector<peer_id> members, raft::timing t,
                               std::uint64_t seed) {
    options o;
    o.self = self;
    o.members = std::move(members);
    o.timing = t;
    o.seed = seed;
    o.pre_vote = true;
    o.check_quorum = true;
    o.retry_vote_requests = true;
    return o;
  }

  /// Starts as a follower with the state it had persisted (Figure 2: on restart a server
  /// resumes with its persistent state only). Throws std::invalid_argument when `self` is
  /// not among the members, a member is listed twice, the timing is unusable, or the
  /// restored term is at or above raft::max_term.
  node(options opts, persistent_state restored = {});

  /// Every input takes `now`, a monotonic time supplied by the shell (real or virtual; only
  /// differences matter, and a smaller value than seen before counts as no time passing).
  /// The overloads without `now` let no time pass; pre-vote leases and check-quorum need it.

  /// Arms the first election timer and reports the initial role.
  effects start(time_point now);
  effects start() { return start(now_); }

  /// A message from another peer arrived. Messages from non-members are rejected.
  effects receive(const message& m, time_point now);
  effects receive(const message& m) { return receive(m, now_); }

  /// The election timer of `generation` fired; stale generations are ignored.
  effects election_timer_fired(std::uint64_t generation, time_point now);
  effects election_timer_fired(std::uint64_t generation) {
    return election_timer_fired(generation, now_);
  }

  /// The heartbeat timer of `generation` fired; stale generations are ignored. A leader
  /// sends heartbeats; with retry_vote_requests, a candidate or pre-voting follower uses the
  /// same timer to ask the peers that have not answered again.
  effects heartbeat_timer_fired(std::uint64_t generation, time_point now);
  effects heartbeat_timer_fired(std::uint64_t generation) {
    return heartbeat_timer_fired(generation, now_);
  }

  /// Time passed with no other event (e.g. before answering a status query): runs the
  /// checks that depend on time alone (check-quorum).
  effects tick(time_point now);

  /// A link reports that the connection to peer `p` dropped (its process died or its host
  /// became unreachable). Crash fast path: when `p` is this follower's leader and pre-vote
  /// is on, a pre-vote starts after a short random delay instead of a full election
  /// timeout; the others grant it once they too have lost their connection to the leader.
  effects connection_lost(peer_id p, time_point now);
  /// A link reports that the connection to peer `p` is up again.
  effects connection_restored(peer_id p, time_point now);

  peer_id self() const { return opts_.self; }
  const std::vector<peer_id>& members() const { return opts_.members; }
  term_t current_term() const { return state_.current_term; }
  std::optional<peer_id> voted_for() const { return state_.voted_for; }
  raft::role role() const { return role_; }
  bool is_leader() const { return role_ == raft::role::leader; }
  std::optional<peer_id> leader() const { return leader_; }
  const persistent_state& persistent() const { return state_; }
  log_index commit_index() const { return commit_index_; }
  const std::set<peer_id>& votes_received() const { return votes_; }
  /// True while this follower is asking for pre-votes (it is still a follower).
  bool pre_voting() const { return pre_voting_; }
  /// True while this node would refuse a pre-vote because a leader is known to be alive:
  /// it is the leader, or a follower that heard its leader within `election_min` and whose
  /// connection to that leader is not reported down.
  bool in_leader_lease() const;
  /// True while this node would ignore a RequestVote of a higher term from `candidate`
  /// (thesis §4.2.3): a follower in its leader lease with pre-vote on, unless `candidate` is
  /// that leader, or a leader with check-quorum on.
  bool ignores_vote_request(peer_id candidate) const;
  /// True while the running election timer is a crash fast path timer (a short one).
  bool on_fast_path() const { return fast_round_; }
  std::size_t quorum() const { return opts_.members.size() / 2 + 1; }

  /// Throws invariant_violation naming the broken rule.
  void check_invariants() const;

private:
  template <class F>
  effects step(time_point now, F&& body);

  void on(const request_vote& m);
  void on(const request_vote_reply& m);
  void on(const append_entries& m);
  void on(const append_entries_reply& m);
  void on(const pre_vote& m);
  void on(const pre_vote_reply& m);

  void advance_clock(time_point now);
  /// Check-quorum (see options): steps down when a majority has been silent too long.
  void check_quorum();
  /// Why a message must be dropped before any rule sees it (its term is at or above the
  /// ceiling, or it is a RequestVote the lease ignores), or nothing.
  std::optional<std::string> refusal(const message& m) const;
  /// Standing needs term current_term + 1, which must stay below the ceiling.
  bool may_stand() const { return state_.current_term + 1 < max_term; }
  void start_pre_vote();
  void arm_retry_timer();
  /// Sends `request` to every other member that has not answered this round yet.
  template <class Request>
  void ask_unanswered(const Request& request);

  /// §5.1 / Figure 2 "Rules for all servers": if a message carries a term higher than ours,
  /// adopt it and become follower. Runs once, before any per-role rule.
  void observe_term(term_t term);

  void become_follower(term_t term, std::optional<peer_id> leader);
  void become_candidate();
  void become_leader();

  void reset_election_timer();
  void arm_election_timer_within(duration lo, duration hi);
  void arm_fast_timer();
  void send_heartbeats();
  bool is_member(peer_id p) const;
  bool candidate_log_up_to_date(log_index last_index, term_t last_term) const;
  bool yields_to_self(const pre_vote& m) const;
  /// The leader lease holds against `asker`: in_leader_lease(), unless `asker` is the very
  /// leader this follower follows. A leader never asks for votes, so its asking shows it
  /// has stepped down (check-quorum); whatever still renews the lease (late or duplicated
  /// heartbeats) is no sign of a live leader then.
  bool lease_holds_against(peer_id asker) const;
  log_index last_log_index() const { return state_.log.size(); }
  term_t last_log_term() const { return state_.log.empty() ? 0 : state_.log.back().term; }
  term_t term_at(log_index i) const { return i == 0 ? 0 : state_.log[i - 1].term; }

  options opts_;
  persistent_state state_;
  raft::role role_ = raft::role::follower;
  std::optional<peer_id> leader_;
  std::set<peer_id> votes_;
  log_index commit_index_ = 0;
  std::uint64_t election_generation_ = 0;
  std::uint64_t heartbeat_generation_ = 0;
  std::mt19937_64 rng_;
  effects out_;

  time_point now_{0};
  std::optional<time_point> leader_contact_; ///< when the current leader was last heard
  bool pre_voting_ = false;
  std::set<peer_id> pre_votes_;
  std::set<peer_id> answered_; ///< peers that answered the current (pre-)vote round
  std::map<peer_id, time_point> last_heard_; ///< leader only: last message from each peer
  std::set<peer_id> disconnected_;           ///< peers whose link reports the connection down
  /// Crash fast path: rounds still to run on the short timer. The others may learn of the
  /// crash a little later than we do and refuse the first round, or stand at the same
  /// moment and split the vote.
  int fast_rounds_left_ = 0;
  bool fast_round_ = false; ///< the election timer running is a crash fast path timer

  // What check_invariants() remembers between steps.
  mutable term_t checked_term_ = 0;
  mutable std::optional<peer_id> checked_vote_;
};

} // namespace raft

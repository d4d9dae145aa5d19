#pragma once
/// The Raft rules for one peer (Figure 2, §5.1–§5.4, and §7's snapshots with Figure 13), as
/// a deterministic state machine.
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
/// - only members appear as voters;
/// - current_term stays below raft::max_term (messages/wire.hpp): a message carrying a term
///   at or above it is rejected, never adopted, and no node stands for election in it;
/// - snapshot_index ≤ last_applied ≤ commit_index ≤ last log index, and durable_index ≤ last
///   log index; the commit index never decreases;
/// - log terms never decrease and never exceed current_term;
/// - a leader never removes entries from its log in its term (Leader Append-Only, Figure 3),
///   and each follower's progress keeps match_index < next_index within the window;
/// - nothing committed is ever truncated.
///
/// Why a leader may send entries before its own copy is durable (Raft thesis §10.2.1): an
/// entry is committed once a majority holds it durably, and the leader counts itself only
/// from log_synced. If it crashes first it restarts without those entries, like any
/// follower that had not yet stored them; whatever a majority acknowledged survives on that
/// majority, and §5.4.1 keeps any candidate lacking it from winning.

#include <cstdint>
#include <optional>
#include <random>
#include <map>
#include <set>
#include <stdexcept>
#include <vector>

#include "core/effects.hpp"
#include "core/fast_path.hpp"
#include "core/features.hpp"
#include "core/message.hpp"
#include "core/persistent_state.hpp"
#include "core/quorum.hpp"
#include "core/raft_log.hpp"
#include "core/replication_limits.hpp"
#include "core/role.hpp"
#include "core/role_state.hpp"
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
  /// A leader commits an entry of an earlier term by counting replicas (Figure 8: §5.4.2
  /// forbids it, as such an entry can still be overwritten).
  bug_commit_previous_term = 1u << 5,
  /// A follower appends entries without checking that prevLogIndex/prevLogTerm match
  /// (Figure 2, AppendEntries receiver step 2).
  bug_skip_prev_log_check = 1u << 6,
  /// A follower whose log conflicts with the leader's keeps its own entries and still
  /// reports success (Figure 2, AppendEntries receiver step 3 not applied).
  bug_no_truncate_on_conflict = 1u << 7,
  /// A follower acknowledges entries before they are durable: a crash can then lose an
  /// entry the leader counted towards commitment.
  bug_ack_before_sync = 1u << 8,
  /// A leader serves reads at its commit index at once, without confirming with a heartbeat
  /// round that it still leads (ReadIndex without step 3, thesis §6.4): a deposed leader
  /// that has not heard of its successor answers stale reads.
  bug_read_without_round = 1u << 9,
};

class node {
public:
  /// Crash fast path rounds (core/fast_path.hpp).
  static constexpr int fast_path_rounds = crash_fast_path::rounds;

  struct options {
    peer_id self = 0;
    std::vector<peer_id> members; ///< every member of the cluster, self included
    raft::timing timing;
    std::uint64_t seed = 0;
    bool check_invariants = true; ///< run check_invariants() after every step
    unsigned injected_bugs = bug_none;
    /// The product's additions to Figure 2 (core/features.hpp); none by default.
    raft::features features{};
    /// Flow control towards each follower (core/replication_limits.hpp).
    replication_limits limits{};
  };

  /// The product's settings (features::product()). Plain `options{}` is Figure 2 exactly,
  /// which the rule tests exercise.
  static options with_defaults(peer_id self, std::vector<peer_id> members, raft::timing t,
                               std::uint64_t seed) {
    options o;
    o.self = self;
    o.members = std::move(members);
    o.timing = t;
    o.seed = seed;
    o.features = features::product();
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
  /// became unreachable). Crash fast path (core/fast_path.hpp): when `p` is this follower's
  /// leader and pre-vote is on, a pre-vote starts after a short random delay instead of a
  /// full election timeout; the others grant it once they too have lost their connection to
  /// the leader.
  effects connection_lost(peer_id p, time_point now);
  /// A link reports that the connection to peer `p` is up again.
  effects connection_restored(peer_id p, time_point now);

  /// What propose() did: the course's Start() answer.
  struct proposal {
    log_index index = 0;    ///< where the command will be if it is committed
    term_t term = 0;        ///< the current term
    bool is_leader = false; ///< false: nothing was appended
  };
  /// The course's Start(command): on a leader, appends the command to its log and sends it to
  /// the followers at once, within each one's flow-control window (Figure 2, Leaders: "If
  /// command received from client: append entry to local log"); elsewhere changes nothing.
  /// There is no guarantee it will be committed: a leader may lose office first.
  effects propose(std::string command, time_point now, proposal& result);

  /// The shell made every write_log so far durable (group commit: one sync for any number of
  /// steps' writes). A follower sends the acknowledgements that waited for it; a leader counts
  /// its own copy towards commitment from here on.
  effects log_synced(time_point now);
  effects log_synced() { return log_synced(now_); }

  /// How a read is confirmed (node::read).
  enum class read_mode : std::uint8_t {
    /// ReadIndex (Raft thesis §6.4): the read index is the commit index when the read
    /// arrives (after an entry of this term committed: a new leader first commits a no-op
    /// entry, an empty command); a heartbeat round begun after the read must be acknowledged
    /// by a majority; then the read may be served once applied through the read index.
    linearizable,
    /// Lease (thesis §6.4.1): served at once while the leader's lease holds — a majority
    /// acknowledged a round sent less than election_min / 2 ago, so by the followers' lease
    /// on RequestVote (pre-vote, check-quorum) no other leader can exist yet — else as
    /// linearizable. Assumes clocks that run at nearly the same rate, and that a dropped
    /// connection is not reported to the followers long before the leader (the crash fast
    /// path); without pre-vote and check-quorum it is always linearizable.
    lease,
  };
  /// A read `id` of the service's state (not written to the log): ends in read_ready (serve
  /// it once applied through its index) or read_failed (not leader, or leadership lost).
  effects read(std::uint64_t id, read_mode mode, time_point now);

  /// The service's Snapshot(index, bytes) (§7): its state through `index`, which it has
  /// applied. The log through `index` is discarded here and in the store (save_snapshot), and
  /// followers too far behind get `data` by InstallSnapshot. An index at or before the current
  /// snapshot changes nothing; one beyond last_applied() is refused (message_rejected).
  effects snapshot(log_index index, std::string data, time_point now);

  peer_id self() const { return opts_.self; }
  const std::vector<peer_id>& members() const { return opts_.members; }
  const options& settings() const { return opts_; }
  term_t current_term() const { return term_; }
  std::optional<peer_id> voted_for() const { return vote_; }
  raft::role role() const { return role_of(role_); }
  bool is_leader() const { return std::holds_alternative<leader_role>(role_); }
  /// The leader this node knows of in its term: itself as leader, the one it follows as a
  /// follower, none as a candidate.
  std::optional<peer_id> leader() const;
  /// Figure 2's persistent state as held now (what the last persist effects wrote).
  persistent_state persistent() const;
  const raft_log& log() const { return log_; }
  /// Figure 2, volatile state: the highest index known to be committed.
  log_index commit_index() const { return commit_index_; }
  /// Figure 2, volatile state: the highest index handed to the service (apply effects).
  log_index last_applied() const { return last_applied_; }
  /// The highest index durable in this peer's store (as of the last log_synced).
  log_index durable_index() const { return durable_index_; }
  /// The latest snapshot's bytes (null when there is none).
  const std::shared_ptr<const std::string>& snapshot_data() const { return snapshot_data_; }
  /// A leader's view of follower `p` (null when not leader or not a follower).
  const progress* progress_of(peer_id p) const;
  /// The votes this node holds for its current term: as candidate the grants so far, as
  /// leader those that elected it; empty as follower.
  std::set<peer_id> votes_received() const;
  /// True while this follower is asking for pre-votes (it is still a follower).
  bool pre_voting() const;
  /// True while this node would refuse a pre-vote because a leader is known to be alive:
  /// it is the leader, or a follower that heard its leader within `election_min` and whose
  /// connection to that leader is not reported down.
  bool in_leader_lease() const;
  /// True while this node would ignore a RequestVote of a higher term from `candidate`
  /// (thesis §4.2.3): a follower in its leader lease with pre-vote on, unless `candidate` is
  /// that leader, or a leader with check-quorum on.
  bool ignores_vote_request(peer_id candidate) const;
  /// True while the running election timer is a crash fast path timer (a short one).
  bool on_fast_path() const { return fast_path_.on_short_timer(); }
  std::size_t quorum() const { return majority_of(opts_.members.size()); }

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
  void on(const install_snapshot& m);
  void on(const install_snapshot_reply& m);

  /// Messages of the current term from `leader` (AppendEntries, InstallSnapshot): recognize
  /// it (Figure 2, Candidates: "If AppendEntries RPC received from new leader: convert to
  /// follower") and restart the election timeout. Returns false (refusing the message) when
  /// this node is itself leader of that term.
  bool follow(peer_id from, term_t term);
  /// The follower's answer to an AppendEntries whose entries match through `verified`: at
  /// once when they are durable, else once log_synced says so.
  void acknowledge(peer_id leader, log_index verified);
  /// Leader: sends what follower `p` needs now (entries, a probe, a snapshot chunk), within
  /// its flow-control window; on a heartbeat tick, at least a heartbeat.
  void replicate_to(peer_id p, bool heartbeat_tick);
  void send_snapshot_chunk(peer_id p, progress& pr);
  /// Leader: Figure 2, "If there exists an N such that N > commitIndex, a majority of
  /// matchIndex[i] ≥ N, and log[N].term == currentTerm: set commitIndex = N" (§5.3, §5.4.2).
  void advance_commit();
  /// Hands the committed, durable entries not yet applied to the service.
  void apply_committed();
  /// Everything written so far is durable.
  void everything_durable();
  /// ReadIndex: reads join a heartbeat round (a new one at once when none is out).
  void queue_read(pending_read r);
  void start_round();
  /// Confirms rounds a majority acknowledged and serves their reads.
  void confirm_rounds();
  /// An empty AppendEntries to `p` where its log is known to match (a heartbeat).
  void send_heartbeat(peer_id p, const progress& pr);
  /// The leader's commit index is of its own term (ReadIndex's precondition).
  bool committed_in_term() const { return log_.term_at(commit_index_) == term_; }
  /// Ends every pending read (leadership lost).
  void fail_reads();

  void advance_clock(time_point now);
  /// Check-quorum (see features): steps down when a majority has been silent too long.
  void check_quorum();
  /// Why a message must be dropped before any rule sees it (its term is at or above the
  /// ceiling, or it is a RequestVote the lease ignores), or nothing.
  std::optional<std::string> refusal(const message& m) const;
  /// Standing needs term current_term + 1, which must stay below the ceiling.
  bool may_stand() const { return term_ + 1 < max_term; }
  void start_pre_vote();
  void arm_retry_timer();
  /// Sends `request` to every other member that has not answered `round` yet.
  template <class Request>
  void ask_unanswered(const vote_tracker& round, const Request& request);

  /// §5.1 / Figure 2 "Rules for all servers": if a message carries a term higher than ours,
  /// adopt it and become follower. Runs once, before any per-role rule.
  void observe_term(term_t term);

  void become_follower(term_t term, std::optional<peer_id> leader);
  void become_candidate();
  void become_leader();

  /// Arms the election timer of a new (pre-)vote round: a short one while crash fast path
  /// rounds are left, a full election timeout otherwise.
  void arm_round_timer();
  void reset_election_timer();
  void arm_short_timer(crash_fast_path::window w);
  void arm_election_timer_within(duration lo, duration hi);
  void send_heartbeats();
  bool is_member(peer_id p) const;
  /// The leader lease holds against `asker`: in_leader_lease(), unless `asker` is the very
  /// leader this follower follows. A leader never asks for votes, so its asking shows it
  /// has stepped down (check-quorum); whatever still renews the lease (late or duplicated
  /// heartbeats) is no sign of a live leader then.
  bool lease_holds_against(peer_id asker) const;

  follower_role* as_follower() { return std::get_if<follower_role>(&role_); }
  const follower_role* as_follower() const { return std::get_if<follower_role>(&role_); }
  candidate_role* as_candidate() { return std::get_if<candidate_role>(&role_); }
  leader_role* as_leader() { return std::get_if<leader_role>(&role_); }
  const leader_role* as_leader() const { return std::get_if<leader_role>(&role_); }

  options opts_;
  // Figure 2, persistent state on all servers.
  term_t term_ = 0;
  std::optional<peer_id> vote_;
  raft_log log_;
  // Figure 2, volatile state on all servers.
  log_index commit_index_ = 0;
  log_index last_applied_ = 0;
  log_index durable_index_ = 0; ///< what the store holds durably (≤ log_.last_index())
  std::shared_ptr<const std::string> snapshot_data_;
  // Per role (core/role_state.hpp).
  role_state role_;

  std::uint64_t election_generation_ = 0;
  std::uint64_t heartbeat_generation_ = 0;
  std::mt19937_64 rng_;
  effects out_;
  time_point now_{0};
  std::set<peer_id> disconnected_; ///< peers whose link reports the connection down
  crash_fast_path fast_path_;

  // What check_invariants() remembers between steps.
  mutable term_t checked_term_ = 0;
  mutable std::optional<peer_id> checked_vote_;
  mutable log_index checked_commit_ = 0;
  bool truncated_in_step_ = false; ///< this step removed log entries (Leader Append-Only)
};

} // namespace raft

#include "core/node.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace raft {

namespace {

std::string str(const char* what, peer_id self, term_t term) {
  return std::string(what) + " (peer " + std::to_string(self) + ", term " +
         std::to_string(term) + ")";
}

} // namespace

node::node(options opts, persistent_state restored)
  : opts_(std::move(opts)), state_(std::move(restored)), rng_(opts_.seed) {
  auto& m = opts_.members;
  if (std::find(m.begin(), m.end(), opts_.self) == m.end())
    throw std::invalid_argument("self " + std::to_string(opts_.self) + " is not a member");
  auto sorted = m;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
    throw std::invalid_argument("a member is listed twice");
  if (auto p = opts_.timing.problem())
    throw std::invalid_argument("timing: " + *p);
  if (state_.current_term >= max_term)
    throw std::invalid_argument("restored term " + std::to_string(state_.current_term) +
                                " is at or above the term ceiling 2^63");
  checked_term_ = state_.current_term;
  checked_vote_ = state_.voted_for;
}

/// Runs one step and turns its changes into effects. The persist and role_changed effects
/// are derived by comparing the state before and after the step, so no rule can forget
/// them. Persist is put first so the shell writes it before any send of this step
/// (Figure 2: persistent state is "updated on stable storage before responding to RPCs").
template <class F>
effects node::step(time_point now, F&& body) {
  out_.clear();
  auto term_before = state_.current_term;
  auto vote_before = state_.voted_for;
  auto role_before = role_;
  auto leader_before = leader_;
  advance_clock(now);
  check_quorum(); // first: a leader that lost its majority must not act as leader any more
  body();
  std::size_t front = 0;
  if (state_.current_term != term_before || state_.voted_for != vote_before)
    out_.insert(out_.begin() + front++, persist{state_.current_term, state_.voted_for});
  if (role_ != role_before || state_.current_term != term_before || leader_ != leader_before)
    out_.insert(out_.begin() + front, role_changed{role_, state_.current_term, leader_});
  if (opts_.check_invariants)
    check_invariants();
  return std::move(out_);
}

effects node::start(time_point now) {
  return step(now, [&] {
    out_.emplace_back(role_changed{role_, state_.current_term, leader_});
    reset_election_timer();
  });
}

effects node::receive(const message& m, time_point now) {
  return step(now, [&] {
    auto from = sender_of(m);
    if (!is_member(from) || from == opts_.self) {
      out_.emplace_back(message_rejected{from, std::string(kind_of(m)) +
                                                   " from a peer that is not a member"});
      return;
    }
    if (auto why = refusal(m)) {
      out_.emplace_back(message_rejected{from, std::move(*why)});
      return;
    }
    // A pre-vote's term is only the term its sender would campaign in, and a granted
    // pre-vote reply echoes it: neither may raise our term (thesis §9.6). Every other
    // message, and a refused pre-vote reply, carries its sender's current term.
    auto* pv_reply = std::get_if<pre_vote_reply>(&m);
    bool carries_current_term =
      !std::holds_alternative<pre_vote>(m) && !(pv_reply && pv_reply->vote_granted);
    if (carries_current_term)
      observe_term(term_of(m));
    if (role_ == raft::role::leader && carries_current_term &&
        term_of(m) == state_.current_term)
      last_heard_[from] = now_; // check-quorum: this peer is in touch with us
    std::visit([&](const auto& x) { on(x); }, m);
  });
}

effects node::tick(time_point now) {
  return step(now, [] {});
}

effects node::connection_lost(peer_id p, time_point now) {
  return step(now, [&] {
    if (!is_member(p) || p == opts_.self)
      return;
    disconnected_.insert(p);
    // Crash fast path: our leader's process or host is gone. Ask for pre-votes after a short
    // random delay (spreading the followers out) rather than a full election timeout. The
    // others grant only once their own connection to that leader is down too, so a link
    // that fails between one follower and a live leader changes nothing.
    if (opts_.pre_vote && role_ == raft::role::follower && leader_ == p) {
      fast_rounds_left_ = fast_path_rounds - 1; // this timer starts the first round
      arm_fast_timer();
    }
  });
}

effects node::connection_restored(peer_id p, time_point now) {
  return step(now, [&] { disconnected_.erase(p); });
}

effects node::election_timer_fired(std::uint64_t generation, time_point now) {
  return step(now, [&] {
    // A leader has no election timer; any firing of an older generation is stale.
    if (generation != election_generation_ || role_ == raft::role::leader)
      return;
    if (!may_stand()) {
      // The term space is used up (raft::max_term): standing would need a term no peer
      // accepts, and `current_term + 1` must never reach the ceiling. Wait as a follower
      // for a leader of this last term.
      if (role_ == raft::role::candidate)
        become_follower(state_.current_term, std::nullopt);
      pre_voting_ = false;
      pre_votes_.clear();
      reset_election_timer();
      return;
    }
    // Figure 2, Followers: "If election timeout elapses without receiving AppendEntries RPC
    // from current leader or granting vote to candidate: convert to candidate".
    // Candidates: "If election timeout elapses: start new election".
    // With pre-vote, every candidacy starts by asking whether it could win (thesis §9.6):
    // a follower's first one, and also a candidate's next one after its election timed out
    // (as etcd-raft's pre-candidate). The candidate goes back to being a follower in its
    // own term, keeping its vote for itself (nothing durable changes), and asks for
    // pre-votes for term + 1. A candidate cut off during its election therefore stays at
    // the term of that election instead of climbing one term per timeout, and on its
    // return cannot depose a leader the others elected meanwhile (its term is not above
    // theirs). Liveness: a follower that would vote for us in term + 1 also grants the
    // pre-vote (same conditions: not in a leader lease, our log at least as up to date,
    // §5.4.1; only the crash fast path's yielding differs, for one short timer), so
    // whenever the real election could succeed the pre-vote succeeds too; the cost is one
    // round trip per retry. On the crash fast path the retry stays on the short timer
    // (arm_fast_timer), so a split vote after a crash is retried within a few round trips,
    // not a full election timeout.
    bool skip_pre_vote = role_ == raft::role::candidate &&
                         (opts_.injected_bugs & bug_candidate_skips_pre_vote);
    if (opts_.pre_vote && !skip_pre_vote) {
      if (role_ == raft::role::candidate)
        become_follower(state_.current_term, std::nullopt);
      start_pre_vote();
    } else {
      become_candidate();
    }
  });
}

effects node::heartbeat_timer_fired(std::uint64_t generation, time_point now) {
  return step(now, [&] {
    if (generation != heartbeat_generation_)
      return;
    if (role_ == raft::role::leader) {
      // Figure 2, Leaders: "send initial empty AppendEntries RPCs (heartbeat) to each
      // server; repeat during idle periods to prevent election timeouts (§5.2)".
      send_heartbeats();
      out_.emplace_back(arm_heartbeat_timer{opts_.timing.heartbeat, ++heartbeat_generation_});
    } else if (role_ == raft::role::candidate) {
      // §5.1: retry the RequestVote RPCs that got no response yet.
      ask_unanswered(
        request_vote{state_.current_term, opts_.self, last_log_index(), last_log_term()});
      arm_retry_timer();
    } else if (pre_voting_) {
      ask_unanswered(
        pre_vote{state_.current_term + 1, opts_.self, last_log_index(), last_log_term()});
      arm_retry_timer();
    }
  });
}

void node::arm_retry_timer() {
  if (opts_.retry_vote_requests)
    out_.emplace_back(arm_heartbeat_timer{opts_.timing.heartbeat, ++heartbeat_generation_});
}

template <class Request>
void node::ask_unanswered(const Request& request) {
  for (auto p : opts_.members)
    if (p != opts_.self && !answered_.count(p))
      out_.emplace_back(send{p, request});
}

void node::advance_clock(time_point now) {
  now_ = std::max(now_, now);
}

void node::check_quorum() {
  if (!opts_.check_quorum || role_ != raft::role::leader)
    return;
  std::size_t in_touch = 1; // the leader itself
  for (auto p : opts_.members)
    if (p != opts_.self) {
      auto i = last_heard_.find(p);
      if (i != last_heard_.end() && now_ - i->second <= opts_.timing.election_max)
        ++in_touch;
    }
  // Without a majority this leader can commit nothing, and a new leader may already
  // exist on the other side: stop claiming leadership (same term; no vote changes).
  if (in_touch < quorum())
    become_follower(state_.current_term, std::nullopt);
}

bool node::in_leader_lease() const {
  if (role_ == raft::role::leader)
    return true;
  if (role_ != raft::role::follower || !leader_ || disconnected_.count(*leader_) ||
      !leader_contact_)
    return false;
  return now_ - *leader_contact_ < opts_.timing.election_min;
}

bool node::lease_holds_against(peer_id asker) const {
  return in_leader_lease() && !(role_ == raft::role::follower && leader_ == asker);
}

bool node::ignores_vote_request(peer_id candidate) const {
  // Leader lease on RequestVote (Raft thesis §4.2.3: "if a server receives a RequestVote
  // request within the minimum election timeout of hearing from a current leader, it does
  // not update its term or grant its vote"; etcd-raft's check-quorum `inLease`).
  if (opts_.injected_bugs & bug_ignore_vote_lease)
    return false;
  // A leader ignores it only with check-quorum: then check_quorum() has just confirmed, at
  // the start of this step, that it heard from a majority within election_max, so it is a
  // current leader by the same standard. Liveness: a leader refuses every pre-vote, so the
  // majority of pre-votes that made the asker a candidate was formed without the leader;
  // the asker can win with the same peers' votes, and the leader learns the new term from
  // the first message of the new term that reaches it (a heartbeat or a reply). Without
  // check-quorum a leader that lost its majority would keep the lease forever, so it
  // adopts the term as Figure 2 says.
  if (role_ == raft::role::leader)
    return opts_.check_quorum;
  // A follower ignores it, with pre-vote on, while it would also refuse the pre-vote: it
  // heard its leader within election_min and its connection to that leader is not reported
  // down. Liveness: the lease ends election_min after the last message from the leader,
  // and a leader that cannot reach a majority stops being one (check-quorum: within
  // election_max); a dropped connection to the leader (the crash fast path) ends it at
  // once, so a crash is still handled in about a round trip. A candidate exists only after
  // a majority granted its pre-vote, each out of lease when it granted; a supporter stays
  // out of lease until it hears a leader again, so the lease stands only in the way of a
  // candidate whose supporters have heard a live leader since (one that cannot win
  // anyway). A pre-voting follower and a candidate know no leader and are never in it. The
  // lease never holds against the leader itself (lease_holds_against): if it asks, it has
  // stepped down, and refusing it could only delay the next leader.
  return opts_.pre_vote && role_ == raft::role::follower && lease_holds_against(candidate);
}

std::optional<std::string> node::refusal(const message& m) const {
  auto term = term_of(m);
  // The term ceiling (messages/wire.hpp): adopting such a term would let `current_term + 1`
  // reach or pass it, and a term of UINT64_MAX would wrap. A peer sending one is faulty or
  // forged; the message is dropped before any rule (§5.1's term check included) sees it.
  if (term >= max_term)
    return std::string(kind_of(m)) + " carries term " + std::to_string(term) +
           ", at or above the term ceiling 2^63: dropped, the term is not adopted";
  auto* rv = std::get_if<request_vote>(&m);
  if (rv && rv->term > state_.current_term && ignores_vote_request(rv->candidate_id)) {
    // Dropped like a lost message: safety is untouched (no term, no vote changes; §5.4.1
    // is never reached), and the candidate retries or goes back to pre-votes.
    if (role_ == raft::role::leader)
      return "request_vote of term " + std::to_string(rv->term) +
             " ignored: this node leads term " + std::to_string(state_.current_term) +
             " and heard from a majority within the maximum election timeout (leader lease, "
             "thesis §4.2.3)";
    return "request_vote of term " + std::to_string(rv->term) + " ignored: leader " +
           std::to_string(*leader_) + " of term " + std::to_string(state_.current_term) +
           " was heard within the minimum election timeout (leader lease, thesis §4.2.3)";
  }
  return std::nullopt;
}

void node::start_pre_vote() {
  // Thesis §9.6: ask for pre-votes for term current+1; nothing durable changes, so a node
  // that cannot win (cut off, or behind) never raises anyone's term.
  pre_voting_ = true;
  pre_votes_ = {opts_.self};
  leader_.reset(); // the election timer fired: whoever led is no longer heard
  if (fast_rounds_left_ > 0) {
    --fast_rounds_left_;
    arm_fast_timer();
  } else {
    reset_election_timer();
  }
  if (pre_votes_.size() >= quorum()) {
    become_candidate();
    return;
  }
  answered_ = {opts_.self};
  ask_unanswered(pre_vote{state_.current_term + 1, opts_.self, last_log_index(), last_log_term()});
  arm_retry_timer();
}

void node::observe_term(term_t term) {
  // Figure 2, Rules for All Servers: "If RPC request or response contains term T >
  // currentTerm: set currentTerm = T, convert to follower (§5.1)". The leader of the new term
  // is not known yet; an AppendEntries sets it right after.
  if (term > state_.current_term)
    become_follower(term, std::nullopt);
}

void node::on(const request_vote& m) {
  // RequestVote receiver, Figure 2:
  // 1. "Reply false if term < currentTerm (§5.1)".
  // 2. "If votedFor is null or candidateId, and candidate's log is at least as up-to-date as
  //    receiver's log, grant vote (§5.2, §5.4)".
  // observe_term already raised our term to m.term when it was higher, so here
  // m.term <= current_term. A candidate or leader of this term voted for itself, so it never
  // grants a vote to another peer in its own term.
  bool fresh_term = m.term == state_.current_term;
  bool may_vote = !state_.voted_for || *state_.voted_for == m.candidate_id ||
                  (opts_.injected_bugs & bug_vote_twice);
  bool log_ok = candidate_log_up_to_date(m.last_log_index, m.last_log_term) ||
                (opts_.injected_bugs & bug_ignore_log_freshness);
  bool grant = fresh_term && may_vote && log_ok;
  if (grant) {
    state_.voted_for = m.candidate_id;
    // Granting a vote restarts the election timeout (Figure 2, Followers).
    reset_election_timer();
  }
  out_.emplace_back(
    send{m.candidate_id, request_vote_reply{state_.current_term, grant, opts_.self}});
}

void node::on(const request_vote_reply& m) {
  // Figure 2, Candidates: "If votes received from majority of servers: become leader".
  // Only a grant for the current term counts: a grant from an older term was given to an
  // election we already abandoned, and counting it could make two leaders in one term.
  if (role_ == raft::role::candidate && m.term == state_.current_term)
    answered_.insert(m.voter_id);
  if (role_ != raft::role::candidate || !m.vote_granted)
    return;
  if (m.term != state_.current_term && !(opts_.injected_bugs & bug_count_stale_votes))
    return;
  votes_.insert(m.voter_id);
  if (votes_.size() >= quorum())
    become_leader();
}

void node::on(const append_entries& m) {
  // AppendEntries receiver, Figure 2, step 1: "Reply false if term < currentTerm (§5.1)".
  // Such a message comes from a deposed leader; it must not reset our timer.
  if (m.term < state_.current_term) {
    out_.emplace_back(
      send{m.leader_id, append_entries_reply{state_.current_term, false, opts_.self}});
    return;
  }
  // From here m.term == current_term: m comes from the legitimate leader of this term.
  if (role_ == raft::role::leader) {
    // Election Safety (Figure 3) says this cannot happen; refuse rather than obey.
    out_.emplace_back(message_rejected{m.leader_id, "append_entries from a second leader of term " +
                                                      std::to_string(m.term)});
    return;
  }
  // Figure 2, Candidates: "If AppendEntries RPC received from new leader: convert to
  // follower". A follower records the leader it now knows.
  if (role_ == raft::role::candidate || leader_ != m.leader_id || pre_voting_)
    become_follower(m.term, m.leader_id);
  // Followers: hearing from the current leader restarts the election timeout. Unless the
  // transport has reported the connection to that leader down: then this message was sent
  // before it dropped (in flight, or overtaken by the report) and is no sign of life; it
  // must not renew the lease or cancel the crash fast path's early pre-vote.
  if (!disconnected_.count(m.leader_id)) {
    leader_contact_ = now_;
    reset_election_timer();
  }
  // Step 2: "Reply false if log doesn't contain an entry at prevLogIndex whose term matches
  // prevLogTerm (§5.3)". Entries are refused until log replication is implemented, so a
  // success reply is never a false promise of having stored them.
  bool success = m.entries.empty() && m.prev_log_index <= last_log_index() &&
                 term_at(m.prev_log_index) == m.prev_log_term;
  // Step 5: "If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of
  // last new entry)"; with no new entries the last one known to match is prev_log_index.
  if (success && m.leader_commit > commit_index_)
    commit_index_ = std::max(commit_index_, std::min(m.leader_commit, m.prev_log_index));
  out_.emplace_back(
    send{m.leader_id, append_entries_reply{state_.current_term, success, opts_.self}});
}

void node::on(const append_entries_reply&) {
  // The only rule for this reply before log replication is the term check, which
  // observe_term has already applied (and check-quorum's bookkeeping in receive()).
}

void node::on(const pre_vote& m) {
  // Thesis §9.6: grant iff the asker's proposed term is above ours, its log is at least as
  // up to date (§5.4.1), and we have not heard from a live leader within election_min
  // (unless the asker is that leader: asking, it shows it has stepped down).
  // Nothing durable changes here: no term, no vote.
  bool grant = m.term > state_.current_term &&
               candidate_log_up_to_date(m.last_log_index, m.last_log_term) &&
               !lease_holds_against(m.candidate_id) && !yields_to_self(m);
  out_.emplace_back(send{m.candidate_id,
                         pre_vote_reply{grant ? m.term : state_.current_term, grant,
                                        opts_.self}});
  // Crash fast path: having backed an asker, step aside for this round (drop our own
  // pre-vote round, restart our short timer without using up a round) so that its
  // RequestVote finds us still unvoted instead of racing it. The window keeps growing with
  // our own rounds only, so an asker that cannot win delays us by at most one short timer.
  // A candidate of a split vote steps aside too: its own retry would ask for pre-votes
  // for the same term and split the next election.
  if (grant && fast_round_) {
    pre_voting_ = false;
    pre_votes_.clear();
    arm_fast_timer();
  }
}

bool node::yields_to_self(const pre_vote& m) const {
  // Crash fast path: two followers asking for pre-votes in the same round would both be
  // granted, both stand, and split the vote. Between two such askers with equally fresh
  // logs the lower id goes first: a fast-path asker refuses a higher id. Only on the fast
  // path (a few rounds), so a peer that cannot win itself never blocks another for long;
  // a refused pre-vote changes nothing durable, so safety is untouched.
  return pre_voting_ && fast_round_ && m.term == state_.current_term + 1 &&
         m.candidate_id > opts_.self && m.last_log_term == last_log_term() &&
         m.last_log_index == last_log_index();
}

void node::on(const pre_vote_reply& m) {
  // Count grants for the term this round asks about; a refusal from a voter in a higher
  // term has already made us its follower (receive()).
  if (pre_voting_)
    answered_.insert(m.voter_id);
  if (!pre_voting_ || !m.vote_granted || m.term != state_.current_term + 1)
    return;
  pre_votes_.insert(m.voter_id);
  if (pre_votes_.size() >= quorum())
    become_candidate(); // §5.2 from here on: a real election in term + 1
}

void node::become_follower(term_t term, std::optional<peer_id> leader) {
  if (term < state_.current_term)
    throw invariant_violation(str("become_follower with an older term", opts_.self, term));
  bool was_leader = role_ == raft::role::leader;
  ++heartbeat_generation_; // stops a leader's heartbeats and a candidate's retries
  if (term > state_.current_term) {
    state_.current_term = term;
    state_.voted_for.reset(); // a new term: no vote given in it yet
  }
  role_ = raft::role::follower;
  leader_ = leader;
  leader_contact_.reset(); // the lease counts from a message of this leader in this term
  if (leader)
    fast_rounds_left_ = 0;
  votes_.clear();
  pre_voting_ = false;
  pre_votes_.clear();
  last_heard_.clear();
  if (was_leader)
    reset_election_timer(); // a leader had no election timer running
}

void node::become_candidate() {
  if (role_ == raft::role::leader)
    throw invariant_violation(str("a leader cannot become candidate", opts_.self,
                                  state_.current_term));
  if (!may_stand())
    throw invariant_violation(str("a candidate would reach the term ceiling", opts_.self,
                                  state_.current_term));
  // Figure 2, Candidates (§5.2): "On conversion to candidate, start election: increment
  // currentTerm, vote for self, reset election timer, send RequestVote RPCs to all other
  // servers".
  ++state_.current_term;
  state_.voted_for = opts_.self;
  role_ = raft::role::candidate;
  leader_.reset();
  votes_ = {opts_.self};
  pre_voting_ = false;
  pre_votes_.clear();
  // After a crash both followers may stand at once; on the fast path a split vote is
  // retried on the short timer too (still randomized, so one of them goes first).
  if (fast_rounds_left_ > 0) {
    --fast_rounds_left_;
    arm_fast_timer();
  } else {
    reset_election_timer();
  }
  if (votes_.size() >= quorum()) { // a cluster of one elects itself
    become_leader();
    return;
  }
  answered_ = {opts_.self};
  ask_unanswered(request_vote{state_.current_term, opts_.self, last_log_index(), last_log_term()});
  arm_retry_timer();
}

void node::become_leader() {
  if (role_ != raft::role::candidate || votes_.size() < quorum())
    throw invariant_violation(str("become_leader without a majority", opts_.self,
                                  state_.current_term));
  role_ = raft::role::leader;
  leader_ = opts_.self;
  ++election_generation_; // a leader has no election timer
  // Check-quorum counts from here: every peer starts as just heard from.
  last_heard_.clear();
  for (auto p : opts_.members)
    if (p != opts_.self)
      last_heard_[p] = now_;
  // Figure 2, Leaders: "Upon election: send initial empty AppendEntries RPCs (heartbeat) to
  // each server" — at once, so the others stop their elections.
  send_heartbeats();
  out_.emplace_back(arm_heartbeat_timer{opts_.timing.heartbeat, ++heartbeat_generation_});
}

void node::reset_election_timer() {
  // §5.2: election timeouts are chosen randomly from a fixed interval so that split votes
  // are rare; uniform over [election_min, election_max].
  arm_election_timer_within(opts_.timing.election_min, opts_.timing.election_max);
  fast_round_ = false;
}

void node::arm_fast_timer() {
  // A short random delay, so the followers of a crashed leader do not all ask at once. Two
  // followers whose timers fire less than a message delay apart both stand and split the
  // vote; the window doubles every round (10–50, 10–100, 10–200, 10–400 ms with the default
  // heartbeat), so such a collision gets rarer each time while the first round stays fast.
  auto hb = opts_.timing.heartbeat;
  int round = fast_path_rounds - 1 - fast_rounds_left_; // 0 for the first timer
  arm_election_timer_within(hb / 10, (hb / 2) * (1 << round));
  fast_round_ = true;
}

void node::arm_election_timer_within(duration lo_d, duration hi_d) {
  auto lo = lo_d.count();
  auto hi = hi_d.count();
  auto span = static_cast<std::uint64_t>(hi - lo) + 1;
  auto after = duration(lo + static_cast<duration::rep>(rng_() % span));
  out_.emplace_back(arm_election_timer{after, ++election_generation_});
}

void node::send_heartbeats() {
  append_entries ae{state_.current_term, opts_.self, last_log_index(), last_log_term(), {},
                    commit_index_};
  for (auto p : opts_.members)
    if (p != opts_.self)
      out_.emplace_back(send{p, ae});
}

bool node::is_member(peer_id p) const {
  return std::find(opts_.members.begin(), opts_.members.end(), p) != opts_.members.end();
}

bool node::candidate_log_up_to_date(log_index last_index, term_t last_term) const {
  // §5.4.1: "If the logs have last entries with different terms, then the log with the later
  // term is more up-to-date. If the logs end with the same term, then whichever log is
  // longer is more up-to-date."
  if (last_term != last_log_term())
    return last_term > last_log_term();
  return last_index >= last_log_index();
}

void node::check_invariants() const {
  auto fail = [&](const char* what) {
    throw invariant_violation(str(what, opts_.self, state_.current_term));
  };
  if (state_.current_term < checked_term_)
    fail("current_term decreased");
  if (state_.current_term >= max_term)
    fail("current_term at or above the term ceiling");
  if (state_.current_term == checked_term_ && checked_vote_ &&
      state_.voted_for != checked_vote_)
    fail("voted_for changed within a term");
  checked_term_ = state_.current_term;
  checked_vote_ = state_.voted_for;
  switch (role_) {
    case raft::role::follower:
      if (!votes_.empty())
        fail("a follower holds votes");
      break;
    case raft::role::candidate:
      if (state_.voted_for != opts_.self || !votes_.count(opts_.self))
        fail("a candidate did not vote for itself");
      break;
    case raft::role::leader:
      if (state_.voted_for != opts_.self)
        fail("a leader did not vote for itself");
      if (votes_.size() < quorum())
        fail("a leader without votes from a majority");
      break;
  }
  if ((leader_ == opts_.self) != (role_ == raft::role::leader))
    fail("the known leader is self exactly when the role is leader");
  for (auto v : votes_)
    if (!is_member(v))
      fail("a vote from a non-member");
  if (commit_index_ > last_log_index())
    fail("commit index beyond the log");
  if (pre_voting_ && role_ != raft::role::follower)
    fail("only a follower asks for pre-votes");
  for (auto v : pre_votes_)
    if (!is_member(v))
      fail("a pre-vote from a non-member");
}

} // namespace raft

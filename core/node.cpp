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
  : opts_(std::move(opts)), term_(restored.current_term), vote_(restored.voted_for),
    rng_(opts_.seed) {
  auto& m = opts_.members;
  if (std::find(m.begin(), m.end(), opts_.self) == m.end())
    throw std::invalid_argument("self " + std::to_string(opts_.self) + " is not a member");
  auto sorted = m;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
    throw std::invalid_argument("a member is listed twice");
  if (auto p = opts_.timing.problem())
    throw std::invalid_argument("timing: " + *p);
  if (term_ >= max_term)
    throw std::invalid_argument("restored term " + std::to_string(term_) +
                                " is at or above the term ceiling 2^63");
  if (restored.snapshot_index > 0 && !restored.snapshot)
    throw std::invalid_argument("a snapshot index without the snapshot's bytes");
  log_ = raft_log(restored.snapshot_index, restored.snapshot_term, std::move(restored.log));
  if (log_.last_term() > term_)
    throw std::invalid_argument("the log holds term " + std::to_string(log_.last_term()) +
                                ", above the restored current term " + std::to_string(term_));
  snapshot_data_ = std::move(restored.snapshot);
  // What was restored is durable; the snapshot's entries are committed (§7) and the service
  // starts from the snapshot, so it has applied them.
  durable_index_ = log_.last_index();
  commit_index_ = last_applied_ = log_.snapshot_index();
  checked_term_ = term_;
  checked_vote_ = vote_;
  checked_commit_ = commit_index_;
}

std::optional<peer_id> node::leader() const {
  if (is_leader())
    return opts_.self;
  if (auto* f = as_follower())
    return f->leader;
  return std::nullopt;
}

persistent_state node::persistent() const {
  persistent_state s;
  s.current_term = term_;
  s.voted_for = vote_;
  s.log = log_.entries();
  s.snapshot_index = log_.snapshot_index();
  s.snapshot_term = log_.snapshot_term();
  s.snapshot = snapshot_data_;
  return s;
}

const progress* node::progress_of(peer_id p) const {
  auto* l = as_leader();
  if (!l)
    return nullptr;
  auto i = l->followers.find(p);
  return i == l->followers.end() ? nullptr : &i->second;
}

std::set<peer_id> node::votes_received() const {
  if (auto* c = std::get_if<candidate_role>(&role_))
    return c->votes.granted();
  if (auto* l = as_leader())
    return l->voters;
  return {};
}

bool node::pre_voting() const {
  auto* f = as_follower();
  return f && f->pre_votes.has_value();
}

/// Runs one step and turns its changes into effects. The persist and role_changed effects
/// are derived by comparing the state before and after the step, so no rule can forget
/// them. Persist is put first so the shell writes it before any send of this step
/// (Figure 2: persistent state is "updated on stable storage before responding to RPCs").
template <class F>
effects node::step(time_point now, F&& body) {
  out_.clear();
  truncated_in_step_ = false;
  auto term_before = term_;
  auto vote_before = vote_;
  auto role_before = role();
  auto leader_before = leader();
  advance_clock(now);
  check_quorum(); // first: a leader that lost its majority must not act as leader any more
  body();
  if (opts_.check_invariants && truncated_in_step_ && is_leader() && role_before == raft::role::leader &&
      term_before == term_)
    throw invariant_violation(str("a leader removed entries from its log", opts_.self, term_));
  std::size_t front = 0;
  if (term_ != term_before || vote_ != vote_before)
    out_.insert(out_.begin() + front++, persist{term_, vote_});
  if (role() != role_before || term_ != term_before || leader() != leader_before)
    out_.insert(out_.begin() + front, role_changed{role(), term_, leader()});
  if (opts_.check_invariants)
    check_invariants();
  return std::move(out_);
}

effects node::start(time_point now) {
  return step(now, [&] {
    out_.emplace_back(role_changed{role(), term_, leader()});
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
    if (auto* l = as_leader(); l && carries_current_term && term_of(m) == term_)
      l->followers.at(from).heard_from(now_); // check-quorum: this peer is in touch with us
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
    auto* f = as_follower();
    if (opts_.features.pre_vote && f && f->leader == p) {
      fast_path_.leader_lost();
      arm_round_timer(); // this timer starts the first round
    }
  });
}

effects node::connection_restored(peer_id p, time_point now) {
  return step(now, [&] { disconnected_.erase(p); });
}

effects node::propose(std::string command, time_point now, proposal& result) {
  return step(now, [&] {
    result = proposal{0, term_, false};
    if (!is_leader())
      return;
    // Figure 2, Leaders: "If command received from client: append entry to local log".
    auto index = log_.append(log_entry{term_, std::move(command)});
    out_.emplace_back(write_log{std::nullopt, index, {log_.at(index)}});
    result = proposal{index, term_, true};
    // Sent at once, before the leader's own copy is durable (see the top of node.hpp).
    for (auto& entry : as_leader()->followers)
      replicate_to(entry.first, false);
  });
}

effects node::log_synced(time_point now) {
  return step(now, [&] { everything_durable(); });
}

void node::everything_durable() {
  durable_index_ = log_.last_index();
  if (auto* f = as_follower(); f && f->ack_pending && f->leader &&
                               *f->ack_pending <= durable_index_) {
    auto match = *f->ack_pending;
    f->ack_pending.reset();
    append_entries_reply r{term_, true, opts_.self};
    r.match_index = match;
    r.round = f->leader_round;
    out_.emplace_back(send{*f->leader, r});
  }
  if (is_leader())
    advance_commit(); // our own copy counts from now on
  apply_committed();
}

effects node::snapshot(log_index index, std::string data, time_point now) {
  return step(now, [&] {
    if (index <= log_.snapshot_index())
      return; // an older snapshot than the one held
    if (index > last_applied_) {
      out_.emplace_back(message_rejected{
        opts_.self, "snapshot through index " + std::to_string(index) +
                      " refused: only entries through " + std::to_string(last_applied_) +
                      " were applied"});
      return;
    }
    auto term = log_.term_at(index).value();
    log_.compact(index);
    snapshot_data_ = std::make_shared<const std::string>(std::move(data));
    out_.emplace_back(save_snapshot{index, term, snapshot_data_});
    everything_durable(); // save_snapshot syncs every earlier write
  });
}

effects node::election_timer_fired(std::uint64_t generation, time_point now) {
  return step(now, [&] {
    // A leader has no election timer; any firing of an older generation is stale.
    if (generation != election_generation_ || is_leader())
      return;
    if (!may_stand()) {
      // The term space is used up (raft::max_term): standing would need a term no peer
      // accepts, and `current_term + 1` must never reach the ceiling. Wait as a follower
      // for a leader of this last term.
      become_follower(term_, std::nullopt); // as a follower: drops any pre-vote round
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
    bool skip_pre_vote = role() == raft::role::candidate &&
                         (opts_.injected_bugs & bug_candidate_skips_pre_vote);
    if (opts_.features.pre_vote && !skip_pre_vote) {
      if (role() == raft::role::candidate)
        become_follower(term_, std::nullopt);
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
    if (is_leader()) {
      // Figure 2, Leaders: "send initial empty AppendEntries RPCs (heartbeat) to each
      // server; repeat during idle periods to prevent election timeouts (§5.2)".
      send_heartbeats();
      out_.emplace_back(arm_heartbeat_timer{opts_.timing.heartbeat, ++heartbeat_generation_});
    } else if (auto* c = as_candidate()) {
      // §5.1: retry the RequestVote RPCs that got no response yet.
      ask_unanswered(c->votes,
                     request_vote{term_, opts_.self, log_.last_index(), log_.last_term()});
      arm_retry_timer();
    } else if (auto* f = as_follower(); f && f->pre_votes) {
      ask_unanswered(*f->pre_votes,
                     pre_vote{term_ + 1, opts_.self, log_.last_index(), log_.last_term()});
      arm_retry_timer();
    }
  });
}

void node::arm_retry_timer() {
  if (opts_.features.retry_vote_requests)
    out_.emplace_back(arm_heartbeat_timer{opts_.timing.heartbeat, ++heartbeat_generation_});
}

template <class Request>
void node::ask_unanswered(const vote_tracker& round, const Request& request) {
  for (auto p : opts_.members)
    if (p != opts_.self && !round.has_answered(p))
      out_.emplace_back(send{p, request});
}

void node::advance_clock(time_point now) {
  now_ = std::max(now_, now);
}

void node::check_quorum() {
  auto* l = as_leader();
  if (!opts_.features.check_quorum || !l)
    return;
  std::size_t in_touch = 1; // the leader itself
  for (auto& [p, pr] : l->followers)
    if (pr.recently_active(now_, opts_.timing.election_max))
      ++in_touch;
  // Without a majority this leader can commit nothing, and a new leader may already
  // exist on the other side: stop claiming leadership (same term; no vote changes).
  if (in_touch < quorum())
    become_follower(term_, std::nullopt);
}

bool node::in_leader_lease() const {
  if (is_leader())
    return true;
  auto* f = as_follower();
  if (!f || !f->leader || disconnected_.count(*f->leader) || !f->leader_contact)
    return false;
  return now_ - *f->leader_contact < opts_.timing.election_min;
}

bool node::lease_holds_against(peer_id asker) const {
  auto* f = as_follower();
  return in_leader_lease() && !(f && f->leader == asker);
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
  if (is_leader())
    return opts_.features.check_quorum;
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
  return opts_.features.pre_vote && as_follower() && lease_holds_against(candidate);
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
  if (rv && rv->term > term_ && ignores_vote_request(rv->candidate_id)) {
    // Dropped like a lost message: safety is untouched (no term, no vote changes; §5.4.1
    // is never reached), and the candidate retries or goes back to pre-votes.
    if (is_leader())
      return "request_vote of term " + std::to_string(rv->term) +
             " ignored: this node leads term " + std::to_string(term_) +
             " and heard from a majority within the maximum election timeout (leader lease, "
             "thesis §4.2.3)";
    return "request_vote of term " + std::to_string(rv->term) + " ignored: leader " +
           std::to_string(*leader()) + " of term " + std::to_string(term_) +
           " was heard within the minimum election timeout (leader lease, thesis §4.2.3)";
  }
  return std::nullopt;
}

void node::start_pre_vote() {
  // Thesis §9.6: ask for pre-votes for term current+1; nothing durable changes, so a node
  // that cannot win (cut off, or behind) never raises anyone's term.
  // The election timer fired: whoever led is no longer heard (a follower of no leader).
  follower_role f;
  f.pre_votes.emplace(opts_.self, opts_.members.size());
  role_ = std::move(f);
  auto& round = *std::get<follower_role>(role_).pre_votes;
  arm_round_timer();
  if (round.won()) { // a cluster of one
    become_candidate();
    return;
  }
  ask_unanswered(round, pre_vote{term_ + 1, opts_.self, log_.last_index(), log_.last_term()});
  arm_retry_timer();
}

void node::observe_term(term_t term) {
  // Figure 2, Rules for All Servers: "If RPC request or response contains term T >
  // currentTerm: set currentTerm = T, convert to follower (§5.1)". The leader of the new term
  // is not known yet; an AppendEntries sets it right after.
  if (term > term_)
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
  bool fresh_term = m.term == term_;
  bool may_vote = !vote_ || *vote_ == m.candidate_id || (opts_.injected_bugs & bug_vote_twice);
  bool log_ok = log_.is_up_to_date(m.last_log_index, m.last_log_term) ||
                (opts_.injected_bugs & bug_ignore_log_freshness);
  bool grant = fresh_term && may_vote && log_ok;
  if (grant) {
    vote_ = m.candidate_id;
    // Granting a vote restarts the election timeout (Figure 2, Followers).
    reset_election_timer();
  }
  out_.emplace_back(send{m.candidate_id, request_vote_reply{term_, grant, opts_.self}});
}

void node::on(const request_vote_reply& m) {
  // Figure 2, Candidates: "If votes received from majority of servers: become leader".
  // Only a grant for the current term counts: a grant from an older term was given to an
  // election we already abandoned, and counting it could make two leaders in one term.
  auto* c = as_candidate();
  if (!c)
    return;
  if (m.term == term_)
    c->votes.answered(m.voter_id);
  if (!m.vote_granted)
    return;
  if (m.term != term_ && !(opts_.injected_bugs & bug_count_stale_votes))
    return;
  c->votes.record(m.voter_id, true);
  if (c->votes.won())
    become_leader();
}

bool node::follow(peer_id from, term_t term) {
  // From here term == current_term: the sender is the legitimate leader of this term.
  if (is_leader()) {
    // Election Safety (Figure 3) says this cannot happen; refuse rather than obey.
    out_.emplace_back(message_rejected{from, "a message from a second leader of term " +
                                                 std::to_string(term)});
    return false;
  }
  // Figure 2, Candidates: "If AppendEntries RPC received from new leader: convert to
  // follower". A follower records the leader it now knows.
  if (!as_follower() || leader() != from || pre_voting())
    become_follower(term, from);
  // Followers: hearing from the current leader restarts the election timeout. Unless the
  // transport has reported the connection to that leader down: then this message was sent
  // before it dropped (in flight, or overtaken by the report) and is no sign of life; it
  // must not renew the lease or cancel the crash fast path's early pre-vote.
  if (!disconnected_.count(from)) {
    as_follower()->leader_contact = now_;
    reset_election_timer();
  }
  return true;
}

void node::on(const append_entries& m) {
  // AppendEntries receiver, Figure 2, step 1: "Reply false if term < currentTerm (§5.1)".
  // Such a message comes from a deposed leader; it must not reset our timer.
  if (m.term < term_) {
    append_entries_reply r{term_, false, opts_.self};
    r.reject_index = m.prev_log_index;
    out_.emplace_back(send{m.leader_id, r});
    return;
  }
  if (!follow(m.leader_id, m.term))
    return;
  auto& round = as_follower()->leader_round;
  round = std::max(round, m.round);
  // Step 2: "Reply false if log doesn't contain an entry at prevLogIndex whose term matches
  // prevLogTerm (§5.3)". An index the snapshot covers is committed, so it matches the
  // leader's log (Leader Completeness, §5.4.3): append_after skips those entries.
  bool covered = m.prev_log_index < log_.snapshot_index();
  bool matches = covered || log_.matches(m.prev_log_index, m.prev_log_term);
  if (!matches && (opts_.injected_bugs & bug_skip_prev_log_check) &&
      m.prev_log_index <= log_.last_index())
    matches = true;
  if (!matches) {
    // The conflict hint (fast backup): the term of our entry at prevLogIndex and the first
    // index we hold of it, so the leader skips that whole term at once; or, when our log is
    // shorter, its length + 1.
    append_entries_reply r{term_, false, opts_.self};
    r.reject_index = m.prev_log_index;
    r.round = round;
    if (m.prev_log_index > log_.last_index()) {
      r.conflict_index = log_.last_index() + 1;
    } else {
      r.conflict_term = log_.term_at(m.prev_log_index).value();
      r.conflict_index = m.prev_log_index > log_.snapshot_index()
                           ? log_.first_index_of_term_at(m.prev_log_index)
                           : m.prev_log_index;
    }
    out_.emplace_back(send{m.leader_id, r});
    return;
  }
  // Steps 3 and 4: delete a conflicting suffix, append what is new (raft_log::append_after).
  bool keep_conflicts = opts_.injected_bugs & bug_no_truncate_on_conflict;
  auto has_conflict = [&] {
    for (std::size_t k = 0; k < m.entries.size(); ++k) {
      auto i = m.prev_log_index + 1 + k;
      auto t = log_.term_at(i);
      if (i > log_.snapshot_index() && t && *t != m.entries[k].term)
        return true;
    }
    return false;
  };
  if (!(keep_conflicts && has_conflict())) {
    auto r = log_.append_after(m.prev_log_index, m.entries);
    if (r.truncated_from) {
      // Figure 3, Leader Completeness makes this impossible for a committed entry: the
      // leader of this term holds every committed entry, so it never conflicts with one.
      if (*r.truncated_from <= commit_index_)
        throw invariant_violation(str(("a committed entry (index " +
                                       std::to_string(*r.truncated_from) + ") would be removed")
                                        .c_str(),
                                      opts_.self, term_));
      truncated_in_step_ = true;
      durable_index_ = std::min(durable_index_, *r.truncated_from - 1);
    }
    if (r.truncated_from || r.appended > 0) {
      write_log w{r.truncated_from, r.first_new, {}};
      if (r.appended > 0)
        w.entries.assign(m.entries.end() - static_cast<std::ptrdiff_t>(r.appended),
                         m.entries.end());
      else
        w.first = log_.last_index() + 1;
      out_.emplace_back(std::move(w));
    }
  }
  // What we now know matches the leader's log: through the last entry of this message.
  log_index verified = m.prev_log_index + m.entries.size();
  // Step 5: "If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of
  // last new entry)".
  if (m.leader_commit > commit_index_)
    commit_index_ = std::max(commit_index_, std::min(m.leader_commit, verified));
  apply_committed();
  acknowledge(m.leader_id, verified);
}

void node::acknowledge(peer_id leader, log_index verified) {
  auto* f = as_follower();
  // Figure 2: persistent state is "updated on stable storage before responding to RPCs":
  // the success reply promises the leader these entries survive a crash, so it waits until
  // they are durable (log_synced), except with the injected bug.
  if (verified <= durable_index_ || (opts_.injected_bugs & bug_ack_before_sync)) {
    append_entries_reply r{term_, true, opts_.self};
    r.match_index = verified;
    r.round = f->leader_round;
    out_.emplace_back(send{leader, r});
    return;
  }
  f->ack_pending = std::max(f->ack_pending.value_or(0), verified);
}

void node::on(const append_entries_reply& m) {
  // observe_term has applied the term check (and check-quorum's bookkeeping in receive()).
  auto* l = as_leader();
  if (!l || m.term != term_)
    return; // a reply to an earlier leadership, or while not leading
  auto& pr = l->followers.at(m.follower_id);
  // Any reply of this term shows the follower still followed us when it answered.
  pr.acknowledged_round(m.round);
  confirm_rounds();
  if (m.success) {
    if (m.match_index > log_.last_index()) {
      out_.emplace_back(message_rejected{
        m.follower_id, "append_entries_reply claims a match at index " +
                         std::to_string(m.match_index) + ", beyond the leader's log (" +
                         std::to_string(log_.last_index()) + ")"});
      return;
    }
    // Figure 2, Leaders: "If successful: update nextIndex and matchIndex for follower".
    if (pr.on_success(m.match_index))
      advance_commit();
  } else {
    // "If AppendEntries fails because of log inconsistency: decrement nextIndex and retry",
    // by a whole term at a time (the conflict hint): to just after our last entry of the
    // follower's conflicting term if we hold that term, else to the first index the
    // follower holds of it (or its log length + 1).
    log_index hint = m.conflict_index;
    if (m.conflict_term != 0)
      if (auto last = log_.last_index_of_term(m.conflict_term))
        hint = *last + 1;
    pr.on_reject(m.reject_index, std::max<log_index>(hint, 1));
  }
  replicate_to(m.follower_id, false);
}

void node::on(const install_snapshot& m) {
  // Figure 13, InstallSnapshot receiver, step 1: "Reply immediately if term < currentTerm".
  if (m.term < term_) {
    out_.emplace_back(
      send{m.leader_id, install_snapshot_reply{term_, opts_.self, m.last_included_index, 0, false}});
    return;
  }
  if (!follow(m.leader_id, m.term))
    return;
  auto* f = as_follower();
  auto reply = [&](std::uint64_t received, bool installed) {
    out_.emplace_back(send{m.leader_id, install_snapshot_reply{term_, opts_.self,
                                                               m.last_included_index, received,
                                                               installed}});
  };
  // A snapshot of entries we hold committed adds nothing: they match the leader's log.
  if (m.last_included_index <= commit_index_) {
    f->incoming.reset();
    reply(m.offset + m.data.size(), true);
    return;
  }
  // Steps 2–5: "Create new snapshot file if first chunk (offset is 0)"; "Write data into
  // snapshot file at given offset"; "Reply and wait for more data chunks if done is false".
  // Chunks come one at a time, in order; anything else is answered with where we are.
  auto& in = f->incoming;
  if (m.offset == 0)
    in = follower_role::incoming_snapshot{m.last_included_index, m.last_included_term, {}};
  bool same = in && in->index == m.last_included_index && in->term == m.last_included_term;
  if (!same || m.offset != in->data.size()) {
    reply(same ? in->data.size() : 0, false);
    return;
  }
  in->data += m.data;
  if (!m.done) {
    reply(in->data.size(), false);
    return;
  }
  // Step 6: "If existing log entry has same index and term as snapshot's last included
  // entry, retain log entries following it and reply"; step 7: "Discard the entire log";
  // step 8: "Reset state machine using snapshot contents".
  auto index = in->index;
  auto term = in->term;
  auto data = std::make_shared<const std::string>(std::move(in->data));
  in.reset();
  auto held = log_.term_at(index);
  if (held && *held != term) {
    // The store keeps entries after a snapshot only where they agree with it: remove ours.
    out_.emplace_back(write_log{log_.first_index(), log_.first_index(), {}});
    truncated_in_step_ = true;
  }
  log_.restore_snapshot(index, term);
  snapshot_data_ = data;
  out_.emplace_back(save_snapshot{index, term, data});
  f->ack_pending.reset(); // the installed reply tells the leader where we match
  commit_index_ = std::max(commit_index_, index);
  if (index > last_applied_) {
    last_applied_ = index;
    out_.emplace_back(apply_snapshot{index, term, data});
  }
  everything_durable(); // save_snapshot made every earlier write durable too
  reply(data->size(), true);
}

void node::on(const install_snapshot_reply& m) {
  auto* l = as_leader();
  if (!l || m.term != term_)
    return;
  auto& pr = l->followers.at(m.follower_id);
  if (pr.on_snapshot_reply(m.last_included_index, m.received, m.installed) && m.installed)
    advance_commit();
  replicate_to(m.follower_id, false);
}

void node::replicate_to(peer_id p, bool heartbeat_tick) {
  auto& pr = as_leader()->followers.at(p);
  // The entries this follower needs next were discarded into the snapshot (§7): send that.
  if (pr.state() != progress::mode::snapshot && pr.next_index() - 1 < log_.snapshot_index())
    pr.begin_snapshot(log_.snapshot_index());
  if (pr.state() == progress::mode::snapshot) {
    if (pr.snapshot_index() != log_.snapshot_index())
      pr.begin_snapshot(log_.snapshot_index()); // a newer snapshot replaced it: start over
    send_snapshot_chunk(p, pr);
    return;
  }
  bool sent = false;
  // Entries, as many messages as the window allows (probe: one).
  while (pr.may_send_entries(opts_.limits)) {
    auto next = pr.next_index();
    auto entries = log_.slice(next, opts_.limits.max_entries_per_message,
                              opts_.limits.max_bytes_per_message);
    if (entries.empty() && pr.state() == progress::mode::replicate)
      break; // nothing new; a heartbeat below if it is time for one
    std::size_t bytes = 0;
    for (auto& e : entries)
      bytes += e.command.size();
    auto count = entries.size();
    append_entries ae{term_, opts_.self, next - 1, log_.term_at(next - 1).value(), std::move(entries),
                      commit_index_};
    ae.round = as_leader()->round;
    out_.emplace_back(send{p, std::move(ae)});
    sent = true;
    if (count == 0)
      pr.sent_probe();
    else
      pr.sent_entries(next - 1 + count, bytes);
    if (pr.state() != progress::mode::replicate)
      break;
  }
  if (sent || !heartbeat_tick)
    return;
  send_heartbeat(p, pr);
}

void node::send_heartbeat(peer_id p, const progress& pr) {
  // Figure 2, Leaders: heartbeats "during idle periods to prevent election timeouts". Its
  // prev_log_index is the last entry sent (next_index - 1; match_index when nothing is in
  // flight), so the heartbeat also asks whether the follower holds everything sent. §5.3:
  // "if network packets are lost, the leader retries AppendEntries RPCs indefinitely". A
  // follower that answers every heartbeat never lets the tick see an interval without a
  // reply, so the answer itself must show a loss: if an AppendEntries was lost, the follower
  // refuses and the leader probes from its hint and sends the entries again; if only the
  // acknowledgement was lost, the success acknowledges them, and the follower may commit up
  // to there (receiver step 5). On a FIFO link the heartbeat follows the entries, so it fails
  // only after a loss; where messages overtake each other a refusal costs a probe, no more.
  // Only an index whose term the leader still knows: for a follower being sent the snapshot
  // (its next entries discarded), where it matches, else the snapshot's own last entry, which
  // a follower that lacks the snapshot refuses.
  auto prev = pr.next_index() - 1;
  if (!log_.term_at(prev))
    prev = pr.match_index();
  if (!log_.term_at(prev))
    prev = log_.snapshot_index();
  append_entries ae{term_, opts_.self, prev, log_.term_at(prev).value(), {}, commit_index_};
  ae.round = as_leader()->round;
  out_.emplace_back(send{p, std::move(ae)});
}

effects node::read(std::uint64_t id, read_mode mode, time_point now) {
  return step(now, [&] {
    auto* l = as_leader();
    if (!l) {
      out_.emplace_back(read_failed{id, leader()});
      return;
    }
    // Lease: a majority acknowledged a round sent within election_min / 2, and no follower's
    // connection is reported down (the crash fast path could elect without the lease).
    bool lease_allowed = opts_.features.pre_vote && opts_.features.check_quorum;
    if (mode == read_mode::lease && lease_allowed && committed_in_term() && l->lease_until &&
        now_ < *l->lease_until && disconnected_.empty()) {
      out_.emplace_back(read_ready{id, commit_index_});
      return;
    }
    // Thesis §6.4 step 1: the leader's commit index is current only once an entry of its own
    // term committed; a new leader commits a no-op entry (an empty command) for that.
    if (!committed_in_term()) {
      if (log_.last_term() != term_) {
        auto index = log_.append(log_entry{term_, {}});
        out_.emplace_back(write_log{std::nullopt, index, {log_.at(index)}});
        for (auto& entry : l->followers)
          replicate_to(entry.first, false);
      }
      l->awaiting_commit.push_back({id, 0, 0});
      return;
    }
    // Step 2: the read index is the commit index now; step 3: a round confirms leadership.
    if (opts_.injected_bugs & bug_read_without_round) {
      out_.emplace_back(read_ready{id, commit_index_});
      return;
    }
    queue_read({id, commit_index_, 0});
  });
}

void node::queue_read(pending_read r) {
  auto* l = as_leader();
  l->awaiting_round.push_back(r);
  // A round already out was sent before this read: it cannot confirm it. If it carries other
  // reads, this one waits for the next round (batching); otherwise a round starts now.
  bool round_with_reads_out = !l->in_round.empty();
  if (!round_with_reads_out)
    start_round();
}

void node::start_round() {
  auto* l = as_leader();
  ++l->round;
  l->round_sent_at[l->round] = now_;
  if (l->round_sent_at.size() > 64) // rounds that never confirm (a cut-off leader): bounded
    l->round_sent_at.erase(l->round_sent_at.begin());
  for (auto& r : l->awaiting_round) {
    r.round = l->round;
    l->in_round.push_back(r);
  }
  l->awaiting_round.clear();
  for (auto& [p, pr] : l->followers)
    send_heartbeat(p, pr);
  confirm_rounds(); // a cluster of one confirms at once
}

void node::confirm_rounds() {
  auto* l = as_leader();
  std::vector<log_index> acked{l->round}; // the leader acknowledges its own rounds
  for (auto& [p, pr] : l->followers)
    acked.push_back(pr.acked_round());
  auto confirmed = quorum_index(std::move(acked));
  if (confirmed <= l->confirmed_round)
    return;
  l->confirmed_round = confirmed;
  // Thesis §6.4.1: the followers that acknowledged the round will not vote for another
  // candidate within election_min of receiving it (the lease on RequestVote); half of that,
  // counted from when the round left, leaves room for clock drift and scheduling.
  if (auto it = l->round_sent_at.find(confirmed); it != l->round_sent_at.end()) {
    auto until = it->second + opts_.timing.election_min / 2;
    if (!l->lease_until || until > *l->lease_until)
      l->lease_until = until;
  }
  l->round_sent_at.erase(l->round_sent_at.begin(), l->round_sent_at.upper_bound(confirmed));
  // Step 4 (the caller's): serve once applied through the read index.
  auto& reads = l->in_round;
  auto ready = std::stable_partition(reads.begin(), reads.end(),
                                     [&](const pending_read& r) { return r.round > confirmed; });
  for (auto it = ready; it != reads.end(); ++it)
    out_.emplace_back(read_ready{it->id, it->index});
  reads.erase(ready, reads.end());
  if (reads.empty() && !l->awaiting_round.empty())
    start_round();
}

void node::fail_reads() {
  auto* l = as_leader();
  if (!l)
    return;
  for (auto* list : {&l->awaiting_commit, &l->awaiting_round, &l->in_round})
    for (auto& r : *list)
      out_.emplace_back(read_failed{r.id, std::nullopt});
}

void node::send_snapshot_chunk(peer_id p, progress& pr) {
  // One chunk in flight at a time (a probe, for the progress tracker).
  if (!pr.may_send_snapshot_chunk())
    return;
  const auto& data = *snapshot_data_;
  auto offset = std::min<std::uint64_t>(pr.snapshot_offset(), data.size());
  auto len = std::min<std::uint64_t>(opts_.limits.snapshot_chunk_bytes, data.size() - offset);
  install_snapshot m{term_, opts_.self, log_.snapshot_index(), log_.snapshot_term(), offset,
                     data.substr(offset, len), offset + len == data.size()};
  out_.emplace_back(send{p, std::move(m)});
  pr.sent_probe();
}

void node::advance_commit() {
  auto* l = as_leader();
  std::vector<log_index> match{durable_index_};
  for (auto& [p, pr] : l->followers)
    match.push_back(pr.match_index());
  auto n = quorum_index(std::move(match));
  // §5.4.2: "Raft never commits log entries from previous terms by counting replicas. Only
  // log entries from the leader's current term are committed by counting replicas"; the
  // earlier ones are committed with them (Log Matching).
  if (n > commit_index_ &&
      (log_.term_at(n) == term_ || (opts_.injected_bugs & bug_commit_previous_term))) {
    commit_index_ = n;
    apply_committed();
  }
  if (committed_in_term() && !l->awaiting_commit.empty()) {
    auto waiting = std::move(l->awaiting_commit);
    l->awaiting_commit.clear();
    for (auto& r : waiting)
      queue_read({r.id, commit_index_, 0});
  }
}

void node::apply_committed() {
  // Figure 2, All Servers: "If commitIndex > lastApplied: increment lastApplied, apply
  // log[lastApplied] to state machine". Only what is durable here: a crash must not take back
  // an entry this peer's service already acted on.
  auto upto = std::min(commit_index_, durable_index_);
  if (upto <= last_applied_)
    return;
  apply a{last_applied_ + 1, {}};
  a.entries.reserve(upto - last_applied_);
  for (auto i = last_applied_ + 1; i <= upto; ++i)
    a.entries.push_back(log_.at(i));
  last_applied_ = upto;
  out_.emplace_back(std::move(a));
}

void node::on(const pre_vote& m) {
  // Thesis §9.6: grant iff the asker's proposed term is above ours, its log is at least as
  // up to date (§5.4.1), and we have not heard from a live leader within election_min
  // (unless the asker is that leader: asking, it shows it has stepped down).
  // Nothing durable changes here: no term, no vote.
  auto* f = as_follower();
  bool yields = fast_path_.yields_to_self(
    f && f->pre_votes, m.term, term_ + 1, m.candidate_id, opts_.self,
    m.last_log_term == log_.last_term() && m.last_log_index == log_.last_index());
  bool grant = m.term > term_ && log_.is_up_to_date(m.last_log_index, m.last_log_term) &&
               !lease_holds_against(m.candidate_id) && !yields;
  out_.emplace_back(
    send{m.candidate_id, pre_vote_reply{grant ? m.term : term_, grant, opts_.self}});
  // Crash fast path: having backed an asker, step aside for this round (drop our own
  // pre-vote round, restart our short timer without using up a round) so that its
  // RequestVote finds us still unvoted instead of racing it. The window keeps growing with
  // our own rounds only, so an asker that cannot win delays us by at most one short timer.
  // A candidate of a split vote steps aside too: its own retry would ask for pre-votes
  // for the same term and split the next election.
  if (grant && fast_path_.on_short_timer()) {
    if (f)
      f->pre_votes.reset();
    arm_short_timer(fast_path_.repeat_round(opts_.timing.heartbeat));
  }
}

void node::on(const pre_vote_reply& m) {
  // Count grants for the term this round asks about; a refusal from a voter in a higher
  // term has already made us its follower (receive()).
  auto* f = as_follower();
  if (!f || !f->pre_votes)
    return;
  f->pre_votes->answered(m.voter_id);
  if (!m.vote_granted || m.term != term_ + 1)
    return;
  f->pre_votes->record(m.voter_id, true);
  if (f->pre_votes->won())
    become_candidate(); // §5.2 from here on: a real election in term + 1
}

void node::become_follower(term_t term, std::optional<peer_id> leader) {
  if (term < term_)
    throw invariant_violation(str("become_follower with an older term", opts_.self, term));
  bool was_leader = is_leader();
  fail_reads(); // a leader's pending reads cannot be confirmed any more
  ++heartbeat_generation_; // stops a leader's heartbeats and a candidate's retries
  if (term > term_) {
    term_ = term;
    vote_.reset(); // a new term: no vote given in it yet
  }
  // A new follower_role: no votes, no pre-vote round, no progress survive. The lease counts
  // from a message of this leader in this term.
  follower_role f;
  f.leader = leader;
  role_ = std::move(f);
  if (leader)
    fast_path_.cancel();
  if (was_leader)
    reset_election_timer(); // a leader had no election timer running
}

void node::become_candidate() {
  if (is_leader())
    throw invariant_violation(str("a leader cannot become candidate", opts_.self, term_));
  if (!may_stand())
    throw invariant_violation(str("a candidate would reach the term ceiling", opts_.self,
                                  term_));
  // Figure 2, Candidates (§5.2): "On conversion to candidate, start election: increment
  // currentTerm, vote for self, reset election timer, send RequestVote RPCs to all other
  // servers".
  ++term_;
  vote_ = opts_.self;
  role_ = candidate_role{vote_tracker(opts_.self, opts_.members.size())};
  // After a crash both followers may stand at once; on the fast path a split vote is
  // retried on the short timer too (still randomized, so one of them goes first).
  arm_round_timer();
  auto& votes = std::get<candidate_role>(role_).votes;
  if (votes.won()) { // a cluster of one elects itself
    become_leader();
    return;
  }
  ask_unanswered(votes, request_vote{term_, opts_.self, log_.last_index(), log_.last_term()});
  arm_retry_timer();
}

void node::become_leader() {
  auto* c = as_candidate();
  if (!c || !c->votes.won())
    throw invariant_violation(str("become_leader without a majority", opts_.self, term_));
  leader_role l;
  l.voters = c->votes.granted();
  // Figure 2, Leaders: nextIndex initialized to leader last log index + 1, matchIndex to 0.
  // Check-quorum counts from here: every peer starts as just heard from.
  for (auto p : opts_.members)
    if (p != opts_.self)
      l.followers.emplace(p, progress(log_.last_index() + 1, now_));
  role_ = std::move(l);
  ++election_generation_; // a leader has no election timer
  // Figure 2, Leaders: "Upon election: send initial empty AppendEntries RPCs (heartbeat) to
  // each server" — at once, so the others stop their elections.
  send_heartbeats();
  out_.emplace_back(arm_heartbeat_timer{opts_.timing.heartbeat, ++heartbeat_generation_});
}

void node::arm_round_timer() {
  if (auto w = fast_path_.take_round(opts_.timing.heartbeat))
    arm_short_timer(*w);
  else
    reset_election_timer();
}

void node::reset_election_timer() {
  // §5.2: election timeouts are chosen randomly from a fixed interval so that split votes
  // are rare; uniform over [election_min, election_max].
  arm_election_timer_within(opts_.timing.election_min, opts_.timing.election_max);
  fast_path_.armed(false);
}

void node::arm_short_timer(crash_fast_path::window w) {
  // A short random delay, so the followers of a crashed leader do not all ask at once.
  arm_election_timer_within(w.lo, w.hi);
  fast_path_.armed(true);
}

void node::arm_election_timer_within(duration lo_d, duration hi_d) {
  auto lo = lo_d.count();
  auto hi = hi_d.count();
  auto span = static_cast<std::uint64_t>(hi - lo) + 1;
  auto after = duration(lo + static_cast<duration::rep>(rng_() % span));
  out_.emplace_back(arm_election_timer{after, ++election_generation_});
}

void node::send_heartbeats() {
  auto* l = as_leader();
  // Every heartbeat interval is a round too: it keeps the lease of lease reads fresh.
  ++l->round;
  l->round_sent_at[l->round] = now_;
  if (l->round_sent_at.size() > 64)
    l->round_sent_at.erase(l->round_sent_at.begin());
  for (auto& [p, pr] : l->followers) {
    pr.tick();
    replicate_to(p, true);
  }
  confirm_rounds();
}

bool node::is_member(peer_id p) const {
  return std::find(opts_.members.begin(), opts_.members.end(), p) != opts_.members.end();
}

void node::check_invariants() const {
  auto fail = [&](const std::string& what) {
    throw invariant_violation(str(what.c_str(), opts_.self, term_));
  };
  if (term_ < checked_term_)
    fail("current_term decreased");
  if (term_ >= max_term)
    fail("current_term at or above the term ceiling");
  if (term_ == checked_term_ && checked_vote_ && vote_ != checked_vote_)
    fail("voted_for changed within a term");
  checked_term_ = term_;
  checked_vote_ = vote_;
  if (auto* c = std::get_if<candidate_role>(&role_)) {
    if (vote_ != opts_.self || !c->votes.granted().count(opts_.self))
      fail("a candidate did not vote for itself");
  } else if (auto* l = as_leader()) {
    if (vote_ != opts_.self)
      fail("a leader did not vote for itself");
    if (l->voters.size() < quorum())
      fail("a leader without votes from a majority");
    for (auto& [p, pr] : l->followers) {
      if (!is_member(p) || p == opts_.self)
        fail("progress kept for a peer that is not another member");
      try {
        pr.check(opts_.limits);
      } catch (const std::logic_error& e) {
        fail(std::string("follower ") + std::to_string(p) + ": " + e.what());
      }
    }
  }
  for (auto v : votes_received())
    if (!is_member(v))
      fail("a vote from a non-member");
  if (auto* f = as_follower(); f && f->pre_votes)
    for (auto v : f->pre_votes->granted())
      if (!is_member(v))
        fail("a pre-vote from a non-member");
  if (commit_index_ > log_.last_index())
    fail("commit index beyond the log");
  if (commit_index_ < checked_commit_)
    fail("the commit index decreased");
  checked_commit_ = commit_index_;
  if (last_applied_ > commit_index_)
    fail("an entry applied before it was committed");
  if (last_applied_ < log_.snapshot_index())
    fail("entries discarded into a snapshot before they were applied");
  if (durable_index_ > log_.last_index())
    fail("durable index beyond the log");
  if (log_.last_term() > term_)
    fail("a log entry of a term above current_term");
  try {
    log_.check();
  } catch (const std::logic_error& e) {
    fail(e.what());
  }
}

} // namespace raft

#include "sim/simulator.hpp"

#include <map>
#include <sstream>
#include <utility>
#include <vector>

#include "core/overloaded.hpp"
#include "sim/invariants.hpp"
#include "sim/log_checker.hpp"
#include "sim/network.hpp"
#include "storage/memory_log_store.hpp"
#include "sim/random.hpp"
#include "sim/trace.hpp"

namespace raft::sim {

namespace {

constexpr vtime leader_deadline = seconds(5); ///< heal → leader in office
constexpr vtime leader_tenure = seconds(10);  ///< election → no further election
/// Two-way contact: each heard the other within a heartbeat interval (the cores run with
/// timing{}: 100 ms) plus the longest delay of the healed network (sim/README.md,
/// "disruptive depositions").
constexpr vtime contact_window = ms(120);

std::string at_ms(vtime t) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(3);
  os << static_cast<double>(t) / 1000.0 << " ms";
  return os.str();
}

/// One peer as the simulator sees it: the core while it is up, and its storage, which
/// survives crashes (Figure 2: currentTerm, votedFor and log[] are persistent state) as far
/// as it was synced: a memory_persister, the model of a disk whose unsynced writes a crash
/// loses (storage/memory_log_store.hpp).
struct peer_slot {
  std::optional<node> core;       ///< empty while crashed
  std::shared_ptr<memory_persister> disk = std::make_shared<memory_persister>();
  std::shared_ptr<log_store> store; ///< this incarnation's view of `disk`
  bool sync_pending = false;        ///< a sync event is scheduled (group commit)
  sim_service service;              ///< what the peer's service applied
  /// A snapshot the service prepared (index, bytes), taken at the next snapshot event.
  std::optional<std::pair<log_index, std::string>> pending_snapshot;
  std::uint32_t incarnation = 0;  ///< bumped at every crash: voids timers and messages
  std::uint64_t election_gen = 0; ///< generation of the last armed election timer
  std::uint64_t heartbeat_gen = 0;
  vtime frozen_until = 0;         ///< scripted freeze: events before this wait until then
  vtime healthy_since = -1;       ///< as a leader, holding a majority since (-1: not now)
  term_t asking_for = 0;          ///< the term it last asked pre-votes for
  vtime asking_since = -1;        ///< when it first asked for that term (in its current term)
  term_t stood_against = 0;       ///< its term as leader when a peer stood against it healthy
};

class simulation {
public:
  simulation(std::uint64_t seed, const run_options& opts)
    : opts_(opts), rng_(seed) {
    result_.seed = seed;
    result_.scn = scenario::draw(rng_, opts.peers);
    if (opts.script) {
      // A scripted run: a clean network and no random faults; the script's actions only.
      auto& s = result_.scn;
      s.drop_rate = s.duplicate_rate = s.long_delay_rate = 0;
      s.partitions = s.one_way = s.crashes = false;
      s.fault_phase = opts.script->heal_at;
    }
    if (opts.logs && !opts.script)
      result_.scn.draw_log_faults(seed);
    n_ = result_.scn.peers;
    members_.reserve(n_);
    for (std::size_t i = 0; i < n_; ++i)
      members_.push_back(static_cast<peer_id>(i + 1));
    peers_.resize(n_);
    net_.reset(n_, {result_.scn.drop_rate, result_.scn.duplicate_rate,
                    result_.scn.long_delay_rate});
    checker_.reset(n_);
    logs_.reset(n_);
    trace_.clear();
    heard_at_.assign(n_ * n_, -1);
    heard_term_.assign(n_ * n_, 0);
    leader_heard_at_.assign(n_ * n_, -1);
    leader_heard_term_.assign(n_ * n_, 0);
    if (opts.preloaded_logs) {
      // Drawn from its own generator: the scenario and every later draw stay as without it.
      auto h = history::draw(seed, n_);
      for (std::size_t i = 0; i < n_; ++i) {
        auto disk = h.disk_of(i);
        auto store = peers_[i].disk->open();
        store->load();
        store->save_hard_state(disk.current_term, disk.voted_for);
        store->append(1, disk.log);
        store->sync();
      }
      logs_.set_committed({h.log.begin(), h.log.begin() + static_cast<std::ptrdiff_t>(h.committed)},
                          h.term);
      result_.start_history = std::move(h);
    }
  }

  run_result run() {
    const auto& scn = result_.scn;
    if (opts_.trace_out)
      *opts_.trace_out << "seed " << result_.seed << ": " << scn.describe() << '\n';
    if (opts_.trace_out && result_.start_history)
      *opts_.trace_out << "history: " << result_.start_history->describe() << '\n';
    for (std::size_t i = 0; i < n_ && !failed_; ++i)
      boot(i, false);
    if (scn.partitions || scn.one_way || scn.crashes || scn.leader_churn)
      queue_.push(between(rng_, scn.fault_gap_min, scn.fault_gap_max), event_kind::fault, 0, 0,
                  0);
    queue_.push(scn.fault_phase, event_kind::heal, 0, 0, 0);
    if (opts_.script)
      for (std::size_t k = 0; k < opts_.script->actions.size(); ++k)
        queue_.push(opts_.script->actions[k].at, event_kind::scripted, 0, 0, k);
    if (opts_.logs)
      queue_.push(between(rng_, ms(50), ms(300)), event_kind::propose, 0, 0, 1);

    while (!failed_ && !done_ && !queue_.empty()) {
      auto e = queue_.pop();
      now_ = e.at;
      if (healed_ && !before_deadline_checked(e.at))
        break;
      if (healed_ && leader_ >= 0 && now_ >= leader_since_ + leader_tenure) {
        // The leader in office at the deadline kept its term for its whole tenure.
        result_.leader_after_heal = leader_since_ - heal_at_;
        done_ = true;
        if (opts_.trace_out)
          *opts_.trace_out << "liveness: p" << leader_ + 1 << " leader of term " << leader_term_
                           << " from " << at_ms(leader_since_) << " (" +
                                at_ms(leader_since_ - heal_at_) + " after the heal) for 10 s\n";
        break;
      }
      ++result_.events;
      dispatch(e);
    }
    if (!failed_ && !done_)
      violation("the run ended before the liveness check completed");
    if (!failed_ && opts_.logs) {
      // Every proposal acknowledged as committed (its leader applied it) at least 2 s before
      // the end, with a stable leader for the last 10 s, is applied everywhere.
      std::vector<sim_service> services;
      for (auto& p : peers_)
        services.push_back(p.service);
      if (!logs_.acknowledged_applied_everywhere(services, now_ - seconds(2)))
        violation(logs_.what());
    }
    result_.committed_entries = logs_.committed_entries();

    result_.end = now_;
    result_.trace_hash = trace_.hash();
    for (auto& p : peers_)
      if (p.core && p.core->current_term() > result_.max_term)
        result_.max_term = p.core->current_term();
    for (auto l : checker_.leaders_by_term())
      result_.leaders += l != 0 ? 1 : 0;
    return std::move(result_);
  }

private:
  // ---- events -------------------------------------------------------------------------

  void dispatch(const event& e) {
    if (e.kind != event_kind::fault && e.kind != event_kind::heal &&
        e.kind != event_kind::scripted && e.kind != event_kind::propose &&
        peers_[e.peer].frozen_until > e.at) {
      // A frozen peer handles nothing; the event waits for the thaw (same order: the queue
      // breaks ties by insertion).
      queue_.push(peers_[e.peer].frozen_until, e.kind, e.peer, e.incarnation, e.arg);
      return;
    }
    switch (e.kind) {
      case event_kind::deliver: deliver(e); break;
      case event_kind::election_timer: timer(e, true); break;
      case event_kind::heartbeat_timer: timer(e, false); break;
      case event_kind::fault: fault(); break;
      case event_kind::heal: heal(); break;
      case event_kind::link_down: connection(e, false); break;
      case event_kind::link_up: connection(e, true); break;
      case event_kind::scripted: scripted(opts_.script->actions[e.arg]); break;
      case event_kind::propose: propose(e.arg); break;
      case event_kind::sync: sync(e); break;
      case event_kind::snapshot: take_snapshot(e); break;
    }
  }

  /// A client proposes command `c<seq>` to the peer it believes leads (the leader of the
  /// highest term, most of the time; sometimes any running peer), then the next one.
  void propose(std::uint64_t seq) {
    queue_.push(now_ + between(rng_, ms(20), ms(120)), event_kind::propose, 0, 0, seq + 1);
    auto target = current_leader();
    if (target >= n_ || chance(rng_, 0.1))
      target = pick_peer(true);
    if (target >= n_)
      return;
    auto& p = peers_[target];
    if (chance(rng_, 0.3)) {
      // A read: it must be served at an index no lower than anything committed anywhere
      // when it began (linearizability of ReadIndex and lease reads).
      auto mode = opts_.features.check_quorum && chance(rng_, 0.5) ? node::read_mode::lease
                                                                    : node::read_mode::linearizable;
      reads_[seq] = pending_sim_read{target, p.incarnation, logs_.highest_committed(), now_};
      trace_record rec;
      rec.kind = trace_kind::propose;
      rec.other = static_cast<std::uint32_t>(seq);
      step(target, rec, false, [&] { return p.core->read(seq, mode, time_point(now_)); });
      return;
    }
    auto command = "c" + std::to_string(seq);
    node::proposal result;
    trace_record rec;
    rec.kind = trace_kind::propose;
    rec.other = static_cast<std::uint32_t>(seq);
    step(target, rec, false, [&] {
      auto fx = p.core->propose(command, time_point(now_), result);
      rec.granted = result.is_leader;
      return fx;
    });
    if (failed_ || !result.is_leader)
      return;
    ++result_.proposals_accepted;
    logs_.accepted(target, p.incarnation, result.index, command);
  }

  /// The peer's store made everything written so far durable (one sync for all of it).
  void sync(const event& e) {
    auto& p = peers_[e.peer];
    if (!p.core || p.incarnation != e.incarnation)
      return;
    p.sync_pending = false;
    p.store->sync();
    trace_record rec;
    rec.kind = trace_kind::sync;
    step(e.peer, rec, false, [&] { return p.core->log_synced(time_point(now_)); });
  }

  /// The peer's service hands the snapshot it prepared to its core (the course's Snapshot,
  /// called from the applier).
  void take_snapshot(const event& e) {
    auto& p = peers_[e.peer];
    if (!p.core || p.incarnation != e.incarnation || !p.pending_snapshot)
      return;
    auto [index, data] = std::move(*p.pending_snapshot);
    p.pending_snapshot.reset();
    ++result_.snapshots_taken;
    trace_record rec;
    rec.kind = trace_kind::snapshot;
    rec.msg_term = index;
    step(e.peer, rec, false, [&] { return p.core->snapshot(index, data, time_point(now_)); });
  }

  void deliver(const event& e) {
    auto& p = peers_[e.peer];
    const auto& flight = net_.at(e.arg);
    // Messages addressed to an older incarnation died with it.
    if (!p.core || p.incarnation != e.incarnation) {
      net_.release(e.arg);
      return;
    }
    trace_record rec;
    rec.kind = trace_kind::deliver;
    rec.other = flight.from + 1;
    rec.msg_kind = static_cast<std::uint8_t>(flight.msg.index());
    rec.msg_term = term_of(flight.msg);
    if (auto* r = std::get_if<request_vote_reply>(&flight.msg))
      rec.granted = r->vote_granted;
    if (auto* r = std::get_if<pre_vote_reply>(&flight.msg))
      rec.granted = r->vote_granted;
    if (auto* r = std::get_if<append_entries_reply>(&flight.msg))
      rec.granted = r->success;
    if (!net_.link_up(flight.from, e.peer)) {
      rec.kind = trace_kind::lost_in_flight;
      fill_and_record(rec, e.peer);
      net_.release(e.arg);
      return;
    }
    // For "two-way contact": messages that state their sender's own term (a pre-vote and a
    // granted pre-vote reply carry a proposed term), and heartbeats apart.
    auto* pv_reply = std::get_if<pre_vote_reply>(&flight.msg);
    if (!std::holds_alternative<pre_vote>(flight.msg) && !(pv_reply && pv_reply->vote_granted)) {
      heard_at_[e.peer * n_ + flight.from] = now_;
      heard_term_[e.peer * n_ + flight.from] = term_of(flight.msg);
    }
    if (std::holds_alternative<append_entries>(flight.msg)) {
      leader_heard_at_[e.peer * n_ + flight.from] = now_;
      leader_heard_term_[e.peer * n_ + flight.from] = term_of(flight.msg);
    }
    // `flight` is only read during receive(); effects may grow the pool afterwards.
    step(e.peer, rec, false, [&] { return p.core->receive(flight.msg, time_point(now_)); });
    net_.release(e.arg);
  }

  void timer(const event& e, bool election) {
    auto& p = peers_[e.peer];
    if (!p.core || p.incarnation != e.incarnation)
      return; // armed by an incarnation that crashed
    trace_record rec;
    rec.kind = election ? trace_kind::election_timer : trace_kind::heartbeat_timer;
    // The core decides staleness by generation; superseded timers (and an election timer
    // reaching a leader, a heartbeat timer reaching a non-leader) are left out of the trace
    // unless they (wrongly) changed something.
    bool current = election ? e.arg == p.election_gen && !p.core->is_leader()
                            : e.arg == p.heartbeat_gen && p.core->is_leader();
    if (election && current && p.core->on_fast_path())
      ++result_.fast_path_timers;
    if (election)
      step(e.peer, rec, !current,
           [&] { return p.core->election_timer_fired(e.arg, time_point(now_)); });
    else
      step(e.peer, rec, !current,
           [&] { return p.core->heartbeat_timer_fired(e.arg, time_point(now_)); });
  }

  /// The transport's report that the connection to another peer dropped or returned.
  void connection(const event& e, bool up) {
    auto& p = peers_[e.peer];
    if (!p.core || p.incarnation != e.incarnation)
      return;
    trace_record rec;
    rec.kind = up ? trace_kind::link_up : trace_kind::link_down;
    rec.other = static_cast<std::uint32_t>(e.arg + 1);
    auto other = members_[e.arg];
    step(e.peer, rec, false, [&] {
      return up ? p.core->connection_restored(other, time_point(now_))
                : p.core->connection_lost(other, time_point(now_));
    });
  }

  /// With the crash fast path, tells every live peer, 1–5 ms later, that peer `idx`'s
  /// connection dropped (`up` false) or is back.
  void report_connection(std::size_t idx, bool up) {
    if (!opts_.features.pre_vote)
      return;
    for (std::size_t j = 0; j < n_; ++j)
      if (j != idx && peers_[j].core)
        queue_.push(now_ + between(rng_, ms(1), ms(5)),
                    up ? event_kind::link_up : event_kind::link_down,
                    static_cast<std::uint32_t>(j), peers_[j].incarnation, idx);
  }

  /// One random fault action of the fault phase, then the next one is scheduled.
  void fault() {
    const auto& scn = result_.scn;
    if (scn.leader_churn) {
      churn();
      auto next = now_ + between(rng_, ms(10), ms(100));
      if (next < scn.fault_phase)
        queue_.push(next, event_kind::fault, 0, 0, 0);
      return;
    }
    enum action { partition, heal_links, cut, restore, crash, restart, crash_leader, power_cut };
    action choices[16];
    std::size_t count = 0;
    auto add = [&](action a, int weight) {
      for (int i = 0; i < weight; ++i)
        choices[count++] = a;
    };
    if (scn.partitions) {
      add(partition, 2);
      add(heal_links, 1);
    }
    if (scn.one_way) {
      add(cut, 2);
      add(restore, 1);
    }
    if (scn.crashes) {
      add(crash, 2);
      add(restart, 2);
      // With client proposals, leaders also crash on their own: a leader crashing right
      // after it appended or half-replicated entries is what Figure 8 is made of.
      if (opts_.logs)
        add(crash_leader, 2);
      if (scn.power_cuts)
        add(power_cut, 1);
    }
    trace_record rec;
    auto choice = choices[below(rng_, count)];
    switch (choice) {
      case partition: {
        std::size_t groups = n_ >= 5 && chance(rng_, 0.3) ? 3 : 2;
        std::vector<std::uint8_t> group_of(n_);
        std::uint32_t code = 0;
        bool split = false;
        for (std::size_t i = 0; i < n_; ++i) {
          group_of[i] = static_cast<std::uint8_t>(below(rng_, groups));
          split = split || group_of[i] != group_of[0];
        }
        if (!split) // everyone in one group is no partition: move one peer out
          group_of[below(rng_, n_)] = static_cast<std::uint8_t>((group_of[0] + 1) % groups);
        for (std::size_t i = 0; i < n_; ++i)
          code |= static_cast<std::uint32_t>(group_of[i]) << (2 * i);
        net_.partition(group_of);
        rec.kind = trace_kind::partition;
        rec.other = code;
        rec.msg_term = n_;
        record(rec);
        break;
      }
      case heal_links:
        net_.heal_links();
        rec.kind = trace_kind::heal_links;
        record(rec);
        break;
      case cut:
      case restore: {
        // Link a → b: when down, b no longer hears a, while a still hears b.
        auto a = below(rng_, n_);
        auto b = (a + 1 + below(rng_, n_ - 1)) % n_;
        bool up = choice == restore;
        net_.set_link(a, b, up);
        rec.kind = up ? trace_kind::restore : trace_kind::cut;
        rec.peer = static_cast<std::uint32_t>(b + 1);
        rec.other = static_cast<std::uint32_t>(a + 1);
        record(rec);
        break;
      }
      case crash: {
        auto i = pick_peer(true);
        if (i < n_)
          crash_peer(i);
        break;
      }
      case restart: {
        auto i = pick_peer(false);
        if (i < n_)
          boot(i, true);
        break;
      }
      case crash_leader: {
        auto i = current_leader();
        if (i < n_)
          crash_peer(i);
        break;
      }
      case power_cut:
        for (std::size_t i = 0; i < n_ && !failed_; ++i)
          if (peers_[i].core)
            crash_peer(i);
        break;
    }
    auto next = now_ + between(rng_, scn.fault_gap_min, scn.fault_gap_max);
    if (next < scn.fault_phase)
      queue_.push(next, event_kind::fault, 0, 0, 0);
  }

  /// The course's Figure 8 step: crash the leader, if any; when fewer than a majority run,
  /// restart one crashed peer picked at random (if the pick is running, nothing).
  void churn() {
    auto leader = current_leader();
    if (leader < n_)
      crash_peer(leader);
    std::size_t up = 0;
    for (auto& p : peers_)
      up += p.core ? 1 : 0;
    if (up < n_ / 2 + 1) {
      auto s = below(rng_, n_);
      if (!peers_[s].core && !failed_)
        boot(s, true);
    }
  }

  /// Peer `i` crashes: its core, timers and incoming messages are gone; its disk stays.
  void crash_peer(std::size_t i) {
    auto& p = peers_[i];
    trace_record rec;
    rec.kind = trace_kind::crash;
    fill_and_record(rec, i);
    p.core.reset();
    p.disk->crash(); // a power cut: what was written but not synced is lost
    p.store.reset();
    p.sync_pending = false;
    p.pending_snapshot.reset();
    p.frozen_until = 0;
    ++p.incarnation;
    // Contact (see holds_majority) is between incarnations: the next one has heard nothing.
    for (std::size_t j = 0; j < n_; ++j)
      for (auto k : {i * n_ + j, j * n_ + i}) {
        heard_at_[k] = leader_heard_at_[k] = -1;
        heard_term_[k] = leader_heard_term_[k] = 0;
      }
    p.healthy_since = p.asking_since = -1;
    p.asking_for = p.stood_against = 0;
    ++result_.crashes;
    report_connection(i, false);
  }

  /// One action of the run's script (sim/script.hpp).
  void scripted(const script_action& a) {
    if (a.target == script_target::candidate) {
      awaiting_candidate_.push_back(&a); // acts in the step that makes a peer candidate
      return;
    }
    auto leader = current_leader();
    std::size_t target = n_;
    if (leader < n_) {
      if (a.target == script_target::leader)
        target = leader;
      else
        target = leader == 0 ? 1 : 0;
    }
    act(a, target);
  }

  /// Carries out scripted action `a` on peer `target` (n_: none, skipped).
  void act(const script_action& a, std::size_t target) {
    auto leader = current_leader();
    result_.script_targets.push_back(target < n_ ? members_[target] : 0);
    if (target >= n_)
      return;
    trace_record rec;
    switch (a.kind) {
      case script_kind::isolate: {
        std::vector<std::uint8_t> group_of(n_, 0);
        group_of[target] = 1;
        net_.partition(group_of);
        rec.kind = trace_kind::partition;
        rec.other = 1u << (2 * target);
        rec.msg_term = n_;
        record(rec);
        break;
      }
      case script_kind::cut_leader_link:
        if (leader >= n_ || leader == target)
          break;
        for (auto [from, to] : {std::pair{leader, target}, std::pair{target, leader}}) {
          net_.set_link(from, to, false);
          rec.kind = trace_kind::cut;
          rec.peer = static_cast<std::uint32_t>(to + 1);
          rec.other = static_cast<std::uint32_t>(from + 1);
          record(rec);
          // The transport at `to` sees its connection to `from` drop.
          if (opts_.features.pre_vote)
            queue_.push(now_ + between(rng_, ms(1), ms(5)), event_kind::link_down,
                        static_cast<std::uint32_t>(to), peers_[to].incarnation, from);
          cut_links_.emplace_back(from, to);
        }
        break;
      case script_kind::crash:
        crash_peer(target);
        break;
      case script_kind::freeze:
        peers_[target].frozen_until = now_ + a.duration;
        rec.kind = trace_kind::freeze;
        rec.other = static_cast<std::uint32_t>(a.duration / 1000);
        fill_and_record(rec, target);
        break;
    }
  }

  /// The leader of the highest term among running peers; n_ when there is none.
  std::size_t current_leader() const {
    std::size_t best = n_;
    for (std::size_t i = 0; i < n_; ++i) {
      auto& c = peers_[i].core;
      if (c && c->is_leader() && (best == n_ || c->current_term() > peers_[best].core->current_term()))
        best = i;
    }
    return best;
  }

  /// A random peer that is up (`up`) or down; n_ when there is none.
  std::size_t pick_peer(bool up) {
    std::size_t candidates[32];
    std::size_t count = 0;
    for (std::size_t i = 0; i < n_; ++i)
      if (peers_[i].core.has_value() == up)
        candidates[count++] = i;
    return count == 0 ? n_ : candidates[below(rng_, count)];
  }

  /// End of the fault phase: every link up, a reliable network, every peer running.
  void heal() {
    for (std::size_t k = 0; k < awaiting_candidate_.size(); ++k)
      result_.script_targets.push_back(0); // no peer became a candidate in time
    awaiting_candidate_.clear();
    healed_ = true;
    heal_at_ = now_;
    result_.heal_at = now_;
    // The leader, if any, that holds a majority as the fault phase ends, before any link
    // is repaired or any crashed peer restarted (at most one can: two majorities share a
    // follower, and a follower runs in one term).
    update_health();
    std::optional<std::size_t> healthy;
    for (std::size_t i = 0; i < n_ && !healthy; ++i)
      if (peers_[i].healthy_since >= 0)
        healthy = i;
    if (opts_.never_heal) {
      std::vector<std::uint8_t> alone(n_);
      for (std::size_t i = 0; i < n_; ++i)
        alone[i] = static_cast<std::uint8_t>(i);
      net_.partition(alone);
    } else {
      net_.heal_links();
      // Scripted link cuts were reported to their ends; so is their repair.
      for (auto [from, to] : cut_links_)
        if (opts_.features.pre_vote && peers_[to].core)
          queue_.push(now_ + between(rng_, ms(1), ms(5)), event_kind::link_up,
                      static_cast<std::uint32_t>(to), peers_[to].incarnation, from);
      cut_links_.clear();
    }
    net_.set_conditions({});
    trace_record rec;
    rec.kind = trace_kind::heal;
    record(rec);
    for (std::size_t i = 0; i < n_ && !failed_; ++i)
      if (!peers_[i].core)
        boot(i, true);
    if (!failed_)
      check_liveness();
    // The leader that held a majority at the heal but is not in office right after it: a
    // peer of the other side (or a restarted one) was already in a higher term.
    if (!failed_ && healthy && leader_ != static_cast<int>(*healthy))
      lost_office(*healthy, peers_[*healthy].core->current_term());
  }

  // ---- peers --------------------------------------------------------------------------

  /// Starts peer `idx` (first boot or restart) from what it persisted: its term, vote, log and
  /// snapshot as far as they were synced, nothing more (Figure 2), with a fresh seed derived
  /// from the run seed. Its service starts from the snapshot.
  void boot(std::size_t idx, bool restart) {
    auto& p = peers_[idx];
    p.store = p.disk->open();
    persistent_state restored = to_persistent_state(p.store->load());
    node::options o;
    o.self = members_[idx];
    o.members = members_;
    o.seed = derive_seed(result_.seed, idx, p.incarnation);
    o.check_invariants = opts_.core_checks;
    o.injected_bugs = opts_.core_bugs;
    o.features = opts_.features;
    if (restart && opts_.forget_vote_on_restart)
      restored.voted_for.reset(); // an injected storage bug
    if (restart && opts_.forget_log_on_restart && !restored.log.empty()) {
      // An injected storage bug: the log after the snapshot is lost at the restart.
      p.store->truncate_suffix(restored.snapshot_index + 1);
      p.store->sync();
      restored.log.clear();
    }
    p.service = sim_service{};
    if (restored.snapshot &&
        !logs_.on_apply_snapshot(idx, p.service, apply_snapshot{restored.snapshot_index,
                                                                restored.snapshot_term,
                                                                restored.snapshot})) {
      violation(logs_.what());
      return;
    }
    p.core.emplace(std::move(o), std::move(restored));
    logs_.restarted(idx, p.core->log().snapshot_index());
    if (!logs_.on_loaded(idx, p.core->log())) {
      violation(logs_.what());
      return;
    }
    trace_record rec;
    rec.kind = restart ? trace_kind::restart : trace_kind::start;
    step(idx, rec, false, [&] { return p.core->start(time_point(now_)); });
    if (restart)
      report_connection(idx, true);
  }

  /// Runs one step of a core, records it, carries out its effects in order, then checks
  /// the invariants. The core's own invariant_violation is reported as a violation.
  template <class F>
  void step(std::size_t idx, trace_record& rec, bool quiet_if_unchanged, F&& body) {
    auto& n = *peers_[idx].core;
    auto term_before = n.current_term();
    auto role_before = n.role();
    bool fast_before = n.on_fast_path();
    bool pre_voting_before = n.pre_voting();
    effects fx;
    try {
      fx = body();
    } catch (const invariant_violation& e) {
      fill_and_record(rec, idx);
      violation(std::string("core invariant: ") + e.what());
      return;
    }
    if (!quiet_if_unchanged || n.current_term() != term_before || n.role() != role_before)
      fill_and_record(rec, idx);
    if (n.current_term() != term_before || n.role() != role_before || rec.kind == trace_kind::start ||
        rec.kind == trace_kind::restart)
      result_.role_changes.push_back({now_, n.self(), n.current_term(), n.role()});
    if (role_before != raft::role::leader && n.is_leader() && fast_before)
      ++result_.fast_path_leaders;
    // Pre-vote replies carry no round: a grant for an earlier round of the same term counts
    // in a later one, so the peer's decision dates from its first request for that term.
    auto& slot = peers_[idx];
    if (n.pre_voting() && slot.asking_for != n.current_term() + 1) {
      slot.asking_for = n.current_term() + 1;
      slot.asking_since = now_;
    }
    if (n.role() == raft::role::candidate &&
        (role_before != raft::role::candidate || n.current_term() != term_before))
      stood(idx, pre_voting_before && slot.asking_for == n.current_term() ? slot.asking_since
                                                                           : now_);
    try {
      apply(idx, fx);
    } catch (const std::exception& e) {
      // The store refused what the core asked of it (a broken precondition): a core bug.
      violation(std::string("store: ") + e.what());
    }
    if (failed_)
      return;
    if (!checker_.after_step(idx, n)) {
      violation(checker_.what());
      return;
    }
    if (!logs_.after_step(idx, n, role_before != raft::role::leader && n.is_leader())) {
      violation(logs_.what());
      return;
    }
    update_health();
    if (!awaiting_candidate_.empty() && !healed_ && role_before != raft::role::candidate &&
        n.role() == raft::role::candidate) {
      auto waiting = std::move(awaiting_candidate_);
      awaiting_candidate_.clear();
      for (auto* a : waiting)
        act(*a, idx);
    }
    if (healed_)
      check_liveness();
  }

  /// Carries out a step's effects in the order given (persist first, so the vote is
  /// durable before any reply that depends on it leaves the peer), with one exhaustive visit:
  /// an effect the simulator does not model does not compile.
  void apply(std::size_t idx, effects& fx) {
    auto& p = peers_[idx];
    for (auto& e : fx) {
      if (failed_)
        return;
      std::visit(
        overloaded{
          [&](send& s) {
            if (p.core->is_leader() && p.core->current_term() < highest_term())
              ++result_.stale_leader_sends;
            transmit(idx, s);
          },
          [&](persist& w) {
            p.store->save_hard_state(w.current_term, w.voted_for);
            if (!checker_.on_persist(idx, w.current_term, w.voted_for))
              violation(checker_.what());
          },
          [&](write_log& w) {
            if (w.truncate_from)
              p.store->truncate_suffix(*w.truncate_from);
            if (!w.entries.empty())
              p.store->append(w.first, w.entries);
            if (!logs_.on_written(idx, p.core->log(), w.first, w.entries)) {
              violation(logs_.what());
              return;
            }
            if (!p.sync_pending) {
              // Group commit: one sync, a little later, covers every write until then.
              p.sync_pending = true;
              auto delay = result_.scn.slow_disk ? between(rng_, ms(5), ms(50))
                                                 : between(rng_, 500, ms(8));
              queue_.push(now_ + delay, event_kind::sync,
                          static_cast<std::uint32_t>(idx), p.incarnation, 0);
            }
          },
          [&](save_snapshot& s) { p.store->save_snapshot(s.index, s.term, *s.data); },
          [&](raft::apply& a) {
            if (!logs_.on_apply(idx, p.service, a)) {
              violation(logs_.what());
              return;
            }
            logs_.acknowledge(idx, p.incarnation, a, now_);
            prepare_snapshot(idx);
          },
          [&](apply_snapshot& a) {
            ++result_.snapshots_installed;
            if (!logs_.on_apply_snapshot(idx, p.service, a))
              violation(logs_.what());
          },
          [&](arm_election_timer& et) {
            p.election_gen = et.generation;
            queue_.push(now_ + et.after.count(), event_kind::election_timer,
                        static_cast<std::uint32_t>(idx), p.incarnation, et.generation);
          },
          [&](arm_heartbeat_timer& ht) {
            p.heartbeat_gen = ht.generation;
            queue_.push(now_ + ht.after.count(), event_kind::heartbeat_timer,
                        static_cast<std::uint32_t>(idx), p.incarnation, ht.generation);
          },
          [&](read_ready& r) {
            auto it = reads_.find(r.id);
            if (it == reads_.end() || it->second.peer != idx ||
                it->second.incarnation != p.incarnation) {
              violation("p" + std::to_string(idx + 1) + " answered read " +
                        std::to_string(r.id) + " it was never asked");
              return;
            }
            ++result_.reads_served;
            if (r.index < it->second.committed)
              violation("stale read: p" + std::to_string(idx + 1) + " served read " +
                        std::to_string(r.id) + " at index " + std::to_string(r.index) +
                        ", but index " + std::to_string(it->second.committed) +
                        " was committed before the read began (at " +
                        at_ms(it->second.began) + ")");
            reads_.erase(it);
          },
          [&](read_failed& r) { reads_.erase(r.id); },
          [&](role_changed&) {},     // visible in the trace
          [&](message_rejected&) {}, // nothing to do
        },
        e);
    }
  }

  /// The course's applierSnap: once `snapshot_every` entries were applied since the core's
  /// last snapshot, the service snapshots its state (taken at the next event for the peer).
  void prepare_snapshot(std::size_t idx) {
    auto& p = peers_[idx];
    if (opts_.snapshot_every == 0 || p.pending_snapshot ||
        p.service.index < p.core->log().snapshot_index() + opts_.snapshot_every)
      return;
    p.pending_snapshot.emplace(p.service.index, p.service.snapshot());
    queue_.push(now_ + between(rng_, 0, ms(1)), event_kind::snapshot,
                static_cast<std::uint32_t>(idx), p.incarnation, 0);
  }

  /// Puts a message on the network: lost if the link is down or the receiver is down, else
  /// dropped with the drop rate, delivered after a random delay, maybe twice.
  void transmit(std::size_t from, const send& s) {
    if (s.to == 0 || s.to > n_) {
      violation("p" + std::to_string(from + 1) + " sent to unknown peer " +
                std::to_string(s.to));
      return;
    }
    std::size_t to = s.to - 1;
    if (!net_.link_up(from, to) || !peers_[to].core)
      return;
    bool duplicate = net_.draw_duplicate(rng_);
    vtime delay = 0;
    for (int copy = 0; copy < (duplicate ? 2 : 1); ++copy) {
      // A duplicate is a late copy (a retransmission): it arrives after the original would.
      delay = copy == 0 ? net_.draw_delay(rng_) : delay + net_.draw_late(rng_);
      if (net_.draw_drop(rng_))
        continue;
      auto slot = net_.store(static_cast<std::uint32_t>(from), s.msg);
      queue_.push(now_ + delay, event_kind::deliver, static_cast<std::uint32_t>(to),
                  peers_[to].incarnation, slot);
    }
  }

  // ---- liveness -----------------------------------------------------------------------

  /// Returns false (after reporting) when the deadline passes with no leader in office.
  bool before_deadline_checked(vtime t) {
    if (deadline_checked_ || t < heal_at_ + leader_deadline)
      return true;
    deadline_checked_ = true;
    if (leader_ >= 0)
      return true;
    now_ = heal_at_ + leader_deadline;
    violation("liveness: no leader within 5 virtual seconds after the heal at " +
              at_ms(heal_at_) + " (highest term " + std::to_string(highest_term()) + ")");
    return false;
  }

  term_t highest_term() const {
    term_t top = 0;
    for (auto& p : peers_)
      if (p.core && p.core->current_term() > top)
        top = p.core->current_term();
    return top;
  }

  /// After the heal: tracks the leader in office (a leader whose term no peer exceeds).
  /// Before the deadline a leader may lose office to a peer that rejoins with a higher term
  /// (Raft without pre-vote, §9.6); after it, any loss of office or higher term is a
  /// violation: the leader must keep its term for 10 s from its election.
  void check_liveness() {
    term_t top = 0;
    int ldr = -1;
    for (std::size_t i = 0; i < n_; ++i) {
      auto& c = peers_[i].core;
      if (!c)
        continue;
      if (c->current_term() > top) {
        top = c->current_term();
        ldr = c->is_leader() ? static_cast<int>(i) : -1;
      } else if (c->current_term() == top && c->is_leader()) {
        ldr = static_cast<int>(i);
      }
    }
    if (leader_ >= 0 && (ldr != leader_ || top != leader_term_)) {
      if (deadline_checked_) {
        violation("liveness: leader p" + std::to_string(leader_ + 1) + " of term " +
                  std::to_string(leader_term_) + ", elected at " + at_ms(leader_since_) +
                  ", lost office " + at_ms(now_ - leader_since_) +
                  " later (highest term now " + std::to_string(top) + ")");
        return;
      }
      ++result_.leaders_deposed_after_heal;
      lost_office(static_cast<std::size_t>(leader_), leader_term_);
      leader_ = -1;
    }
    if (leader_ < 0 && ldr >= 0) {
      leader_ = ldr;
      leader_term_ = top;
      leader_since_ = now_;
    }
  }

  // ---- disruptive depositions ---------------------------------------------------------

  /// True when leader `l` holds a majority now: it and the followers in two-way contact
  /// with it are a majority of the cluster. A follower `f` is in two-way contact with `l`
  /// (term T) when it runs in term T, the links both ways are up, `f` received an
  /// append_entries of term T from `l` within `contact_window`, and `l` received a message
  /// stating term T from `f` within it too. Such a follower stays in `l`'s lease (300 ms)
  /// and keeps `l`'s check-quorum (600 ms) satisfied with the next heartbeat and reply: a
  /// leader holding a majority gives neither rule a reason to act.
  bool holds_majority(std::size_t l) const {
    auto& c = peers_[l].core;
    if (!c || !c->is_leader())
      return false;
    auto t = c->current_term();
    std::size_t in_contact = 1;
    for (std::size_t f = 0; f < n_; ++f) {
      if (f == l || !peers_[f].core || peers_[f].core->current_term() != t ||
          !net_.link_up(l, f) || !net_.link_up(f, l))
        continue;
      bool f_heard = leader_heard_at_[f * n_ + l] >= 0 && leader_heard_term_[f * n_ + l] == t &&
                     now_ - leader_heard_at_[f * n_ + l] <= contact_window;
      bool l_heard = heard_at_[l * n_ + f] >= 0 && heard_term_[l * n_ + f] == t &&
                     now_ - heard_at_[l * n_ + f] <= contact_window;
      in_contact += f_heard && l_heard;
    }
    return in_contact >= n_ / 2 + 1;
  }

  /// Re-evaluates after every event which leader holds a majority, and since when.
  void update_health() {
    for (std::size_t i = 0; i < n_; ++i) {
      auto& p = peers_[i];
      if (!holds_majority(i))
        p.healthy_since = -1;
      else if (p.healthy_since < 0)
        p.healthy_since = now_;
    }
  }

  /// Peer `idx` just became a candidate; `decided` is when it first asked for pre-votes for
  /// this term (when it became candidate, if it asked for none). It stood against a leader
  /// of a lower term that has held a majority since before then.
  void stood(std::size_t idx, vtime decided) {
    auto term = peers_[idx].core->current_term();
    for (std::size_t l = 0; l < n_; ++l) {
      auto& p = peers_[l];
      if (l != idx && p.core && p.core->is_leader() && p.core->current_term() < term &&
          p.healthy_since >= 0 && p.healthy_since <= decided) {
        p.stood_against = p.core->current_term();
        if (opts_.trace_out)
          *opts_.trace_out << "p" << idx + 1 << " stands in term " << term << " against p"
                           << l + 1 << ", leader of term " << p.core->current_term()
                           << " holding a majority since " << at_ms(p.healthy_since) << "\n";
      }
    }
  }

  /// Leader `l` of `term` lost office after the heal: disruptively when a peer stood
  /// against it while it held a majority (sim/README.md).
  void lost_office(std::size_t l, term_t term) {
    if (peers_[l].stood_against != term || term == 0)
      return;
    ++result_.disruptive_depositions;
    if (opts_.trace_out)
      *opts_.trace_out << "disruptive deposition: p" << l + 1 << ", leader of term " << term
                       << ", lost office at " << at_ms(now_) << " (highest term now "
                       << highest_term() << ")\n";
  }

  // ---- trace and failure --------------------------------------------------------------

  void fill_and_record(trace_record& rec, std::size_t idx) {
    rec.peer = static_cast<std::uint32_t>(idx + 1);
    if (auto& c = peers_[idx].core) {
      rec.term = c->current_term();
      rec.role = c->role();
    }
    record(rec);
  }

  void record(trace_record& rec) {
    rec.at = now_;
    trace_.push(rec);
    if (opts_.trace_out)
      *opts_.trace_out << format(rec) << '\n';
  }

  void violation(std::string what) {
    if (failed_)
      return;
    failed_ = true;
    result_.ok = false;
    result_.violation = std::move(what);
    trace_record rec;
    rec.kind = trace_kind::violation;
    record(rec);
    std::ostringstream os;
    trace_.write_tail(os, opts_.tail + 1);
    result_.tail = os.str();
    if (opts_.trace_out) {
      *opts_.trace_out << "violation: " << result_.violation << '\n';
      // Every running peer's log as index:term from its snapshot on, for the replay.
      for (std::size_t i = 0; i < n_; ++i) {
        auto& c = peers_[i].core;
        if (!c)
          continue;
        const auto& log = c->log();
        *opts_.trace_out << "p" << i + 1 << " term " << c->current_term() << " commit "
                         << c->commit_index() << " snapshot " << log.snapshot_index() << ":"
                         << log.snapshot_term() << " log";
        for (auto k = log.first_index(); k <= log.last_index(); ++k)
          *opts_.trace_out << " " << k << ":" << log.at(k).term;
        *opts_.trace_out << '\n';
      }
    }
  }

  const run_options& opts_;
  rng_t rng_;
  run_result result_;
  std::size_t n_ = 0;
  std::vector<peer_id> members_;
  std::vector<peer_slot> peers_;
  network net_;
  event_queue queue_;
  invariant_checker checker_;
  log_checker logs_;
  struct pending_sim_read {
    std::size_t peer = 0;
    std::uint32_t incarnation = 0;
    log_index committed = 0; ///< the highest index committed anywhere when it began
    vtime began = 0;
  };
  std::map<std::uint64_t, pending_sim_read> reads_; ///< by id (the proposal's seq)
  trace_ring trace_;
  vtime now_ = 0;
  bool failed_ = false;
  bool done_ = false;
  bool healed_ = false;
  vtime heal_at_ = 0;
  bool deadline_checked_ = false;
  int leader_ = -1;
  term_t leader_term_ = 0;
  vtime leader_since_ = 0;
  std::vector<std::pair<std::size_t, std::size_t>> cut_links_; ///< scripted (from, to) cuts
  /// [to * n + from]: when `to` last received a message from `from` (-1: never), and its term.
  std::vector<vtime> heard_at_;
  std::vector<term_t> heard_term_;
  std::vector<vtime> leader_heard_at_; ///< the same for append_entries only
  std::vector<term_t> leader_heard_term_;
  std::vector<const script_action*> awaiting_candidate_; ///< scripted, target `candidate`
};

} // namespace

run_result run_seed(std::uint64_t seed, const run_options& opts) {
  simulation s{seed, opts};
  return s.run();
}

unsigned parse_core_bug(const std::string& name) {
  if (name == "count_stale_votes") return bug_count_stale_votes;
  if (name == "ignore_log_freshness") return bug_ignore_log_freshness;
  if (name == "vote_twice") return bug_vote_twice;
  if (name == "candidate_skips_pre_vote") return bug_candidate_skips_pre_vote;
  if (name == "ignore_vote_lease") return bug_ignore_vote_lease;
  if (name == "commit_previous_term") return bug_commit_previous_term;
  if (name == "skip_prev_log_check") return bug_skip_prev_log_check;
  if (name == "no_truncate_on_conflict") return bug_no_truncate_on_conflict;
  if (name == "ack_before_sync") return bug_ack_before_sync;
  if (name == "read_without_round") return bug_read_without_round;
  return 0;
}

std::string core_bug_names(unsigned bugs) {
  std::string s;
  auto add = [&](unsigned bit, const char* name) {
    if (bugs & bit)
      s += (s.empty() ? "" : ",") + std::string(name);
  };
  add(bug_count_stale_votes, "count_stale_votes");
  add(bug_ignore_log_freshness, "ignore_log_freshness");
  add(bug_vote_twice, "vote_twice");
  add(bug_candidate_skips_pre_vote, "candidate_skips_pre_vote");
  add(bug_ignore_vote_lease, "ignore_vote_lease");
  add(bug_commit_previous_term, "commit_previous_term");
  add(bug_skip_prev_log_check, "skip_prev_log_check");
  add(bug_no_truncate_on_conflict, "no_truncate_on_conflict");
  add(bug_ack_before_sync, "ack_before_sync");
  add(bug_read_without_round, "read_without_round");
  return s;
}

std::string replay_command(std::uint64_t seed, const run_options& opts) {
  if (opts.script)
    return "run_seed(" + std::to_string(seed) + ", opts) with the test's script (scripts have no "
           "command line)";
  std::string cmd = "build/sim/raft-sim --seed " + std::to_string(seed);
  if (opts.peers)
    cmd += " --peers " + std::to_string(*opts.peers);
  for (unsigned bit = 1; bit != 0 && bit <= opts.core_bugs; bit <<= 1)
    if (opts.core_bugs & bit)
      cmd += " --bug " + core_bug_names(bit);
  if (opts.forget_vote_on_restart)
    cmd += " --bug forget_vote_on_restart";
  if (opts.forget_log_on_restart)
    cmd += " --bug forget_log_on_restart";
  if (opts.logs)
    cmd += " --logs --snapshot-every " + std::to_string(opts.snapshot_every);
  if (!opts.core_checks)
    cmd += " --no-core-checks";
  if (opts.never_heal)
    cmd += " --never-heal";
  if (opts.features == features::product()) {
    cmd += " --product";
  } else {
    if (opts.features.pre_vote)
      cmd += " --pre-vote";
    if (opts.features.check_quorum)
      cmd += " --check-quorum";
    if (opts.features.retry_vote_requests)
      cmd += " --retry";
  }
  if (opts.preloaded_logs)
    cmd += " --preloaded-logs";
  return cmd + " --trace";
}

} // namespace raft::sim

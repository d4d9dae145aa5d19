#include "actors/peer.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <exception>
#include <optional>
#include <utility>

#include "core/overloaded.hpp"

namespace raft {

namespace {

using reply_promise = caf::typed_response_promise<client_reply>;

client_reply reply_of(reply_status status, std::string result = {}, peer_id leader = 0) {
  return client_reply{static_cast<std::uint8_t>(status), leader, std::move(result)};
}

struct peer_state {
  std::shared_ptr<node> core;
  std::map<peer_id, link_actor> links;
  std::shared_ptr<log_store> store;
  apply_sink sink;
  // The replicated state machine and its clients.
  std::shared_ptr<kv::state_machine> machine;
  std::uint64_t snapshot_every = 0;
  log_index applied = 0; ///< what the machine holds: applied through this index
  struct pending_write {
    term_t term = 0; ///< the term it was appended in
    reply_promise promise;
  };
  std::map<log_index, pending_write> writes; ///< by the index it was appended at
  struct pending_read {
    std::string query;
    reply_promise promise;
  };
  std::uint64_t next_read = 0;
  std::map<std::uint64_t, pending_read> reads;          ///< by id, awaiting confirmation
  std::multimap<log_index, pending_read> ready_reads;   ///< by read index, awaiting apply
  peer_observer observer;
  std::shared_ptr<peer_stats> stats;
  /// A `sync` message is on its way (group commit): writes since the last sync wait for it.
  bool sync_pending = false;
  /// Heartbeat round trips (peer_stats::heartbeat_rtt), leader side: the last few
  /// append_entries sent to each follower, by sequence number, with when they were sent.
  /// Bounded: a follower that never answers leaves at most `rtt_window` entries.
  static constexpr std::size_t rtt_window = 8;
  std::uint64_t next_seq = 0;
  std::map<peer_id, std::deque<std::pair<std::uint64_t, time_point>>> in_flight;
  /// Follower side: the append_entries being handled (its sender and seq), so the reply this
  /// step sends to that sender echoes the seq.
  std::optional<std::pair<peer_id, std::uint64_t>> echo;
  /// The election timer, with as few messages in flight as it needs: a follower re-arms it
  /// on every AppendEntries, and each delayed message wakes CAF's clock thread. The latest
  /// arming (its generation and when it is due) is kept here; a message is sent only when
  /// none in flight arrives by that time, and one that arrives early is sent again for the
  /// time left. So the core hears `election_timer_fired` with the latest generation at its
  /// due time, as if every arming had sent its own message (the stale ones it would ignore).
  /// A timer message that is not one of these (sent by someone else) goes to the core as is.
  struct {
    std::uint64_t generation = 0;
    time_point due{};
    bool armed = false; ///< due and not yet told to the core
    /// The messages in flight: the generation each carries and when it arrives.
    std::vector<std::pair<std::uint64_t, time_point>> sent;
    /// A message in flight arrives by the due time.
    bool covered() const {
      return std::any_of(sent.begin(), sent.end(), [&](auto& m) { return m.second <= due; });
    }
  } election;
  static inline const char* name = "raft_peer";
};

using peer_pointer = peer_actor::stateful_pointer<peer_state>;

/// The core's monotonic time: the actor's clock (virtual under the test coordinator).
time_point now(peer_pointer self) {
  return std::chrono::duration_cast<time_point>(self->clock().now().time_since_epoch());
}

void tell(peer_state& st, decltype(peer_event::what) what) {
  if (st.observer)
    st.observer(peer_event{st.core->self(), std::move(what)});
}

/// Round-trip bookkeeping of an outgoing message (see peer_state): a leader numbers each
/// append_entries and remembers when it left; a follower's reply echoes the number of the
/// append_entries it answers. Neither changes what the core decided.
void stamp(peer_pointer self, peer_id to, message& msg) {
  auto& st = self->state;
  if (auto* ae = std::get_if<append_entries>(&msg)) {
    ae->seq = ++st.next_seq;
    if (!st.stats || !st.stats->heartbeat_rtt.count(to))
      return;
    auto& q = st.in_flight[to];
    q.emplace_back(ae->seq, now(self));
    if (q.size() > peer_state::rtt_window)
      q.pop_front();
  } else if (auto* reply = std::get_if<append_entries_reply>(&msg)) {
    if (st.echo && st.echo->first == to)
      reply->seq = st.echo->second;
  }
}

/// A reply that echoes the seq of an append_entries still in flight: one round trip.
void measure(peer_pointer self, const append_entries_reply& r) {
  auto& st = self->state;
  auto q = st.in_flight.find(r.follower_id);
  if (r.seq == 0 || q == st.in_flight.end() || !st.stats)
    return;
  auto& sent = q->second;
  while (!sent.empty() && sent.front().first < r.seq)
    sent.pop_front(); // older ones whose replies were lost or come later: never matched
  if (sent.empty() || sent.front().first != r.seq)
    return;
  auto rtt = now(self) - sent.front().second;
  sent.pop_front();
  st.stats->heartbeat_rtt.at(r.follower_id).observe(rtt);
}

/// Answers the reads whose read index the machine has applied (ReadIndex step 4).
void serve_reads(peer_state& st) {
  auto end = st.ready_reads.upper_bound(st.applied);
  for (auto it = st.ready_reads.begin(); it != end; ++it)
    it->second.promise.deliver(reply_of(reply_status::ok, st.machine->query(it->second.query)));
  st.ready_reads.erase(st.ready_reads.begin(), end);
}

/// Applies committed entries to the machine and answers the writes waiting for them.
void apply_entries(peer_pointer self, const apply& a) {
  auto& st = self->state;
  if (!st.machine)
    return;
  for (std::size_t k = 0; k < a.entries.size(); ++k) {
    auto index = a.first + k;
    const auto& e = a.entries[k];
    std::string result;
    if (!e.command.empty()) // an empty command is a no-op entry (ReadIndex), not the machine's
      result = st.machine->apply(index, e.command);
    st.applied = index;
    auto w = st.writes.find(index);
    if (w == st.writes.end())
      continue;
    // Ours only if it is the entry we appended: same index and term (Log Matching, §5.3).
    if (w->second.term == e.term)
      w->second.promise.deliver(reply_of(reply_status::ok, std::move(result)));
    else
      w->second.promise.deliver(reply_of(reply_status::unknown));
    st.writes.erase(w);
  }
  serve_reads(st);
}

/// Replaces the machine's state with a snapshot (Figure 13 step 8). Writes the snapshot
/// covers can no longer be told apart: their clients hear `unknown`.
bool restore_machine(peer_pointer self, const apply_snapshot& a) {
  auto& st = self->state;
  if (!st.machine)
    return true;
  try {
    st.machine->restore(*a.data);
  } catch (const std::exception& ex) {
    tell(st, std::string("cannot restore the state machine from the snapshot of index ") +
               std::to_string(a.index) + ": " + ex.what());
    self->quit(caf::exit_reason::user_shutdown);
    return false;
  }
  st.applied = a.index;
  auto end = st.writes.upper_bound(a.index);
  for (auto it = st.writes.begin(); it != end; ++it)
    it->second.promise.deliver(reply_of(reply_status::unknown));
  st.writes.erase(st.writes.begin(), end);
  serve_reads(st);
  return true;
}

void carry_out(peer_pointer self, effects fx);

/// §7: once `snapshot_every` entries were applied since the last snapshot, the machine's
/// state replaces them.
void maybe_snapshot(peer_pointer self) {
  auto& st = self->state;
  if (!st.machine || st.snapshot_every == 0 || self->getf(caf::abstract_actor::is_terminated_flag) ||
      st.applied < st.core->log().snapshot_index() + st.snapshot_every)
    return;
  carry_out(self, st.core->snapshot(st.applied, st.machine->snapshot(), now(self)));
}

/// The leader's wall clock in milliseconds, for the machine's `prepare` (session expiry).
std::uint64_t wall_clock_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
}

/// A client's request (messages/client.hpp).
caf::result<client_reply> on_client(peer_pointer self, client_request& r) {
  auto& st = self->state;
  if (!st.machine)
    return reply_of(reply_status::refused, "this node runs no state machine");
  if (r.kind > max_request_kind)
    return reply_of(reply_status::refused, "unknown request kind " + std::to_string(r.kind));
  auto kind = static_cast<request_kind>(r.kind);
  auto& n = *st.core;
  if (kind == request_kind::read_local)
    return reply_of(reply_status::ok, st.machine->query(r.payload));
  if (kind == request_kind::write) {
    if (!n.is_leader())
      return reply_of(reply_status::not_leader, {}, n.leader().value_or(0));
    if (r.payload.empty())
      return reply_of(reply_status::refused, "an empty command is reserved for no-op entries");
    auto prepared = st.machine->prepare(r.payload, wall_clock_ms());
    if (auto* no = std::get_if<kv::refused>(&prepared))
      return reply_of(reply_status::refused, std::move(no->result));
    node::proposal p;
    carry_out(self, n.propose(std::move(std::get<kv::to_append>(prepared).command), now(self), p));
    if (!p.is_leader) // check-quorum may have ended its leadership in this very step
      return reply_of(reply_status::not_leader, {}, n.leader().value_or(0));
    auto promise = self->make_response_promise<client_reply>();
    st.writes[p.index] = {p.term, promise};
    return promise;
  }
  auto id = ++st.next_read;
  auto promise = self->make_response_promise<client_reply>();
  st.reads[id] = {std::move(r.payload), promise};
  auto mode = kind == request_kind::read_lease ? node::read_mode::lease
                                               : node::read_mode::linearizable;
  carry_out(self, n.read(id, mode, now(self)));
  return promise;
}

/// Carries out one step's effects in order (persist first: see core/effects.hpp). A failing
/// store call stops the peer at once: nothing after that effect is carried out.
void carry_out(peer_pointer self, effects fx) {
  auto& st = self->state;
  auto stop = [&](const std::string& what, const std::exception& ex) {
    tell(st, what + ": " + ex.what());
    self->quit(caf::exit_reason::user_shutdown);
  };
  for (auto& e : fx) {
    bool ok = std::visit(
      overloaded{
        [&](persist& p) {
          try {
            st.store->save_hard_state(p.current_term, p.voted_for);
          } catch (const std::exception& ex) {
            stop("cannot persist term and vote", ex);
            return false;
          }
          return true;
        },
        [&](write_log& w) {
          try {
            if (w.truncate_from)
              st.store->truncate_suffix(*w.truncate_from);
            if (!w.entries.empty())
              st.store->append(w.first, w.entries);
          } catch (const std::exception& ex) {
            stop("cannot write the log", ex);
            return false;
          }
          if (!st.sync_pending) {
            st.sync_pending = true;
            self->send(self, sync_atom::value);
          }
          return true;
        },
        [&](save_snapshot& s) {
          try {
            st.store->save_snapshot(s.index, s.term, *s.data);
          } catch (const std::exception& ex) {
            stop("cannot save the snapshot", ex);
            return false;
          }
          return true;
        },
        [&](send& s) {
          auto i = st.links.find(s.to);
          if (i == st.links.end())
            return true; // no link to that member: the message is lost, as on a network
          if (st.stats)
            ++st.stats->sent[s.msg.index()];
          stamp(self, s.to, s.msg);
          std::visit([&](auto& m) { self->send(i->second, std::move(m)); }, s.msg);
          return true;
        },
        [&](apply& a) {
          apply_entries(self, a);
          if (st.sink)
            st.sink(st.core->self(), applied{std::move(a)});
          return true;
        },
        [&](apply_snapshot& a) {
          if (!restore_machine(self, a))
            return false;
          if (st.sink)
            st.sink(st.core->self(), applied{std::move(a)});
          return true;
        },
        [&](read_ready& r) {
          auto it = st.reads.find(r.id);
          if (it != st.reads.end()) {
            st.ready_reads.emplace(r.index, std::move(it->second));
            st.reads.erase(it);
            serve_reads(st);
          }
          return true;
        },
        [&](read_failed& r) {
          auto it = st.reads.find(r.id);
          if (it != st.reads.end()) {
            it->second.promise.deliver(
              reply_of(reply_status::not_leader, {}, r.leader.value_or(0)));
            st.reads.erase(it);
          }
          return true;
        },
        [&](arm_election_timer& t) {
          auto& timer = st.election;
          timer.generation = t.generation;
          timer.due = now(self) + t.after;
          timer.armed = true;
          if (!timer.covered()) {
            timer.sent.emplace_back(timer.generation, timer.due);
            self->delayed_send(self, t.after, election_timer_atom::value, t.generation);
          }
          return true;
        },
        [&](arm_heartbeat_timer& h) {
          self->delayed_send(self, h.after, heartbeat_timer_atom::value, h.generation);
          return true;
        },
        [&](role_changed& r) {
          tell(st, r);
          return true;
        },
        [&](message_rejected& x) {
          tell(st, x);
          return true;
        },
      },
      e);
    if (!ok)
      return;
  }
  maybe_snapshot(self);
}

peer_actor::behavior_type peer_impl(peer_pointer self, std::shared_ptr<node> core,
                                    peer_config cfg) {
  auto& st = self->state;
  st.links = std::move(cfg.links);
  st.store = std::move(cfg.store);
  st.sink = std::move(cfg.sink);
  st.machine = std::move(cfg.machine);
  st.snapshot_every = cfg.snapshot_every;
  st.observer = std::move(cfg.observer);
  st.stats = std::move(cfg.stats);
  st.core = std::move(core);
  // A broken invariant is a bug: report it and stop this peer (fail-stop) rather than let it
  // keep acting on a state that breaks Raft's rules.
  self->set_exception_handler([self](std::exception_ptr& eptr) -> caf::error {
    try {
      std::rethrow_exception(eptr);
    } catch (const std::exception& ex) {
      tell(self->state, std::string("stopped: ") + ex.what());
    } catch (...) {
      tell(self->state, std::string("stopped: unknown exception"));
    }
    return caf::exit_reason::unhandled_exception;
  });
  // The service starts from the stored snapshot, before any entry is applied.
  bool restored_ok = true;
  if (const auto& c = *st.core; c.snapshot_data()) {
    apply_snapshot restored{c.log().snapshot_index(), c.log().snapshot_term(), c.snapshot_data()};
    restored_ok = restore_machine(self, restored); // on failure the peer has quit
    if (restored_ok && st.sink)
      st.sink(c.self(), applied{restored});
  }
  if (restored_ok)
    carry_out(self, st.core->start(now(self)));
  auto on_message = [self](auto& m) {
    using T = std::decay_t<decltype(m)>;
    auto& state = self->state;
    if (auto& stats = state.stats)
      ++stats->received[kind_index<T>::value];
    if constexpr (std::is_same_v<T, append_entries>)
      state.echo = std::make_pair(m.leader_id, m.seq);
    if constexpr (std::is_same_v<T, append_entries_reply>)
      measure(self, m);
    carry_out(self, state.core->receive(m, now(self)));
    state.echo.reset();
  };
  return handle_each_kind<peer_actor::behavior_type>(
    message_kinds{}, on_message,
    [self](election_timer_atom, std::uint64_t gen) {
      // One of the messages in flight (see peer_state::election): the latest arming fires
      // once due; before that the message goes out again for the time left.
      auto& timer = self->state.election;
      auto t = now(self);
      auto ours = std::find_if(timer.sent.begin(), timer.sent.end(),
                               [gen](auto& m) { return m.first == gen; });
      if (ours == timer.sent.end()) {
        if (gen == timer.generation)
          timer.armed = false; // someone else's message fires the current timer
      } else {
        timer.sent.erase(ours);
        if (!timer.armed)
          return;
        if (t < timer.due) {
          if (!timer.covered()) {
            timer.sent.emplace_back(timer.generation, timer.due);
            self->delayed_send(self, timer.due - t, election_timer_atom::value, timer.generation);
          }
          return;
        }
        timer.armed = false;
        gen = timer.generation;
      }
      auto fx = self->state.core->election_timer_fired(gen, t);
      // A pre-vote round starts when an election timer makes a follower ask the others.
      auto asks = [](const effect& e) {
        auto* s = std::get_if<send>(&e);
        return s && std::holds_alternative<pre_vote>(s->msg);
      };
      if (self->state.stats && std::any_of(fx.begin(), fx.end(), asks))
        ++self->state.stats->prevote_rounds;
      carry_out(self, std::move(fx));
    },
    [self](heartbeat_timer_atom, std::uint64_t gen) {
      carry_out(self, self->state.core->heartbeat_timer_fired(gen, now(self)));
    },
    [self](link_down_atom, peer_id p) {
      carry_out(self, self->state.core->connection_lost(p, now(self)));
    },
    [self](link_up_atom, peer_id p) {
      carry_out(self, self->state.core->connection_restored(p, now(self)));
    },
    // Queries first let time pass in the core, so a leader that lost its majority while
    // frozen answers as the follower it has become (check-quorum).
    [self](get_state_atom) -> caf::result<term_t, bool> {
      carry_out(self, self->state.core->tick(now(self)));
      auto& n = *self->state.core;
      return {n.current_term(), n.is_leader()};
    },
    [self](get_vote_atom) -> caf::result<term_t, peer_id> {
      carry_out(self, self->state.core->tick(now(self)));
      auto& n = *self->state.core;
      return {n.current_term(), n.voted_for().value_or(0)};
    },
    [self](status_atom) -> node_status {
      carry_out(self, self->state.core->tick(now(self)));
      auto& n = *self->state.core;
      return {n.self(), n.current_term(), static_cast<std::uint8_t>(n.role()),
              n.leader().value_or(0)};
    },
    [self](kill_atom) { self->quit(caf::exit_reason::user_shutdown); },
    [self](propose_atom, std::string& command) -> caf::result<log_index, term_t, bool> {
      node::proposal p;
      carry_out(self, self->state.core->propose(std::move(command), now(self), p));
      return {p.index, p.term, p.is_leader};
    },
    [self](client_request& r) -> caf::result<client_reply> { return on_client(self, r); },
    [self](snapshot_atom, log_index index, std::string& data) {
      carry_out(self, self->state.core->snapshot(index, std::move(data), now(self)));
    },
    [self](sync_atom) {
      auto& s = self->state;
      s.sync_pending = false;
      try {
        s.store->sync(); // one fdatasync for every write since the last sync
      } catch (const std::exception& ex) {
        tell(s, std::string("cannot sync the log: ") + ex.what());
        self->quit(caf::exit_reason::user_shutdown);
        return;
      }
      carry_out(self, s.core->log_synced(now(self)));
    });
}

} // namespace

peer_actor spawn_peer(caf::actor_system& sys, peer_config cfg, bool detached) {
  if (!cfg.store)
    throw std::invalid_argument("spawn_peer: no log store");
  // Built here, not in the actor, so bad options or an unreadable state reach the caller
  // as exceptions before anything runs.
  auto recovered = cfg.recovered ? std::move(*cfg.recovered) : cfg.store->load();
  cfg.recovered.reset();
  auto core = std::make_shared<node>(cfg.core, to_persistent_state(std::move(recovered)));
  if (detached)
    return sys.spawn<caf::detached>(peer_impl, std::move(core), std::move(cfg));
  return sys.spawn(peer_impl, std::move(core), std::move(cfg));
}

} // namespace raft

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

struct peer_state {
  std::shared_ptr<node> core;
  std::map<peer_id, link_actor> links;
  std::shared_ptr<log_store> store;
  apply_sink sink;
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
  /// Election timer messages (see peer.hpp, "Election timers"): the core's latest arming,
  /// and the one delayed message the shell counts on to wake it for that arming.
  struct election_clock {
    std::uint64_t generation = 0;           ///< the core's latest arm_election_timer
    time_point deadline{0};                 ///< when that one is due
    std::optional<std::uint64_t> in_flight; ///< generation the counted-on message carries
    time_point in_flight_due{0};            ///< when that message arrives
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
          if (st.sink)
            st.sink(st.core->self(), applied{std::move(a)});
          return true;
        },
        [&](apply_snapshot& a) {
          if (st.sink)
            st.sink(st.core->self(), applied{std::move(a)});
          return true;
        },
        [&](arm_election_timer& t) {
          // A message already on its way that arrives no later than the new deadline will do:
          // when it comes, the shell waits out the rest (see the election_timer handler).
          auto& ec = st.election;
          ec.generation = t.generation;
          ec.deadline = now(self) + t.after;
          if (!ec.in_flight || ec.in_flight_due > ec.deadline) {
            self->delayed_send(self, t.after, election_timer_atom::value, t.generation);
            ec.in_flight = t.generation;
            ec.in_flight_due = ec.deadline;
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
}

peer_actor::behavior_type peer_impl(peer_pointer self, std::shared_ptr<node> core,
                                    peer_config cfg) {
  auto& st = self->state;
  st.links = std::move(cfg.links);
  st.store = std::move(cfg.store);
  st.sink = std::move(cfg.sink);
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
  if (const auto& c = *st.core; st.sink && c.snapshot_data())
    st.sink(c.self(), applied{apply_snapshot{c.log().snapshot_index(), c.log().snapshot_term(),
                                             c.snapshot_data()}});
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
      auto& ec = self->state.election;
      if (ec.in_flight == gen) {
        // The message the shell counted on. If the core re-armed the timer since, wait until
        // its latest deadline; once that has passed, the latest generation fires.
        ec.in_flight.reset();
        if (ec.generation != gen) {
          auto t = now(self);
          if (t < ec.deadline) {
            self->delayed_send(self, ec.deadline - t, election_timer_atom::value, ec.generation);
            ec.in_flight = ec.generation;
            ec.in_flight_due = ec.deadline;
            return;
          }
          gen = ec.generation;
        }
      }
      // Otherwise a message superseded by one due earlier, or one sent from outside: the
      // core ignores any generation but its current one.
      auto fx = self->state.core->election_timer_fired(gen, now(self));
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

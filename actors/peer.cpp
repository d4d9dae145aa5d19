#include "actors/peer.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <exception>
#include <optional>
#include <utility>

namespace raft {

namespace {

struct peer_state {
  std::shared_ptr<node> core;
  std::map<peer_id, link_actor> links;
  std::shared_ptr<state_store> store;
  peer_observer observer;
  std::shared_ptr<peer_stats> stats;
  /// Heartbeat round trips (peer_stats::heartbeat_rtt), leader side: the last few
  /// append_entries sent to each follower, by sequence number, with when they were sent.
  /// Bounded: a follower that never answers leaves at most `rtt_window` entries.
  static constexpr std::size_t rtt_window = 8;
  std::uint64_t next_seq = 0;
  std::map<peer_id, std::deque<std::pair<std::uint64_t, std::chrono::steady_clock::time_point>>>
    in_flight;
  /// Follower side: the append_entries being handled (its sender and seq), so the reply this
  /// step sends to that sender echoes the seq.
  std::optional<std::pair<peer_id, std::uint64_t>> echo;
  static inline const char* name = "raft_peer";
};

using peer_pointer = peer_actor::stateful_pointer<peer_state>;

/// The core's monotonic time: the steady clock.
time_point now() {
  return std::chrono::duration_cast<time_point>(
    std::chrono::steady_clock::now().time_since_epoch());
}

void tell(peer_state& st, decltype(peer_event::what) what) {
  if (st.observer)
    st.observer(peer_event{st.core->self(), std::move(what)});
}

/// Round-trip bookkeeping of an outgoing message (see peer_state): a leader numbers each
/// append_entries and remembers when it left; a follower's reply echoes the number of the
/// append_entries it answers. Neither changes what the core decided.
void stamp(peer_state& st, peer_id to, message& msg) {
  if (auto* ae = std::get_if<append_entries>(&msg)) {
    ae->seq = ++st.next_seq;
    if (!st.stats || !st.stats->heartbeat_rtt.count(to))
      return;
    auto& q = st.in_flight[to];
    q.emplace_back(ae->seq, std::chrono::steady_clock::now());
    if (q.size() > peer_state::rtt_window)
      q.pop_front();
  } else if (auto* reply = std::get_if<append_entries_reply>(&msg)) {
    if (st.echo && st.echo->first == to)
      reply->seq = st.echo->second;
  }
}

/// A reply that echoes the seq of an append_entries still in flight: one round trip.
void measure(peer_state& st, const append_entries_reply& r) {
  auto q = st.in_flight.find(r.follower_id);
  if (r.seq == 0 || q == st.in_flight.end() || !st.stats)
    return;
  auto& sent = q->second;
  while (!sent.empty() && sent.front().first < r.seq)
    sent.pop_front(); // older ones whose replies were lost or come later: never matched
  if (sent.empty() || sent.front().first != r.seq)
    return;
  auto rtt = std::chrono::steady_clock::now() - sent.front().second;
  sent.pop_front();
  st.stats->heartbeat_rtt.at(r.follower_id)
    .observe(std::chrono::duration_cast<std::chrono::microseconds>(rtt));
}

/// Carries out one step's effects in order (persist first: see core/effects.hpp).
void carry_out(peer_pointer self, effects fx) {
  auto& st = self->state;
  for (auto& e : fx) {
    if (auto* p = std::get_if<persist>(&e)) {
      try {
        st.store->save(p->current_term, p->voted_for);
      } catch (const std::exception& ex) {
        // Stop before any dependent message leaves: nothing after this effect runs.
        tell(st, std::string("cannot persist term and vote: ") + ex.what());
        self->quit(caf::exit_reason::user_shutdown);
        return;
      }
    } else if (auto* s = std::get_if<send>(&e)) {
      auto i = st.links.find(s->to);
      if (i == st.links.end())
        continue; // no link to that member: the message is lost, as on a network
      if (st.stats)
        ++st.stats->sent[s->msg.index()];
      stamp(st, s->to, s->msg);
      std::visit([&](auto& m) { self->send(i->second, std::move(m)); }, s->msg);
    } else if (auto* t = std::get_if<arm_election_timer>(&e)) {
      self->delayed_send(self, t->after, election_timer_atom::value, t->generation);
    } else if (auto* h = std::get_if<arm_heartbeat_timer>(&e)) {
      self->delayed_send(self, h->after, heartbeat_timer_atom::value, h->generation);
    } else if (auto* r = std::get_if<role_changed>(&e)) {
      tell(st, *r);
    } else if (auto* x = std::get_if<message_rejected>(&e)) {
      tell(st, *x);
    }
  }
}

peer_actor::behavior_type peer_impl(peer_pointer self, std::shared_ptr<node> core,
                                    peer_config cfg) {
  auto& st = self->state;
  st.links = std::move(cfg.links);
  st.store = std::move(cfg.store);
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
  carry_out(self, st.core->start(now()));
  auto on_message = [self](auto& m) {
    using T = std::decay_t<decltype(m)>;
    auto& state = self->state;
    if (auto& stats = state.stats)
      ++stats->received[kind_index<T>::value];
    if constexpr (std::is_same_v<T, append_entries>)
      state.echo = std::make_pair(m.leader_id, m.seq);
    if constexpr (std::is_same_v<T, append_entries_reply>)
      measure(state, m);
    carry_out(self, state.core->receive(m, now()));
    state.echo.reset();
  };
  return {
    [on_message](request_vote& m) { on_message(m); },
    [on_message](request_vote_reply& m) { on_message(m); },
    [on_message](append_entries& m) { on_message(m); },
    [on_message](append_entries_reply& m) { on_message(m); },
    [on_message](pre_vote& m) { on_message(m); },
    [on_message](pre_vote_reply& m) { on_message(m); },
    [self](election_timer_atom, std::uint64_t gen) {
      auto fx = self->state.core->election_timer_fired(gen, now());
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
      carry_out(self, self->state.core->heartbeat_timer_fired(gen, now()));
    },
    [self](link_down_atom, peer_id p) {
      carry_out(self, self->state.core->connection_lost(p, now()));
    },
    [self](link_up_atom, peer_id p) {
      carry_out(self, self->state.core->connection_restored(p, now()));
    },
    // Queries first let time pass in the core, so a leader that lost its majority while
    // frozen answers as the follower it has become (check-quorum).
    [self](get_state_atom) -> caf::result<term_t, bool> {
      carry_out(self, self->state.core->tick(now()));
      auto& n = *self->state.core;
      return {n.current_term(), n.is_leader()};
    },
    [self](get_vote_atom) -> caf::result<term_t, peer_id> {
      carry_out(self, self->state.core->tick(now()));
      auto& n = *self->state.core;
      return {n.current_term(), n.voted_for().value_or(0)};
    },
    [self](status_atom) -> node_status {
      carry_out(self, self->state.core->tick(now()));
      auto& n = *self->state.core;
      return {n.self(), n.current_term(), static_cast<std::uint8_t>(n.role()),
              n.leader().value_or(0)};
    },
    [self](kill_atom) { self->quit(caf::exit_reason::user_shutdown); },
  };
}

} // namespace

peer_actor spawn_peer(caf::actor_system& sys, peer_config cfg, bool detached) {
  if (!cfg.store)
    cfg.store = std::make_shared<memory_store>();
  // Built here, not in the actor, so bad options or an unreadable state reach the caller
  // as exceptions before anything runs.
  auto core = std::make_shared<node>(cfg.core, cfg.store->load());
  if (detached)
    return sys.spawn<caf::detached>(peer_impl, std::move(core), std::move(cfg));
  return sys.spawn(peer_impl, std::move(core), std::move(cfg));
}

} // namespace raft

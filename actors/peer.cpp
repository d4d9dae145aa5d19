#include "actors/peer.hpp"

#include <caf/all.hpp>

#include <exception>

namespace raft {

namespace {

struct peer_state {
  std::shared_ptr<node> core;
  std::map<peer_id, link_actor> links;
  std::shared_ptr<state_store> store;
  peer_observer observer;
  std::shared_ptr<peer_stats> stats;
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
    if (auto& stats = self->state.stats)
      ++stats->received[kind_index<std::decay_t<decltype(m)>>::value];
    carry_out(self, self->state.core->receive(m, now()));
  };
  return {
    [on_message](request_vote& m) { on_message(m); },
    [on_message](request_vote_reply& m) { on_message(m); },
    [on_message](append_entries& m) { on_message(m); },
    [on_message](append_entries_reply& m) { on_message(m); },
    [on_message](pre_vote& m) { on_message(m); },
    [on_message](pre_vote_reply& m) { on_message(m); },
    [self](election_timer_atom, std::uint64_t gen) {
      carry_out(self, self->state.core->election_timer_fired(gen, now()));
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

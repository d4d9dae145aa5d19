#include "actors/endpoint.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <set>

#include "core/message.hpp"

namespace raft {

namespace {

struct endpoint_state {
  endpoint_config cfg;
  std::set<peer_id> reported;
  static inline const char* name = "node_endpoint";
};

using endpoint_pointer = node_endpoint::stateful_pointer<endpoint_state>;

template <class T>
void pass_on(endpoint_pointer self, T& msg) {
  auto& st = self->state;
  auto from = sender_of(message{msg});
  if (std::find(st.cfg.members.begin(), st.cfg.members.end(), from) == st.cfg.members.end()) {
    if (st.reported.insert(from).second && st.cfg.on_unknown_sender)
      st.cfg.on_unknown_sender(from, kind_of(message{msg}));
    return;
  }
  if (st.cfg.faults && st.cfg.faults->cut(from))
    return;
  self->send(st.cfg.peer, std::move(msg));
}

node_endpoint::behavior_type endpoint(endpoint_pointer self, endpoint_config cfg) {
  self->state.cfg = std::move(cfg);
  return {
    [self](request_vote& m) { pass_on(self, m); },
    [self](request_vote_reply& m) { pass_on(self, m); },
    [self](append_entries& m) { pass_on(self, m); },
    [self](append_entries_reply& m) { pass_on(self, m); },
    [self](pre_vote& m) { pass_on(self, m); },
    [self](pre_vote_reply& m) { pass_on(self, m); },
    [self](status_atom) -> caf::delegated<node_status> {
      return self->delegate(self->state.cfg.peer, status_atom::value);
    },
  };
}

} // namespace

node_endpoint spawn_endpoint(caf::actor_system& sys, endpoint_config cfg) {
  return sys.spawn(endpoint, std::move(cfg));
}

} // namespace raft

#include "client/kv_session_actor.hpp"

#include <caf/all.hpp>

#include <deque>
#include <optional>
#include <stdexcept>

#include "client/endpoint_connect.hpp"
#include "client/kv_session.hpp"

namespace raft {

namespace {

using resume_atom = caf::atom_constant<caf::atom("kv_resume")>;
using connected_atom = caf::atom_constant<caf::atom("kv_conn")>;

/// The public interface plus the session's own messages: the end of a pause, and an
/// endpoint connected (or not: an invalid handle) by a connector thread.
using session_actor = kv_session_actor::extend<caf::reacts_to<resume_atom>,
                                               caf::reacts_to<connected_atom, peer_id, node_endpoint>>;

struct session_state {
  std::optional<kv_session> session;
  std::vector<peer_address> members;
  std::map<peer_id, node_endpoint> endpoints;
  /// The send that waits for its member's endpoint to be connected.
  std::optional<kv_session::send_request> waiting;
  kv_session::clock::time_point waiting_since;
  struct queued {
    kv_call call;
    caf::typed_response_promise<kv_result> promise;
  };
  std::deque<queued> calls; ///< the front one is under way
  static inline const char* name = "kv_session";
};

using session_pointer = session_actor::stateful_pointer<session_state>;

void step(session_pointer self);

void start(session_pointer self) {
  auto& st = self->state;
  auto& c = st.calls.front().call;
  auto now = kv_session::clock::now();
  switch (c.what) {
    case kv_call::kind::put: st.session->start_put(c.key, c.value, now); break;
    case kv_call::kind::get: st.session->start_get(c.key, c.read, now); break;
    case kv_call::kind::del: st.session->start_del(c.key, now); break;
    case kv_call::kind::cas:
      st.session->start_cas(c.key, c.expect_absent ? std::nullopt : std::optional(c.expected),
                            c.value, now);
      break;
  }
  step(self);
}

/// Connects member `to` on a thread of its own (the probe and the middleman's connect
/// block), within `limit`; the answer comes back as `connected`.
void connect(session_pointer self, peer_id to, std::chrono::milliseconds limit) {
  const peer_address* m = nullptr;
  for (auto& p : self->state.members)
    if (p.id == to)
      m = &p;
  if (m == nullptr) {
    self->send(self, connected_atom::value, to, node_endpoint{});
    return;
  }
  auto owner = caf::actor_cast<caf::actor>(self);
  self->system().spawn<caf::detached>(
    [owner, to, address = *m, limit](caf::event_based_actor* helper) {
      caf::scoped_actor scoped{helper->system()};
      auto ep = connect_endpoint(helper->system(), scoped, address,
                                 std::chrono::steady_clock::now() + limit);
      helper->send(owner, connected_atom::value, to, ep);
    });
}

void send(session_pointer self, kv_session::send_request s) {
  auto& st = self->state;
  auto ep = st.endpoints.find(s.to);
  if (ep == st.endpoints.end() || !ep->second) {
    auto to = s.to;
    auto limit = s.limit;
    st.waiting = std::move(s);
    st.waiting_since = kv_session::clock::now();
    connect(self, to, limit);
    return;
  }
  auto to = s.to;
  self->request(ep->second, s.limit, std::move(s.request))
    .then(
      [self](client_reply& r) {
        self->state.session->replied(r);
        step(self);
      },
      [self, to](caf::error&) {
        self->state.endpoints.erase(to); // timed out or dropped: connect afresh next time
        self->state.session->no_reply(true);
        step(self);
      });
}

/// Carries out the session's actions until it waits for an answer or a pause, or the
/// operation ends (then the next queued call starts).
void step(session_pointer self) {
  auto& st = self->state;
  auto a = st.session->next(kv_session::clock::now());
  if (auto* s = std::get_if<kv_session::send_request>(&a))
    return send(self, std::move(*s));
  if (auto* p = std::get_if<kv_session::pause>(&a)) {
    self->delayed_send(self, p->duration, resume_atom::value);
    return;
  }
  st.calls.front().promise.deliver(std::move(std::get<kv_session::done>(a).result));
  st.calls.pop_front();
  if (!st.calls.empty())
    start(self);
}

session_actor::behavior_type session_impl(session_pointer self, kv_session_actor_config cfg) {
  auto& st = self->state;
  std::vector<peer_id> ids;
  for (auto& m : cfg.members)
    ids.push_back(m.id);
  st.session.emplace(std::move(ids), cfg.options);
  st.members = std::move(cfg.members);
  st.endpoints = std::move(cfg.endpoints);
  return {
    [self](kv_call& c) -> caf::result<kv_result> {
      auto& s = self->state;
      auto promise = self->make_response_promise<kv_result>();
      s.calls.push_back({std::move(c), promise});
      if (s.calls.size() == 1)
        start(self);
      return promise;
    },
    [self](resume_atom) { step(self); },
    [self](connected_atom, peer_id id, node_endpoint& ep) {
      auto& s = self->state;
      if (!s.waiting || s.waiting->to != id)
        return;
      auto waiting = std::move(*s.waiting);
      s.waiting.reset();
      if (!ep) {
        s.session->no_reply(false); // it certainly did not reach the member
        return step(self);
      }
      s.endpoints[id] = std::move(ep);
      // What is left of the attempt's limit after the connect.
      waiting.limit -= std::chrono::duration_cast<std::chrono::milliseconds>(
        kv_session::clock::now() - s.waiting_since);
      if (waiting.limit <= std::chrono::milliseconds(0)) {
        s.session->no_reply(false); // connected too late: nothing was sent
        return step(self);
      }
      send(self, std::move(waiting));
    },
  };
}

} // namespace

kv_session_actor spawn_kv_session(caf::actor_system& sys, kv_session_actor_config cfg) {
  if (cfg.members.empty())
    throw std::invalid_argument("spawn_kv_session: no members");
  return sys.spawn(session_impl, std::move(cfg));
}

} // namespace raft

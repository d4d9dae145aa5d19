#include "actors/remote_link.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <algorithm>
#include <random>

#include "net/tcp_probe.hpp"

namespace raft {

namespace {

using namespace std::chrono_literals;

using try_connect_atom = caf::atom_constant<caf::atom("try_conn")>;

using remote_link_actor = link_actor::extend<caf::reacts_to<try_connect_atom>>;

constexpr auto probe_limit = 300ms;
constexpr auto connect_limit = 2s;
constexpr auto backoff_min = 100ms;
constexpr auto backoff_max = 500ms; // a restarted peer is heard from again within ~0.5 s

struct remote_link_state {
  remote_link_config cfg;
  node_endpoint remote;
  bool connecting = false;
  bool was_up = false;
  std::chrono::milliseconds backoff = backoff_min;
  std::minstd_rand rng{std::random_device{}()};
  std::uint64_t dropped = 0;
  static inline const char* name = "remote_link";
};

using link_pointer = remote_link_actor::stateful_pointer<remote_link_state>;

void schedule_retry(link_pointer self) {
  auto& st = self->state;
  st.connecting = false;
  // Jitter of ±25% keeps the peers of a restarted host from reconnecting in lockstep.
  auto base = st.backoff.count();
  auto jitter = static_cast<long>(st.rng() % static_cast<unsigned>(base / 2 + 1)) - base / 4;
  self->delayed_send(self, std::chrono::milliseconds(base + jitter), try_connect_atom::value);
  st.backoff = std::min(st.backoff * 2, std::chrono::milliseconds(backoff_max));
}

void report(link_pointer self, bool up, const std::string& detail) {
  auto& st = self->state;
  if (up == st.was_up)
    return;
  st.was_up = up;
  if (st.cfg.on_change)
    st.cfg.on_change(st.cfg.peer, up, detail);
}

void try_connect(link_pointer self) {
  auto& st = self->state;
  if (st.remote || st.connecting)
    return;
  if (!tcp_reachable(st.cfg.host, st.cfg.port, probe_limit)) {
    schedule_retry(self);
    return;
  }
  st.connecting = true;
  auto mm = self->system().middleman().actor_handle();
  self->request(mm, connect_limit, caf::connect_atom::value, st.cfg.host, st.cfg.port)
    .then(
      [self](const caf::node_id&, caf::strong_actor_ptr& ptr,
             const std::set<std::string>& ifs) {
        auto& s = self->state;
        if (!ptr || ifs != self->system().message_types<node_endpoint>()) {
          // Something else listens there, or a node built with other message types.
          report(self, false, "the remote does not offer the raft node interface");
          schedule_retry(self);
          return;
        }
        s.connecting = false;
        s.remote = caf::actor_cast<node_endpoint>(ptr);
        s.backoff = backoff_min;
        self->monitor(s.remote);
        report(self, true, "connected");
      },
      [self](caf::error& err) {
        report(self, false, self->system().render(err));
        schedule_retry(self);
      });
}

template <class T>
void forward(link_pointer self, T& msg) {
  auto& st = self->state;
  if (st.cfg.faults && st.cfg.faults->cut(st.cfg.peer))
    ++st.dropped;
  else if (st.remote)
    self->send(st.remote, std::move(msg));
  else
    ++st.dropped;
}

remote_link_actor::behavior_type remote_link(link_pointer self, remote_link_config cfg) {
  self->state.cfg = std::move(cfg);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (!st.remote || dm.source != st.remote.address())
      return;
    st.remote = nullptr;
    report(self, false, self->system().render(dm.reason));
    st.backoff = backoff_min;
    schedule_retry(self);
  });
  self->send(self, try_connect_atom::value);
  return {
    [self](request_vote& m) { forward(self, m); },
    [self](request_vote_reply& m) { forward(self, m); },
    [self](append_entries& m) { forward(self, m); },
    [self](append_entries_reply& m) { forward(self, m); },
    [self](pre_vote& m) { forward(self, m); },
    [self](pre_vote_reply& m) { forward(self, m); },
    [self](try_connect_atom) { try_connect(self); },
  };
}

} // namespace

link_actor spawn_remote_link(caf::actor_system& sys, remote_link_config cfg) {
  return sys.spawn<caf::detached>(remote_link, std::move(cfg));
}

} // namespace raft

#include "actors/remote_link.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <algorithm>
#include <random>

#include "actors/node_system.hpp"
#include "net/tcp_probe.hpp"

namespace raft {

namespace {

using namespace std::chrono_literals;

using try_connect_atom = caf::atom_constant<caf::atom("try_conn")>;
using probed_atom = caf::atom_constant<caf::atom("probed")>;
using hello_timeout_atom = caf::atom_constant<caf::atom("hello_tmo")>;
using refused_retry_atom = caf::atom_constant<caf::atom("ref_retry")>;

/// The peer's view (link_actor) plus the reconnect timer, the welcome that answers a hello
/// (hello_reply_actor) and the timer that gives up waiting for it.
using remote_link_actor =
  link_actor::extend<caf::reacts_to<try_connect_atom>, caf::reacts_to<probed_atom, bool>,
                     caf::reacts_to<cluster_welcome>,
                     caf::reacts_to<cluster_challenge>,
                     caf::reacts_to<offer_atom, node_endpoint>,
                     caf::reacts_to<hello_timeout_atom, std::uint64_t>,
                     caf::reacts_to<refused_retry_atom, std::uint64_t>>;

constexpr auto probe_limit = 300ms;
constexpr auto connect_limit = 2s;
constexpr auto hello_limit = 1s; // a welcome lost in a connection race costs this much
constexpr auto backoff_min = 100ms;
constexpr auto backoff_max = 500ms; // a restarted peer is heard from again within ~0.5 s
/// A refused remote is asked again after this long even while it lives (see welcomed).
constexpr auto refused_retry = 5s;

struct remote_link_state {
  remote_link_config cfg;
  node_endpoint remote;
  session_token token; ///< what `remote` issued for this link's wire messages
  /// Connected, hello sent, welcome awaited (its `attempt` must match).
  node_endpoint candidate;
  std::uint64_t attempt = 0;
  /// A remote that answered the hello with another identity, monitored until it goes down
  /// or refused_retry has passed.
  node_endpoint refused;
  std::uint64_t refusal = 0; ///< numbers the refusals: a retry timer counts for its own only
  /// For a link that does not dial: the member's endpoint its last proof came with.
  node_endpoint offered;
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

void say_hello(link_pointer self, node_endpoint candidate);

void try_connect(link_pointer self) {
  auto& st = self->state;
  if (st.remote || st.connecting || st.candidate || st.refused)
    return;
  if (!st.cfg.dial) {
    // A link that does not dial asks again at the endpoint last offered (a lost welcome).
    if (st.offered) {
      st.connecting = true;
      say_hello(self, st.offered);
    }
    return;
  }
  // The probe blocks for up to probe_limit: it runs on a short-lived thread of its own, so
  // the link itself can share the scheduler's workers (messages to it then cost no thread
  // wake-up) without holding one up.
  st.connecting = true;
  auto owner = caf::actor_cast<caf::actor>(self);
  self->system().spawn<caf::detached>(
    [owner, host = st.cfg.host, port = st.cfg.port](caf::event_based_actor* prober) {
      prober->send(owner, probed_atom::value, tcp_reachable(host, port, probe_limit));
    });
}

/// The probe's answer: a host that answered gets the middleman's connect.
void probed(link_pointer self, bool reachable) {
  auto& st = self->state;
  if (!st.connecting || st.remote || st.candidate || st.refused)
    return;
  if (!reachable) {
    schedule_retry(self);
    return;
  }
  auto mm = transport_of(self->system()); // TLS when configured (actors/node_system.hpp)
  self->request(mm, connect_limit, caf::connect_atom::value, st.cfg.host, st.cfg.port)
    .then(
      [self](const caf::node_id&, caf::strong_actor_ptr& ptr,
             const std::set<std::string>& ifs) {
        if (!ptr || ifs != self->system().message_types<node_endpoint>()) {
          // Something else listens there, or a node built with other message types.
          report(self, false, "the remote does not offer the raft node interface");
          schedule_retry(self);
          return;
        }
        say_hello(self, caf::actor_cast<node_endpoint>(ptr));
      },
      [self](caf::error& err) {
        report(self, false, self->system().render(err));
        schedule_retry(self);
      });
}

/// Sends this node's hello to a freshly connected remote, with this link as the address for
/// the welcome (a one-way message: messages/hello.hpp says why not a CAF request), and
/// gives the welcome `hello_limit` to arrive.
void say_hello(link_pointer self, node_endpoint candidate) {
  auto& st = self->state;
  st.candidate = std::move(candidate);
  ++st.attempt;
  auto hello = st.cfg.hello;
  hello.attempt = st.attempt;
  self->send(st.candidate, std::move(hello), caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, hello_limit, hello_timeout_atom::value, st.attempt);
}

/// The link comes up only when the welcome proves the remote is the member the config
/// expects at that address, in this cluster (messages/hello.hpp), and that it accepted us.
void welcomed(link_pointer self, const cluster_welcome& w) {
  auto& st = self->state;
  if (!st.candidate || w.attempt != st.attempt)
    return; // late, or not ours
  node_endpoint candidate = std::move(st.candidate);
  st.candidate = nullptr;
  st.connecting = false;
  const char* reason = identity_mismatch(st.cfg.hello.identity, w.identity);
  if (!reason && w.id != st.cfg.peer)
    reason = "another_member_id";
  if (!reason && (!w.accepted || w.token.value == 0))
    reason = "refused_by_peer";
  if (reason) {
    // Never connected: no Raft message goes to it. Its identity is fixed for as long as
    // that process lives, so the next attempt waits until it goes down.
    // The welcome is taken as the candidate's own: CAF 0.17 gives no reliable sender here
    // (a message on one of two connections racing between the same nodes has none), and it
    // can deliver a hello to another node's actor with the candidate's id after connections
    // were replaced (measured: a member frozen past the connection timeout, thawed, was
    // answered by another member's endpoint). So a refusal is not final while the process
    // lives: the link asks again after refused_retry.
    st.refused = candidate;
    self->monitor(candidate);
    self->delayed_send(self, refused_retry, refused_retry_atom::value, ++st.refusal);
    if (st.cfg.on_refused)
      st.cfg.on_refused(st.cfg.peer, reason, cluster_hello{w.identity, w.id, w.attempt});
    return;
  }
  st.remote = candidate;
  st.token = w.token;
  st.backoff = backoff_min;
  self->monitor(st.remote);
  report(self, true, "connected");
}

/// With TLS the endpoint asks for proof that this node holds the key of its certificate:
/// sign the challenge for the member this link expects there (tls/member_proof.hpp).
void challenged(link_pointer self, const cluster_challenge& c) {
  auto& st = self->state;
  if (!st.candidate || c.attempt != st.attempt || !st.cfg.signer)
    return; // late, not ours, or no key to sign with: the hello times out
  auto hello = st.cfg.hello;
  hello.attempt = st.attempt;
  auto text = proof_text(c.challenge, hello.identity.text(), hello.id, st.cfg.peer);
  caf::actor mine = st.cfg.local_endpoint ? st.cfg.local_endpoint() : caf::actor{};
  self->send(st.candidate,
             member_proof{hello, c.challenge, st.cfg.signer->certificate_pem(),
                          st.cfg.signer->sign(text)},
             caf::actor_cast<caf::actor>(self), mine);
}

void hello_timed_out(link_pointer self, std::uint64_t attempt) {
  auto& st = self->state;
  if (!st.candidate || attempt != st.attempt)
    return;
  st.candidate = nullptr;
  report(self, false, "no answer to hello");
  schedule_retry(self);
}

template <class T>
void forward(link_pointer self, T& msg) {
  auto& st = self->state;
  if (st.cfg.faults && st.cfg.faults->cut(st.cfg.peer))
    ++st.dropped;
  else if (st.remote)
    self->send(st.remote, st.token, std::move(msg));
  else
    ++st.dropped;
}

remote_link_actor::behavior_type remote_link(link_pointer self, remote_link_config cfg) {
  self->state.cfg = std::move(cfg);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (st.refused && dm.source == st.refused.address()) {
      st.refused = nullptr; // its successor may have another config: ask it afresh
      ++st.refusal;         // its retry timer is void
      st.backoff = backoff_min;
      schedule_retry(self);
      return;
    }
    if (!st.remote || dm.source != st.remote.address())
      return;
    if (st.offered && dm.source == st.offered.address())
      st.offered = nullptr; // that process is gone: wait for its successor's offer
    st.remote = nullptr;
    st.token = session_token{};
    report(self, false, self->system().render(dm.reason));
    st.backoff = backoff_min;
    schedule_retry(self);
  });
  self->send(self, try_connect_atom::value);
  return handle_each_kind<remote_link_actor::behavior_type>(
    message_kinds{}, [self](auto& m) { forward(self, m); },
    [self](try_connect_atom) { try_connect(self); },
    [self](probed_atom, bool reachable) { probed(self, reachable); },
    [self](const cluster_welcome& w) { welcomed(self, w); },
    [self](const cluster_challenge& c) { challenged(self, c); },
    [self](offer_atom, node_endpoint theirs) {
      // A member that dials this node proved itself to this node's endpoint: say hello over
      // its connection (only links that do not dial wait for this).
      auto& st = self->state;
      if (st.cfg.dial || !theirs)
        return;
      st.offered = theirs;
      if (st.remote || st.candidate || st.refused)
        return;
      st.connecting = true;
      say_hello(self, std::move(theirs));
    },
    [self](hello_timeout_atom, std::uint64_t attempt) { hello_timed_out(self, attempt); },
    [self](refused_retry_atom, std::uint64_t refusal) {
      auto& st = self->state;
      if (!st.refused || refusal != st.refusal)
        return;
      self->demonitor(st.refused.address());
      st.refused = nullptr;
      st.backoff = backoff_min;
      try_connect(self);
    });
}

} // namespace

link_actor spawn_remote_link(caf::actor_system& sys, remote_link_config cfg) {
  return sys.spawn(remote_link, std::move(cfg));
}

} // namespace raft

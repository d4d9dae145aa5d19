#include "actors/endpoint.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <random>

#include "core/message.hpp"
#include "tls/certificate_check.hpp"

namespace raft {

namespace {

using namespace std::chrono_literals;

using flush_reports_atom = caf::atom_constant<caf::atom("flush_rep")>;

/// The endpoint's own type: the published interface plus its report timer. Only the
/// `node_endpoint` view is published (its interface is what links check); a remote party
/// that sends the timer anyway only makes due reports come out early, never more often.
using endpoint_actor = node_endpoint::extend<caf::reacts_to<flush_reports_atom>>;

constexpr std::size_t report_capacity = 64;  ///< senders tracked per kind of report
constexpr auto report_window = 1s;           ///< at most one report per sender per window
constexpr auto flush_every = 250ms;          ///< how often suppressed counts are looked at
constexpr std::size_t tokens_per_member = 2; ///< the current connection and the one before

/// A token issued in answer to a matching hello from member `id`.
struct issued_token {
  peer_id id = 0;
  std::uint64_t token = 0;
};

/// A challenge sent in answer to an acceptable hello, awaiting its member proof.
struct open_challenge {
  peer_id id = 0;
  std::string challenge;
};

/// Bytes of randomness per challenge (hex-encoded on the wire).
constexpr std::size_t challenge_bytes = 32;

struct endpoint_state {
  endpoint_config cfg;
  /// Open challenges (TLS only): at most tokens_per_member per member, oldest first.
  std::vector<open_challenge> challenges;
  /// At most tokens_per_member entries per member other than this node, oldest first.
  std::vector<issued_token> tokens;
  std::mt19937_64 rng{std::random_device{}()};
  report_limiter<sender_rejection> rejections{report_capacity, report_window};
  report_limiter<hello_refusal> refusals{report_capacity, report_window};
  bool flush_armed = false;
  static inline const char* name = "node_endpoint";
};

using endpoint_pointer = endpoint_actor::stateful_pointer<endpoint_state>;

time_point now() {
  return std::chrono::duration_cast<time_point>(
    std::chrono::steady_clock::now().time_since_epoch());
}

bool is_member(const endpoint_state& st, peer_id id) {
  return std::find(st.cfg.members.begin(), st.cfg.members.end(), id) != st.cfg.members.end();
}

/// The flush timer runs only while a limiter tracks someone, so an idle node has none.
void arm_flush(endpoint_pointer self) {
  auto& st = self->state;
  if (st.flush_armed || (st.rejections.tracked() == 0 && st.refusals.tracked() == 0))
    return;
  st.flush_armed = true;
  self->delayed_send(self, flush_every, flush_reports_atom::value);
}

void flush(endpoint_pointer self) {
  auto& st = self->state;
  st.flush_armed = false;
  auto t = now();
  for (auto& r : st.rejections.flush(t))
    if (st.cfg.on_rejected)
      st.cfg.on_rejected(r);
  for (auto& r : st.refusals.flush(t))
    if (st.cfg.on_refused)
      st.cfg.on_refused(r);
  arm_flush(self);
}

void reject(endpoint_pointer self, peer_id from, const char* kind, const char* reason) {
  auto& st = self->state;
  auto r = st.rejections.rejected(from, sender_rejection{kind, reason}, now());
  if (r && st.cfg.on_rejected)
    st.cfg.on_rejected(*r);
  arm_flush(self);
}

/// The member a token was issued to, if any.
std::optional<peer_id> holder_of(const endpoint_state& st, session_token t) {
  if (t.value == 0)
    return std::nullopt;
  auto i = std::find_if(st.tokens.begin(), st.tokens.end(),
                        [&](const issued_token& x) { return x.token == t.value; });
  if (i == st.tokens.end())
    return std::nullopt;
  return i->id;
}

template <class T>
void pass_on(endpoint_pointer self, session_token token, T& msg) {
  auto& st = self->state;
  const char* kind = kind_name(kind_index<T>::value);
  const peer_id from = sender_of(message{msg});
  if (from == st.cfg.self_id)
    return reject(self, from, kind, "own_id");
  if (!is_member(st, from))
    return reject(self, from, kind, "unknown_id");
  auto holder = holder_of(st, token);
  if (!holder)
    return reject(self, from, kind, "no_hello");
  if (*holder != from)
    return reject(self, from, kind, "other_id");
  if (st.cfg.faults && st.cfg.faults->cut(from))
    return;
  self->send(st.cfg.peer, std::move(msg));
}

/// Why a hello cannot be accepted, or nullptr.
const char* hello_problem(const endpoint_state& st, const cluster_hello& h,
                          const caf::actor& reply_to) {
  const char* reason = identity_mismatch(st.cfg.identity, h.identity);
  if (!reason && h.id == st.cfg.self_id)
    reason = "own_id";
  if (!reason && !is_member(st, h.id))
    reason = "unknown_id";
  if (!reason && !reply_to)
    reason = "no_reply_address";
  return reason;
}

void refuse(endpoint_pointer self, const cluster_hello& h, const char* reason,
            const caf::actor& reply_to, std::string detail = {}) {
  auto& st = self->state;
  auto r = st.refusals.rejected(h.id, hello_refusal{reason, h, std::move(detail)}, now());
  if (r && st.cfg.on_refused)
    st.cfg.on_refused(*r);
  arm_flush(self);
  if (reply_to)
    self->send(caf::actor_cast<hello_reply_actor>(reply_to),
               cluster_welcome{st.cfg.identity, st.cfg.self_id, h.attempt, false, {}});
}

/// Answers an accepted asker at `reply_to` with a fresh token for member `h.id`, which
/// replaces that member's oldest token when it already holds tokens_per_member of them.
void welcome(endpoint_pointer self, const cluster_hello& h, const caf::actor& reply_to) {
  auto& st = self->state;
  std::uint64_t token = 0;
  while (token == 0 || holder_of(st, session_token{token}))
    token = st.rng();
  auto& tokens = st.tokens;
  auto same_id = [&](const issued_token& x) { return x.id == h.id; };
  if (static_cast<std::size_t>(std::count_if(tokens.begin(), tokens.end(), same_id)) >=
      tokens_per_member)
    tokens.erase(std::find_if(tokens.begin(), tokens.end(), same_id));
  tokens.push_back(issued_token{h.id, token});
  self->send(caf::actor_cast<hello_reply_actor>(reply_to),
             cluster_welcome{st.cfg.identity, st.cfg.self_id, h.attempt, true,
                             session_token{token}});
}

/// Checks a hello. Without TLS an acceptable one earns a token at once; with TLS it earns a
/// challenge (replacing that member's oldest open one beyond tokens_per_member).
void hello(endpoint_pointer self, const cluster_hello& h, const caf::actor& reply_to) {
  auto& st = self->state;
  if (const char* reason = hello_problem(st, h, reply_to))
    return refuse(self, h, reason, reply_to);
  if (!st.cfg.verifier)
    return welcome(self, h, reply_to);
  auto& open = st.challenges;
  auto same_id = [&](const open_challenge& x) { return x.id == h.id; };
  if (static_cast<std::size_t>(std::count_if(open.begin(), open.end(), same_id)) >=
      tokens_per_member)
    open.erase(std::find_if(open.begin(), open.end(), same_id));
  open.push_back(open_challenge{h.id, proof_verifier::random_hex(challenge_bytes)});
  self->send(caf::actor_cast<hello_reply_actor>(reply_to),
             cluster_challenge{h.attempt, open.back().challenge});
}

/// A member proof answering an open challenge (used up either way): the token only when the
/// certificate chains to the CA, names node<claimed id> and the signature verifies.
void proof(endpoint_pointer self, const member_proof& p, const caf::actor& reply_to,
           const caf::actor& theirs) {
  auto& st = self->state;
  if (!st.cfg.verifier)
    return; // not asked for: a node without TLS never sends challenges
  if (const char* reason = hello_problem(st, p.hello, reply_to))
    return refuse(self, p.hello, reason, reply_to);
  auto& open = st.challenges;
  auto at = std::find_if(open.begin(), open.end(), [&](const open_challenge& x) {
    return x.id == p.hello.id && x.challenge == p.challenge;
  });
  if (at == open.end())
    return refuse(self, p.hello, "unknown_challenge", reply_to);
  open.erase(at);
  auto failed = st.cfg.verifier->check(
    p.certificate, member_certificate_name(p.hello.id),
    proof_text(p.challenge, st.cfg.identity.text(), p.hello.id, st.cfg.self_id), p.signature);
  if (failed)
    return refuse(self, p.hello, "bad_proof", reply_to, *failed);
  welcome(self, p.hello, reply_to);
  if (theirs && st.cfg.on_member_endpoint)
    st.cfg.on_member_endpoint(p.hello.id, caf::actor_cast<node_endpoint>(theirs));
}

endpoint_actor::behavior_type endpoint(endpoint_pointer self, endpoint_config cfg) {
  self->state.cfg = std::move(cfg);
  return handle_each_prefixed_kind<endpoint_actor::behavior_type, session_token>(
    message_kinds{}, [self](session_token t, auto& m) { pass_on(self, t, m); },
    [self](const cluster_hello& h, const caf::actor& reply_to) { hello(self, h, reply_to); },
    [self](const member_proof& p, const caf::actor& reply_to, const caf::actor& theirs) {
      proof(self, p, reply_to, theirs);
    },
    [self](status_atom) -> caf::delegated<node_status> {
      return self->delegate(self->state.cfg.peer, status_atom::value);
    },
    [self](client_request& r) -> caf::delegated<client_reply> {
      return self->delegate(self->state.cfg.peer, std::move(r));
    },
    [self](watch_atom, const caf::actor& who) {
      if (self->state.cfg.feed)
        self->send(self->state.cfg.feed, watch_atom::value, who);
    },
    [self](flush_reports_atom) { flush(self); });
}

} // namespace

node_endpoint spawn_endpoint(caf::actor_system& sys, endpoint_config cfg) {
  return sys.spawn(endpoint, std::move(cfg));
}

} // namespace raft

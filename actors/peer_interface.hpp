#pragma once
/// The CAF interfaces of a Raft peer and of a link to a peer.
///
/// Every interface that carries wire messages is generated from `message_kinds`
/// (core/message.hpp), as are the handlers for them (`handle_each_kind`), so a new kind is
/// added in one place.
///
/// A `link_actor` is how a peer reaches another peer: it accepts the wire messages and
/// delivers them (or loses them) — the test cluster's simulated network and the remote link
/// to another host both implement it, and the peer cannot tell which it holds.
///
/// A `peer_actor` accepts the wire messages from its links, its own timer messages (each
/// with the generation the core armed it with; stale generations are ignored by the core),
/// `get_state` → (term, is_leader) as in the course's GetState(), `get_vote` → (term,
/// voted_for, 0 for none) as the core holds them now (tests compare it with the store), and
/// `kill`, after which it
/// sends nothing and stops (timers included: a stopped actor receives no more timers), and
/// `status` → its id, term, role and known leader; `link_down`/`link_up` from its links when
/// the connection to a peer drops or returns (the crash fast path, core/node.hpp);
/// `propose` with a command → (index, term, is_leader) at once, as the course's Start();
/// `snapshot` with an index and the service's bytes, as the course's Snapshot(); its own
/// `sync` (group commit, actors/peer.cpp); and `client_request` → `client_reply`, the
/// replicated state machine's client interface (messages/client.hpp).

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "core/message.hpp"
#include "core/role.hpp"
#include "messages/client.hpp"
#include "messages/control.hpp"
#include "messages/hello.hpp"
#include "messages/wire.hpp"

namespace raft {

using election_timer_atom = caf::atom_constant<caf::atom("elect_tmr")>;
using heartbeat_timer_atom = caf::atom_constant<caf::atom("beat_tmr")>;
using get_state_atom = caf::atom_constant<caf::atom("get_state")>;
using get_vote_atom = caf::atom_constant<caf::atom("get_vote")>;
using kill_atom = caf::atom_constant<caf::atom("kill")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using link_down_atom = caf::atom_constant<caf::atom("link_down")>;
using link_up_atom = caf::atom_constant<caf::atom("link_up")>;
using watch_atom = caf::atom_constant<caf::atom("watch")>; ///< actors/role_feed.hpp
using propose_atom = caf::atom_constant<caf::atom("propose")>;
using snapshot_atom = caf::atom_constant<caf::atom("snapshot")>;
using sync_atom = caf::atom_constant<caf::atom("sync")>;

/// Interfaces over every message kind: `T` for each, or `(Prefix, T)` for each.
template <class List>
struct kind_interfaces;
template <class... Ts>
struct kind_interfaces<type_list<Ts...>> {
  using plain = caf::typed_actor<caf::reacts_to<Ts>...>;
  template <class Prefix>
  using prefixed = caf::typed_actor<caf::reacts_to<Prefix, Ts>...>;
};

/// One handler per message kind calling `f(msg)`, then `more` handlers: the behaviour of an
/// actor whose interface is generated from `message_kinds`.
template <class Behavior, class... Ts, class F, class... More>
Behavior handle_each_kind(type_list<Ts...>, F f, More... more) {
  return Behavior{[f](Ts& m) { f(m); }..., std::move(more)...};
}
/// The same for `(Prefix, T)` messages, calling `f(prefix, msg)`.
template <class Behavior, class Prefix, class... Ts, class F, class... More>
Behavior handle_each_prefixed_kind(type_list<Ts...>, F f, More... more) {
  return Behavior{[f](Prefix p, Ts& m) { f(p, m); }..., std::move(more)...};
}

using link_actor = kind_interfaces<message_kinds>::plain;

using peer_actor = link_actor::extend<
  caf::reacts_to<election_timer_atom, std::uint64_t>,
  caf::reacts_to<heartbeat_timer_atom, std::uint64_t>,
  caf::replies_to<get_state_atom>::with<term_t, bool>,
  caf::replies_to<get_vote_atom>::with<term_t, peer_id>,
  caf::replies_to<status_atom>::with<node_status>,
  caf::reacts_to<link_down_atom, peer_id>,
  caf::reacts_to<link_up_atom, peer_id>,
  caf::reacts_to<kill_atom>,
  caf::replies_to<propose_atom, std::string>::with<log_index, term_t, bool>,
  caf::reacts_to<snapshot_atom, log_index, std::string>,
  caf::reacts_to<sync_atom>,
  caf::replies_to<client_request>::with<client_reply>>;

/// What a link's hello carries as its reply address: the link receives the endpoint's
/// `cluster_welcome` there, and with TLS first its `cluster_challenge`.
using hello_reply_actor =
  caf::typed_actor<caf::reacts_to<cluster_welcome>, caf::reacts_to<cluster_challenge>>;

/// What a node publishes on its port for other hosts (actors/endpoint.hpp): each wire message
/// with the session token its sender's hello earned (forwarded to the peer only when the
/// token was issued to the member the message names), `cluster_hello` with the address for
/// the welcome, with TLS the `member_proof` answering the endpoint's challenge (with the
/// address for the welcome and the prover's own endpoint), `status` for operators, and
/// `watch` with the address to push role changes to (actors/role_feed.hpp), and clients'
/// `client_request`s (passed to the peer). Timers and `kill` are deliberately absent, so no
/// remote party can reach them.
using node_endpoint = kind_interfaces<message_kinds>::prefixed<session_token>::extend<
  caf::reacts_to<cluster_hello, caf::actor>, caf::reacts_to<member_proof, caf::actor, caf::actor>,
  caf::replies_to<status_atom>::with<node_status>, caf::reacts_to<watch_atom, caf::actor>,
  caf::replies_to<client_request>::with<client_reply>>;

} // namespace raft

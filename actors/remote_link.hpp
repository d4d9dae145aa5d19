#pragma once
/// A link to a peer on another host, through CAF's middleman.
///
/// One actor per remote peer keeps the connection: it first checks with a time-limited
/// non-blocking probe (net/tcp_probe.hpp) that the host answers — so a dead or
/// black-holed host never blocks the shared middleman —, then asks the middleman to connect
/// with a timeout, checks the remote's typed interface, sends it this node's
/// `cluster_hello` (messages/hello.hpp) and monitors it. When the remote goes down (killed,
/// restarted, or frozen past the middleman's connection timeout, config/transport_timing.hpp)
/// it reconnects with capped, jittered exponential backoff. While disconnected, messages are
/// dropped, never queued: Raft treats a lost message like any network loss.
///
/// The link is up only once the remote has answered the hello with this cluster's identity,
/// the member id the config gives its address, and its acceptance. Otherwise the remote is
/// refused: `on_refused` is called, no Raft message is ever sent to it, and the link asks
/// again when that process goes down (its replacement, e.g. restarted with a fixed config,
/// gets a fresh hello) or after 5 s, whichever comes first: a running process cannot change
/// its identity, but the answer may not have been its own (CAF 0.17 can deliver a hello to
/// another node's actor of the same id: remote_link.cpp).

#include <cstdint>
#include <functional>
#include <string>

#include <memory>

#include "actors/fault_switch.hpp"
#include "actors/peer_interface.hpp"
#include "messages/hello.hpp"
#include "tls/member_proof.hpp"

namespace caf {
class actor_system;
}

namespace raft {

struct remote_link_config {
  peer_id peer = 0;
  std::string host;
  std::uint16_t port = 0;
  /// This node's identity and id, sent first on every connection.
  cluster_hello hello;
  /// Called from the link's thread when the connection comes up (true) or goes down.
  std::function<void(peer_id peer, bool up, const std::string& detail)> on_change;
  /// Called from the link's thread each time the node at host:port is refused (at most once
  /// per 5 s while that process lives): `reason` is another_cluster_id, another_member_list, another_member_id (it says
  /// it is another member than the config's `peer`) or refused_by_peer (the identities match
  /// but it refused our hello: it believes it is this node's id, or this id is not its
  /// member); `theirs` is its answer.
  std::function<void(peer_id peer, const std::string& reason, const cluster_hello& theirs)>
    on_refused;
  /// With [tls]: this node's certificate and key, to answer the endpoint's challenge with
  /// a member proof (tls/member_proof.hpp). Without it a challenge goes unanswered (the
  /// hello times out and is tried again).
  std::shared_ptr<const member_signer> signer;
  /// Whether this link dials its member. With TLS only the member with the lower id dials,
  /// and the member with the higher id waits for `offer_atom` with the lower one's endpoint
  /// — sent by this node's endpoint once that member proved itself — and says its hello over
  /// that connection (asking again at that endpoint after a lost welcome). When both dialed,
  /// CAF closed the redundant second connection, and with CAF 0.17.6's OpenSSL module that
  /// close also took down the first (seen on loopback: links up and down with
  /// remote_link_unreachable every 1–2 s, no leader; the error-queue fix of
  /// tls/openssl_error_queue.cpp came later and may have been the cause, but one connection
  /// per pair is what the tests cover).
  bool dial = true;
  /// This node's own endpoint, sent with each member proof so the other side can offer it
  /// to its link (null until the endpoint exists; the hello is then tried again later).
  std::function<caf::actor()> local_endpoint;
  /// Fault injection (tests and benchmarks only): drop what goes to a cut peer.
  std::shared_ptr<const fault_switch> faults;
};

using offer_atom = caf::atom_constant<caf::atom("offer")>;

/// Spawns the link on the actor system's shared workers: a message from a peer on the same
/// workers reaches it without a thread wake-up. Its probe, which blocks for up to 300 ms,
/// runs on a short-lived thread of its own for each connection attempt.
link_actor spawn_remote_link(caf::actor_system& sys, remote_link_config cfg);

} // namespace raft

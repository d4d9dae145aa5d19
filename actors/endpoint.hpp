#pragma once
/// The actor a node publishes on its port (`node_endpoint`): it checks who sends each wire
/// message before passing it on to the local peer, and answers `status` and `cluster_hello`.
///
/// Who may send: a remote node's link first sends a `cluster_hello` with its member id and
/// this cluster's identity (messages/hello.hpp); the endpoint answers with a
/// `cluster_welcome` and, when the identity matches and the id is a member other than this
/// node, a fresh session token for that member. Every wire message arrives with a token, and
/// the endpoint passes it on only when
/// - it does not claim this node's own id (`own_id`: no other process may speak for this
///   node, and Figure 2 never has a node message itself),
/// - it claims a member of this cluster (`unknown_id`),
/// - its token was issued by this endpoint (`no_hello`), and
/// - to the very member the message claims (`other_id`).
/// Anything else is dropped and reported through `on_rejected`; a refused hello is reported
/// through `on_refused`, and the asker learns why from the welcome (the endpoint's own
/// identity and id, and `accepted` false). A node whose config differs from this one's
/// therefore never gets a Raft message through, whatever its links do. The check is against
/// mistakes, not attackers: a process that knows the config can present its identity, and
/// tokens travel in the clear (messages/hello.hpp).
///
/// Tokens rather than CAF's sender: when two CAF 0.17 nodes connect to each other at the
/// same moment, the messages on one of the two connections arrive without a sender (seen in
/// the process tests at cluster start), so neither a sender check nor a CAF response would
/// work there; a token and an explicit reply address do.
///
/// Bounded bookkeeping: at most two tokens per other member (the current connection and the
/// one before a reconnect or restart; a newer one replaces the oldest), and the reports go
/// through report_limiter (at most one per claimed sender per second, with the count of the
/// suppressed ones, at most 64 senders tracked plus one entry for all others). No table
/// grows with the number of sender ids a forger invents. The price of the bound: a process
/// that presents a member's identity twice displaces that member's token, and the member's
/// messages are then dropped (`no_hello`) until its link reconnects — one more reason the
/// identity is no defence against a process that has read the config.
///
/// With TLS (`verifier` set) the hello is only the first step: the endpoint answers it with a
/// fresh random challenge (at most two outstanding per member, the older one dropped), and
/// issues the token only for a `member_proof` whose certificate chains to the cluster CA,
/// names `node<claimed id>`, and whose signature over the challenge, the identity, the
/// claimed id and this node's id verifies. A holder of another member's certificate lacks
/// that member's private key and cannot sign; a signature for one challenge or one node is
/// useless for any other. So every message that passes carries a token earned by the holder
/// of the claimed member's key. Token displacement remains, but only by that key's holder.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/fault_switch.hpp"
#include "actors/peer_interface.hpp"
#include "actors/report_limiter.hpp"
#include "actors/role_feed.hpp"
#include "messages/hello.hpp"
#include "tls/member_proof.hpp"

namespace caf {
class actor_system;
}

namespace raft {

/// Why a wire message was dropped.
struct sender_rejection {
  std::string kind;   ///< the message kind (core/message.hpp's kind_name)
  std::string reason; ///< own_id, unknown_id, no_hello or other_id (see above)
};

/// Why a hello was refused.
struct hello_refusal {
  /// another_cluster_id, another_member_list, own_id (the asker claims this node's id),
  /// unknown_id (the asker's id is not a member), no_reply_address (a null reply handle),
  /// or with TLS bad_proof (the member proof failed: `detail` says why) and
  /// unknown_challenge (a proof for no challenge outstanding, e.g. replayed)
  std::string reason;
  cluster_hello remote; ///< what the asker sent
  std::string detail;   ///< for bad_proof: what failed
};

struct endpoint_config {
  peer_actor peer;
  peer_id self_id = 0;
  std::vector<peer_id> members; ///< this node included
  cluster_identity identity;    ///< this node's (config/cluster_identity.hpp)
  /// Called from the endpoint's thread, rate-limited (see above).
  std::function<void(const report_limiter<sender_rejection>::report&)> on_rejected;
  std::function<void(const report_limiter<hello_refusal>::report&)> on_refused;
  /// Where `watch` requests go (actors/role_feed.hpp); without one they are ignored.
  role_feed_actor feed;
  /// With [tls]: the cluster CA. An acceptable hello then gets a challenge, and the token
  /// only a member proof signed with the key of a certificate naming the claimed id
  /// (tls/member_proof.hpp). Without it the hello alone earns the token.
  std::shared_ptr<const proof_verifier> verifier;
  /// With TLS, called from the endpoint's thread when member `id` proved itself, with that
  /// member's own endpoint: the link to a member this node does not dial says its hello
  /// there, over the connection the member opened (actors/remote_link.hpp says why).
  std::function<void(peer_id id, const node_endpoint& theirs)> on_member_endpoint;
  /// Fault injection (tests and benchmarks only): drop what comes from a cut peer.
  std::shared_ptr<const fault_switch> faults;
};

node_endpoint spawn_endpoint(caf::actor_system& sys, endpoint_config cfg);

} // namespace raft

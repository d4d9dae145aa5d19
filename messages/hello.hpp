#pragma once
/// The cluster identity two nodes compare before any Raft message passes between them, and
/// the `cluster_hello` that carries it (how it is computed: config/cluster_identity.hpp;
/// why and how it is checked: config/README.md and actors/endpoint.hpp). CAF-free.
///
/// Not a security boundary: the identity is a checksum of a config, not a secret, and
/// anyone who can read a member's config can present it. It catches mistakes — a node of
/// another cluster, or a member started with another member list, which would count
/// another quorum — and keeps such a node from exchanging any Raft message with this
/// cluster. Authentication (TLS with certificates) is a separate, later step.

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>

#include "messages/wire.hpp"

namespace raft {

/// What makes two nodes members of one cluster.
///
/// Invariant: two nodes may exchange Raft messages only when their identities are equal.
/// Both parts are compared: `cluster_id` names the cluster (two clusters can be told apart
/// even on reused addresses), and `members` pins the member list, because two nodes that
/// count different members count different majorities and could each elect a leader in
/// one term (§5.2's Election Safety rests on every quorum overlapping every other).
struct cluster_identity {
  std::string cluster_id;    ///< `node.cluster_id` of the config; empty when it has none
  std::uint64_t members = 0; ///< fingerprint of the member list (config/cluster_identity.hpp)

  /// How events print it: "CLUSTER_ID/members-HEX16", or "members-HEX16" without an id.
  std::string text() const {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(members));
    return (cluster_id.empty() ? std::string() : cluster_id + "/") + "members-" + hex;
  }

  friend bool operator==(const cluster_identity& a, const cluster_identity& b) {
    return a.cluster_id == b.cluster_id && a.members == b.members;
  }
  friend bool operator!=(const cluster_identity& a, const cluster_identity& b) {
    return !(a == b);
  }
};

/// Why two identities differ, as the `reason` of a `peer_refused` event
/// ("another_cluster_id" or "another_member_list"), or nullptr when they are equal.
inline const char* identity_mismatch(const cluster_identity& mine,
                                     const cluster_identity& theirs) {
  if (mine.cluster_id != theirs.cluster_id)
    return "another_cluster_id";
  if (mine.members != theirs.members)
    return "another_member_list";
  return nullptr;
}

/// The first message a link sends to another node's endpoint: who the sender is and which
/// cluster it believes it belongs to. It travels with the link's own actor handle, and the
/// endpoint answers with a `cluster_welcome` sent to that handle. (Not a CAF request: when
/// two CAF 0.17 nodes connect to each other at the same moment, the messages on one of the
/// two connections can arrive without a sender, so a response would have nowhere to go.)
struct cluster_hello {
  cluster_identity identity;
  peer_id id = 0;            ///< the sender's member id (`node.id` of its config)
  std::uint64_t attempt = 0; ///< echoed in the welcome, so a late answer is recognised
  friend bool operator==(const cluster_hello& a, const cluster_hello& b) {
    return a.identity == b.identity && a.id == b.id && a.attempt == b.attempt;
  }
};

/// Proof that the sender of a wire message said a matching hello: the token the endpoint
/// issued for it. Every wire message a link sends carries the token of its connection, and
/// the endpoint passes on only messages whose token it issued to the member they name.
/// 0 is never issued. A random number, not a secret (see the top of this file).
struct session_token {
  std::uint64_t value = 0;
  friend bool operator==(const session_token& a, const session_token& b) {
    return a.value == b.value;
  }
};

/// The endpoint's answer to a hello: its own identity and member id, whether it accepted the
/// asker and, if so, the token for the asker's wire messages.
struct cluster_welcome {
  cluster_identity identity;
  peer_id id = 0;            ///< the endpoint's member id
  std::uint64_t attempt = 0; ///< the hello's
  bool accepted = false;
  session_token token;       ///< {0} when not accepted
  friend bool operator==(const cluster_welcome& a, const cluster_welcome& b) {
    return a.identity == b.identity && a.id == b.id && a.attempt == b.attempt &&
           a.accepted == b.accepted && a.token == b.token;
  }
};

/// With TLS: the endpoint's answer to an acceptable hello before any token, sent to the
/// hello's reply address. The asker must prove it holds the key of a certificate naming
/// its claimed id (tls/member_proof.hpp) by answering with a `member_proof`.
struct cluster_challenge {
  std::uint64_t attempt = 0; ///< the hello's
  std::string challenge;     ///< fresh random hex, used once
  friend bool operator==(const cluster_challenge& a, const cluster_challenge& b) {
    return a.attempt == b.attempt && a.challenge == b.challenge;
  }
};

/// The answer to a `cluster_challenge`, sent to the endpoint with the reply address for the
/// welcome: the hello again, the challenge, the sender's certificate (PEM) and its signature
/// over proof_text(challenge, identity text, hello.id, the endpoint's id).
struct member_proof {
  cluster_hello hello;
  std::string challenge;
  std::string certificate;
  std::string signature;
  friend bool operator==(const member_proof& a, const member_proof& b) {
    return a.hello == b.hello && a.challenge == b.challenge && a.certificate == b.certificate &&
           a.signature == b.signature;
  }
};

template <class Inspector>
auto inspect(Inspector& f, cluster_challenge& x) {
  return f(x.attempt, x.challenge);
}

template <class Inspector>
auto inspect(Inspector& f, member_proof& x) {
  return f(x.hello, x.challenge, x.certificate, x.signature);
}

template <class Inspector>
auto inspect(Inspector& f, cluster_identity& x) {
  return f(x.cluster_id, x.members);
}

template <class Inspector>
auto inspect(Inspector& f, cluster_hello& x) {
  return f(x.identity, x.id, x.attempt);
}

template <class Inspector>
auto inspect(Inspector& f, session_token& x) {
  return f(x.value);
}

template <class Inspector>
auto inspect(Inspector& f, cluster_welcome& x) {
  return f(x.identity, x.id, x.attempt, x.accepted, x.token);
}

} // namespace raft

#pragma once
/// The proof a member gives at the hello that it holds the private key of a certificate the
/// cluster CA issued for its id (README "Mutual TLS"). CAF-free, OpenSSL's C API.
///
/// Why: CAF 0.17's OpenSSL module checks that a connection's certificate chains to the CA,
/// but tells the application neither which certificate a connection carried nor which
/// connection a message came over. So the binding of member ids to certificates is made at
/// the hello: the endpoint sends a fresh random challenge; the link answers with its
/// certificate and a signature, made with its private key, over proof_text (the challenge,
/// the cluster identity, the claimed id and the endpoint's id); the endpoint checks that the
/// certificate chains to its CA, is valid now, names `node<claimed id>`, and that the
/// signature verifies with the certificate's key. Only then does it issue the session token
/// for that id, and every later message claiming that id must carry that token.

#include <memory>
#include <optional>
#include <string>

#include "config/cluster_config.hpp"

namespace raft {

/// What is signed: a fixed label, the challenge, the cluster identity's text, the claimed
/// member id and the id of the endpoint that asked. The endpoint's id and the identity keep
/// a signature made for one endpoint or cluster from being replayed to another; the fresh
/// challenge keeps one from being replayed at all.
std::string proof_text(const std::string& challenge, const std::string& identity,
                       peer_id claimed, peer_id verifier);

/// This process's certificate (PEM) and private key, for answering challenges.
class member_signer {
public:
  /// Loads the files of `tls`; nothing (and `why`) when they cannot be read.
  static std::shared_ptr<const member_signer> load(const tls_settings& tls, std::string& why);
  ~member_signer();

  const std::string& certificate_pem() const { return cert_pem_; }
  /// A signature of `text` (SHA-256 with the key's algorithm); empty on failure.
  std::string sign(const std::string& text) const;

private:
  struct key_holder;
  member_signer() = default;
  std::string cert_pem_;
  std::unique_ptr<key_holder> key_;
};

/// Checks proofs against the cluster CA.
class proof_verifier {
public:
  /// Loads the CA certificates of `ca_file`; nothing (and `why`) when they cannot be read.
  static std::shared_ptr<const proof_verifier> load(const std::string& ca_file, std::string& why);
  ~proof_verifier();

  /// Nothing when `certificate_pem` chains to the CA, is valid now, carries `expected_name`
  /// (subject CN or DNS SAN) and `signature` is its key's signature of `text`; otherwise
  /// the reason, one line.
  std::optional<std::string> check(const std::string& certificate_pem,
                                   const std::string& expected_name, const std::string& text,
                                   const std::string& signature) const;

  /// `n` random bytes from OpenSSL's generator, hex-encoded (a challenge).
  static std::string random_hex(std::size_t n);

private:
  struct store_holder;
  proof_verifier() = default;
  std::unique_ptr<store_holder> store_;
};

} // namespace raft

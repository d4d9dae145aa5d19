#pragma once
/// How the members of a host cluster talk to each other.
///
/// Every hosts test is a Catch2 TEMPLATE_TEST_CASE over the types in RAFT_HOST_TRANSPORTS,
/// so each scenario runs once per transport, named "<sentence> - <type>". A transport type
/// has a `name`, `tls` (whether it gives the nodes a [tls] table), a `node_config(id, dir)` that returns extra TOML for node `id`'s config and
/// an `operator_config(dir)` that returns extra TOML for the operator's (raftctl's) config;
/// both are called once the cluster's directory `dir` exists, node_config first for every
/// node in id order, so a TLS transport can write the CA and each node's certificate and key
/// there and return the `[tls]` tables naming them. Adding a type to RAFT_HOST_TRANSPORTS
/// runs every scenario over it too.

#include <cstdint>
#include <functional>
#include <string>

namespace raft::hosts {

/// The transport as the harness uses it.
struct transport {
  std::string name;
  bool tls = false; ///< the nodes' configs have [tls] (their `started` event says so)
  std::function<std::string(std::uint64_t id, const std::string& dir)> node_config;
  std::function<std::string(const std::string& dir)> operator_config;
};

/// Members talk plain TCP (no [tls] table).
struct plain_tcp {
  static constexpr const char* name = "plain TCP";
  static constexpr bool tls = false;
  static std::string node_config(std::uint64_t, const std::string&) { return {}; }
  static std::string operator_config(const std::string&) { return {}; }
};

/// Mutual TLS, with the certificates an operator makes by the deploy walkthrough
/// (deploy/README.md, step 1b): `deploy/make-certs DIR/pki ID` for each node, which makes the
/// cluster CA on the first call and reuses it after, a certificate and key naming
/// `node<ID>`, and raftctl's client certificate (CN raftctl). Each node's config gets a
/// `[tls]` table naming its own files; the operator's names raftctl's, as the walkthrough's
/// `cluster.toml` does. Needs the `openssl` command (installed by scripts/setup).
struct mutual_tls {
  static constexpr const char* name = "mutual TLS";
  static constexpr bool tls = true;
  static std::string node_config(std::uint64_t id, const std::string& dir);
  static std::string operator_config(const std::string& dir);
};

template <class T>
transport transport_of() {
  return {T::name, T::tls, &T::node_config, &T::operator_config};
}

} // namespace raft::hosts

/// The transports every hosts scenario runs over.
/// Names are written unqualified, so that they read well in test names: a test file says
/// `using namespace raft::hosts;`.
#define RAFT_HOST_TRANSPORTS plain_tcp, mutual_tls

#pragma once
/// How the members of a host cluster talk to each other.
///
/// Every hosts test is a Catch2 TEMPLATE_TEST_CASE over the types in RAFT_HOST_TRANSPORTS,
/// so each scenario runs once per transport, named "<sentence> - <type>". A transport type
/// has a `name` and a `node_config(id, dir)` that returns extra TOML for node `id`'s config;
/// it is called once the cluster's directory `dir` exists, so a TLS transport can write the
/// CA and the node's certificate and key there and return the `[tls]` table naming them.
/// Adding it to RAFT_HOST_TRANSPORTS runs every scenario over it too.

#include <cstdint>
#include <functional>
#include <string>

namespace raft::hosts {

/// The transport as the harness uses it.
struct transport {
  std::string name;
  std::function<std::string(std::uint64_t id, const std::string& dir)> node_config;
};

/// Members talk plain TCP (no [tls] table).
struct plain_tcp {
  static constexpr const char* name = "plain TCP";
  static std::string node_config(std::uint64_t, const std::string&) { return {}; }
};

template <class T>
transport transport_of() {
  return {T::name, &T::node_config};
}

} // namespace raft::hosts

/// The transports every hosts scenario runs over.
/// Names are written unqualified, so that they read well in test names: a test file says
/// `using namespace raft::hosts;`.
#define RAFT_HOST_TRANSPORTS plain_tcp

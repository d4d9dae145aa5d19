#pragma once
/// Helpers of the TLS process tests: certificates for a cluster_dir's nodes and its [tls]
/// tables (certificates made by tests/tls/test_certs.hpp).

#include <map>
#include <optional>
#include <string>

#include "testing/node_harness.hpp"
#include "tests/tls/test_certs.hpp"
#include "transport_test_util.hpp"

namespace raft::process {

using raft_test::test_identity;


/// The [tls] table naming DIR/ca.pem, DIR/NAME.pem and DIR/NAME.key.
inline std::string tls_table(const cluster_dir& c, const std::string& ca, const std::string& name) {
  return "\n[tls]\nca_file = \"" + c.path(ca) + "\"\ncert_file = \"" + c.path(name + ".pem") +
         "\"\nkey_file = \"" + c.path(name + ".key") + "\"\n";
}

/// Writes `who`'s certificate and key as DIR/NAME.pem and DIR/NAME.key.
inline void write_identity(const cluster_dir& c, const test_identity& who, const std::string& name) {
  who.write_cert(c.path(name + ".pem"));
  who.write_key(c.path(name + ".key"));
}

/// Gives every node of `c` a certificate for node<ID> signed by `ca` (written as ca.pem) and
/// appends a [tls] table to its config.
inline void secure(cluster_dir& c, const test_identity& ca) {
  ca.write_cert(c.path("ca.pem"));
  for (auto id : c.ids()) {
    const std::string name = "node" + std::to_string(id);
    write_identity(c, test_identity::make_signed(ca, name), name);
    write_file(c.config(id), *read_file(c.config(id)) + tls_table(c, "ca.pem", name));
  }
}

/// Every node's stored term and vote.
inline std::map<std::uint64_t, std::optional<stored_state>> stored(const cluster_dir& c) {
  std::map<std::uint64_t, std::optional<stored_state>> out;
  for (auto id : c.ids())
    out[id] = read_state_file(c.data_dir(id));
  return out;
}


/// `raftctl status` once every node of `c` answers it (at most 10 s): a TLS connect costs
/// more than a plain one, and on a loaded machine raftctl's 2 s deadline can pass before a
/// node answers, which says nothing about the leader or the term the tests check.
inline status_result answered_status(const cluster_dir& c) {
  status_result s;
  eventually(
    [&] {
      s = c.status();
      return s.reachable() == c.size();
    },
    10s, 100ms);
  return s;
}

} // namespace raft::process

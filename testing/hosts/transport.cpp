#include "transport.hpp"

#include "system_command.hpp"

namespace raft::hosts {

namespace {

/// The [tls] table naming DIR/pki/ca.pem and DIR/pki/NAME.pem, NAME.key.
std::string tls_table(const std::string& dir, const std::string& name) {
  const auto pki = dir + "/pki/";
  return "[tls]\nca_file = \"" + pki + "ca.pem\"\ncert_file = \"" + pki + name +
         ".pem\"\nkey_file = \"" + pki + name + ".key\"\n";
}

} // namespace

std::string mutual_tls::node_config(std::uint64_t id, const std::string& dir) {
  require_tool("openssl"); // make-certs says so too, but less plainly inside a test
  run_checked({require_tool("bash"), RAFT_MAKE_CERTS_PATH, dir + "/pki", std::to_string(id)});
  return tls_table(dir, "node" + std::to_string(id));
}

std::string mutual_tls::operator_config(const std::string& dir) {
  // make-certs made raftctl's certificate with the first node's.
  return tls_table(dir, "raftctl");
}

} // namespace raft::hosts

#pragma once
/// Start-up checks of the [tls] files (config/cluster_config.hpp), with OpenSSL's C API.
/// CAF-free: CAF's OpenSSL module reports a bad file only as an exception without the file's
/// name, and accepts an expired or misnamed certificate of its own; these checks run first so
/// an operator gets one line per problem naming the config file, line and key.

#include <string>
#include <vector>

#include "config/cluster_config.hpp"

typedef struct x509_st X509;

namespace raft {

/// True when `name` is the subject CN or a DNS SAN of `cert`, exactly (no wildcards).
bool certificate_names(X509* cert, const std::string& name);

/// The name a member's certificate must carry (subject CN or a DNS SAN): `node<ID>`.
std::string member_certificate_name(peer_id id);

/// Checks the three files of `tls` and returns one line per problem (empty when all is well),
/// each `CONFIG:LINE:COL: tls.KEY: PATH: message`, where `config_file` names the config:
/// - a file that cannot be read or holds no PEM certificate / key;
/// - a key that is not the private key of the certificate;
/// - a certificate that has expired or is not yet valid;
/// - a certificate not signed by (a chain to) the CA in `ca_file`;
/// - when `expected_name` is not empty, a certificate whose subject CN is not `expected_name`
///   and that has no DNS SAN equal to it (member N: member_certificate_name(N); raftctl
///   passes "" and accepts any certificate the CA signed).
std::vector<std::string> check_tls_files(const tls_settings& tls, const std::string& expected_name,
                                         const std::string& config_file);

} // namespace raft

#pragma once
/// Test certificates made with OpenSSL's C API: a CA and certificates it signs, with any
/// name and validity window (an expired one included, which the openssl 3.0 command line
/// cannot make without a CA database). Shared by the unit and process tests of TLS.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace raft_test {

/// A private key and its certificate, kept in memory and written as PEM files.
class test_identity {
public:
  struct impl;
  test_identity();
  test_identity(test_identity&&) noexcept;
  test_identity& operator=(test_identity&&) noexcept;
  ~test_identity();

  /// A self-signed CA named `cn`.
  static test_identity make_ca(const std::string& cn);

  /// A certificate for `cn` (and DNS SANs `dns`) signed by `ca`, valid from now + `from` to
  /// now + `until` (negative values lie in the past).
  static test_identity make_signed(const test_identity& ca, const std::string& cn,
                                   const std::vector<std::string>& dns = {},
                                   std::chrono::seconds from = std::chrono::hours(-1),
                                   std::chrono::seconds until = std::chrono::hours(24));

  /// Writes the certificate (PEM) to `path`.
  void write_cert(const std::string& path) const;
  /// Writes the private key (PEM, unencrypted, mode 0600) to `path`.
  void write_key(const std::string& path) const;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace raft_test

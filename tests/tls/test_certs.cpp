#include "tests/tls/test_certs.hpp"

#include <cstdio>
#include <stdexcept>

#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace raft_test {

struct test_identity::impl {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  ~impl() {
    EVP_PKEY_free(key);
    X509_free(cert);
  }
};

namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test certificate: ") + what);
}

EVP_PKEY* new_key() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  require(key != nullptr, "EVP_EC_gen");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  require(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

/// A version-3 certificate for `key` named `cn`, valid over [now+from, now+until].
X509* new_cert(EVP_PKEY* key, const std::string& cn, std::chrono::seconds from,
               std::chrono::seconds until) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  unsigned char serial[8];
  RAND_bytes(serial, sizeof serial);
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert), static_cast<long>(from.count()));
  X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(until.count()));
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  return cert;
}

} // namespace

test_identity::test_identity() : impl_(std::make_unique<impl>()) {}
test_identity::test_identity(test_identity&&) noexcept = default;
test_identity& test_identity::operator=(test_identity&&) noexcept = default;
test_identity::~test_identity() = default;

test_identity test_identity::make_ca(const std::string& cn) {
  test_identity id;
  id.impl_->key = new_key();
  X509* cert = new_cert(id.impl_->key, cn, std::chrono::hours(-1), std::chrono::hours(24 * 30));
  id.impl_->cert = cert;
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  add_extension(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert, cert, NID_subject_key_identifier, "hash");
  require(X509_sign(cert, id.impl_->key, EVP_sha256()) > 0, "sign CA");
  return id;
}

test_identity test_identity::make_signed(const test_identity& ca, const std::string& cn,
                                         const std::vector<std::string>& dns,
                                         std::chrono::seconds from, std::chrono::seconds until) {
  test_identity id;
  id.impl_->key = new_key();
  X509* cert = new_cert(id.impl_->key, cn, from, until);
  id.impl_->cert = cert;
  X509_set_issuer_name(cert, X509_get_subject_name(ca.impl_->cert));
  add_extension(cert, ca.impl_->cert, NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert, ca.impl_->cert, NID_ext_key_usage, "serverAuth,clientAuth");
  if (!dns.empty()) {
    std::string sans;
    for (auto& d : dns) sans += (sans.empty() ? "DNS:" : ",DNS:") + d;
    add_extension(cert, ca.impl_->cert, NID_subject_alt_name, sans);
  }
  require(X509_sign(cert, ca.impl_->key, EVP_sha256()) > 0, "sign");
  return id;
}

void test_identity::write_cert(const std::string& path) const {
  std::FILE* f = std::fopen(path.c_str(), "w");
  require(f != nullptr, "open cert file");
  PEM_write_X509(f, impl_->cert);
  std::fclose(f);
}

void test_identity::write_key(const std::string& path) const {
  std::FILE* f = std::fopen(path.c_str(), "w");
  require(f != nullptr, "open key file");
  ::chmod(path.c_str(), 0600);
  PEM_write_PrivateKey(f, impl_->key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
}

} // namespace raft_test

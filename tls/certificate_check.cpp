#include "tls/certificate_check.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace raft {

namespace {

struct x509_free {
  void operator()(X509* x) const { X509_free(x); }
};
struct pkey_free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct store_free {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct store_ctx_free {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct bio_free {
  void operator()(BIO* b) const { BIO_free(b); }
};
using x509_ptr = std::unique_ptr<X509, x509_free>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

/// The prefix of every error about `file`: `CONFIG:LINE:COL: tls.KEY: PATH: `.
std::string prefix(const std::string& config_file, const char* key, const tls_file& file) {
  return config_file + ":" + std::to_string(file.line) + ":" + std::to_string(file.column) +
         ": tls." + key + ": " + file.path + ": ";
}

/// The oldest queued OpenSSL error as text (and clears the queue), or `fallback`.
std::string openssl_reason(const char* fallback) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return fallback;
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? reason : fallback;
}

/// Opens `path` for reading as a BIO, or says why not.
std::unique_ptr<BIO, bio_free> open_file(const std::string& path, std::string& why) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    why = std::string("cannot read: ") + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<BIO, bio_free>(BIO_new_fp(f, BIO_CLOSE));
}

/// Every certificate in a PEM file (the first is the leaf of a chain file).
std::vector<x509_ptr> read_certificates(const std::string& path, std::string& why) {
  std::vector<x509_ptr> result;
  auto bio = open_file(path, why);
  if (!bio) return result;
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
    result.emplace_back(x);
  ERR_clear_error(); // the read past the last certificate always fails
  if (result.empty()) why = "holds no PEM certificate";
  return result;
}

/// Refuses a passphrase prompt: keys must be unencrypted (a daemon has nobody to ask).
int no_passphrase(char*, int, int, void*) { return -1; }

pkey_ptr read_key(const std::string& path, std::string& why) {
  auto bio = open_file(path, why);
  if (!bio) return nullptr;
  pkey_ptr key{PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr)};
  if (!key) why = "holds no unencrypted PEM private key (" + openssl_reason("unreadable") + ")";
  ERR_clear_error();
  return key;
}

std::string time_text(const ASN1_TIME* t) {
  std::unique_ptr<BIO, bio_free> bio{BIO_new(BIO_s_mem())};
  ASN1_TIME_print(bio.get(), t);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string("?");
}

std::string subject_cn(X509* cert) {
  char buffer[256] = {};
  const int n =
      X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buffer, sizeof buffer);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

/// `errors` ordered by where their key is written in the config (stable within a key), as
/// every other config error is.
std::vector<std::string> in_file_order(std::vector<std::string> errors, const tls_settings& tls,
                                       const std::string& config_file) {
  auto rank = [&](const std::string& e) {
    for (const auto* f : {&tls.ca_file, &tls.cert_file, &tls.key_file}) {
      const std::string at = config_file + ":" + std::to_string(f->line) + ":" +
                             std::to_string(f->column) + ":";
      if (e.rfind(at, 0) == 0) return std::pair{f->line, f->column};
    }
    return std::pair{std::uint32_t{0}, std::uint32_t{0}};
  };
  std::stable_sort(errors.begin(), errors.end(),
                   [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  return errors;
}

} // namespace

bool certificate_names(X509* cert, const std::string& name) {
  if (subject_cn(cert) == name) return true;
  const unsigned flags = X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_WILDCARDS;
  return X509_check_host(cert, name.data(), name.size(), flags, nullptr) == 1;
}

std::string member_certificate_name(peer_id id) { return "node" + std::to_string(id); }

std::vector<std::string> check_tls_files(const tls_settings& tls, const std::string& expected_name,
                                         const std::string& config_file) {
  std::vector<std::string> errors;
  std::string why;
  auto cas = read_certificates(tls.ca_file.path, why);
  if (cas.empty()) errors.push_back(prefix(config_file, "ca_file", tls.ca_file) + why);
  auto chain = read_certificates(tls.cert_file.path, why);
  if (chain.empty()) errors.push_back(prefix(config_file, "cert_file", tls.cert_file) + why);
  auto key = read_key(tls.key_file.path, why);
  if (!key) errors.push_back(prefix(config_file, "key_file", tls.key_file) + why);
  if (chain.empty()) return errors;
  X509* cert = chain.front().get();
  const std::string cert_prefix = prefix(config_file, "cert_file", tls.cert_file);

  if (key && X509_check_private_key(cert, key.get()) != 1) {
    ERR_clear_error();
    errors.push_back(prefix(config_file, "key_file", tls.key_file) +
                     "is not the private key of the certificate in " + tls.cert_file.path);
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0)
    errors.push_back(cert_prefix + "certificate expired on " + time_text(X509_get0_notAfter(cert)));
  else if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0)
    errors.push_back(cert_prefix + "certificate is not valid before " +
                     time_text(X509_get0_notBefore(cert)));
  if (!cas.empty()) {
    std::unique_ptr<X509_STORE, store_free> store{X509_STORE_new()};
    for (auto& ca : cas) X509_STORE_add_cert(store.get(), ca.get());
    STACK_OF(X509)* untrusted = sk_X509_new_null();
    for (std::size_t i = 1; i < chain.size(); ++i) sk_X509_push(untrusted, chain[i].get());
    std::unique_ptr<X509_STORE_CTX, store_ctx_free> ctx{X509_STORE_CTX_new()};
    X509_STORE_CTX_init(ctx.get(), store.get(), cert, untrusted);
    // Validity dates are reported above, on their own line.
    X509_STORE_CTX_set_flags(ctx.get(), X509_V_FLAG_NO_CHECK_TIME);
    if (X509_verify_cert(ctx.get()) != 1) {
      const int code = X509_STORE_CTX_get_error(ctx.get());
      errors.push_back(cert_prefix + "certificate is not signed by the CA in " +
                       tls.ca_file.path + " (" + X509_verify_cert_error_string(code) + ")");
    }
    sk_X509_free(untrusted);
    ERR_clear_error();
  }
  if (!expected_name.empty() && !certificate_names(cert, expected_name)) {
    const std::string cn = subject_cn(cert);
    errors.push_back(cert_prefix + "certificate names " + (cn.empty() ? "no CN" : "CN " + cn) +
                     ", not " + expected_name + " (this node's id needs CN or DNS SAN " +
                     expected_name + ")");
  }
  return in_file_order(std::move(errors), tls, config_file);
}

} // namespace raft

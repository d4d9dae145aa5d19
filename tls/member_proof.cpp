#include "tls/member_proof.hpp"

#include <cstdio>
#include <stdexcept>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls/certificate_check.hpp"

namespace raft {

namespace {

/// Largest certificate a proof may carry: far above a real member certificate (under 2 KB),
/// small enough that a hostile proof costs little to refuse.
constexpr std::size_t max_certificate = 16 * 1024;
constexpr std::size_t max_signature = 1024;

std::string read_whole(const std::string& path, std::string& why) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    why = path + ": cannot read";
    return {};
  }
  std::string out;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) out.append(buffer, n);
  std::fclose(f);
  return out;
}

X509* parse_cert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return x;
}

int no_passphrase(char*, int, int, void*) { return -1; }

} // namespace

std::string proof_text(const std::string& challenge, const std::string& identity,
                       peer_id claimed, peer_id verifier) {
  return "raft-caf member proof v1\nchallenge " + challenge + "\nidentity " + identity +
         "\nclaimed " + std::to_string(claimed) + "\nverifier " + std::to_string(verifier) + "\n";
}

struct member_signer::key_holder {
  EVP_PKEY* key = nullptr;
  ~key_holder() { EVP_PKEY_free(key); }
};

member_signer::~member_signer() = default;

std::shared_ptr<const member_signer> member_signer::load(const tls_settings& tls,
                                                         std::string& why) {
  std::shared_ptr<member_signer> s{new member_signer};
  const std::string chain = read_whole(tls.cert_file.path, why);
  if (!why.empty()) return nullptr;
  // Only the leaf: the verifier checks it against the CA, which every member has.
  X509* leaf = parse_cert(chain);
  if (leaf == nullptr) {
    why = tls.cert_file.path + ": holds no PEM certificate";
    return nullptr;
  }
  BIO* out = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(out, leaf);
  X509_free(leaf);
  char* data = nullptr;
  const long n = BIO_get_mem_data(out, &data);
  s->cert_pem_.assign(data, static_cast<std::size_t>(n));
  BIO_free(out);
  std::FILE* f = std::fopen(tls.key_file.path.c_str(), "rb");
  if (f == nullptr) {
    why = tls.key_file.path + ": cannot read";
    return nullptr;
  }
  s->key_ = std::make_unique<key_holder>();
  s->key_->key = PEM_read_PrivateKey(f, nullptr, no_passphrase, nullptr);
  std::fclose(f);
  ERR_clear_error();
  if (s->key_->key == nullptr) {
    why = tls.key_file.path + ": holds no unencrypted PEM private key";
    return nullptr;
  }
  return s;
}

std::string member_signer::sign(const std::string& text) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::string sig;
  std::size_t len = 0;
  if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_->key) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len,
                     reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1) {
    sig.resize(len);
    if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1)
      sig.resize(len);
    else
      sig.clear();
  }
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  return sig;
}

struct proof_verifier::store_holder {
  X509_STORE* store = nullptr;
  ~store_holder() { X509_STORE_free(store); }
};

proof_verifier::~proof_verifier() = default;

std::shared_ptr<const proof_verifier> proof_verifier::load(const std::string& ca_file,
                                                           std::string& why) {
  std::shared_ptr<proof_verifier> v{new proof_verifier};
  v->store_ = std::make_unique<store_holder>();
  v->store_->store = X509_STORE_new();
  if (X509_STORE_load_file(v->store_->store, ca_file.c_str()) != 1) {
    ERR_clear_error();
    why = ca_file + ": cannot load the CA certificates";
    return nullptr;
  }
  return v;
}

std::optional<std::string> proof_verifier::check(const std::string& certificate_pem,
                                                 const std::string& expected_name,
                                                 const std::string& text,
                                                 const std::string& signature) const {
  if (certificate_pem.size() > max_certificate || signature.size() > max_signature ||
      signature.empty())
    return std::string("oversize or empty proof");
  X509* cert = parse_cert(certificate_pem);
  ERR_clear_error();
  if (cert == nullptr) return std::string("no certificate in the proof");
  std::optional<std::string> problem;
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store_->store, cert, nullptr);
  if (X509_verify_cert(ctx) != 1) {
    problem = std::string("certificate not accepted by the CA: ") +
              X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  }
  X509_STORE_CTX_free(ctx);
  if (!problem && !certificate_names(cert, expected_name))
    problem = "certificate does not name " + expected_name;
  if (!problem) {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    const bool ok =
      EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, X509_get0_pubkey(cert)) == 1 &&
      EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(text.data()),
                       text.size()) == 1;
    EVP_MD_CTX_free(md);
    if (!ok) problem = std::string("signature does not verify");
  }
  X509_free(cert);
  ERR_clear_error();
  return problem;
}

std::string proof_verifier::random_hex(std::size_t n) {
  std::string bytes(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

} // namespace raft

/// Clears OpenSSL's per-thread error queue before every TLS I/O call that CAF 0.17.6's
/// OpenSSL module makes (libcaf_openssl calls SSL_read, SSL_write, SSL_accept and
/// SSL_connect on the middleman's one thread and never clears the queue).
///
/// Why: SSL_get_error() looks at the calling thread's error queue first. An error left there
/// by one failed session — a client that sent no certificate or plain bytes, a process that
/// exited without a TLS close (OpenSSL 3 queues "unexpected eof while reading") — made the
/// next SSL_read that merely had nothing to read on *another*, healthy session look like a
/// fatal error, and CAF closed that connection. Measured on loopback: every `raftctl status`
/// dropped the connection between two members (both logged peer_down with
/// remote_link_unreachable), so any stranger failing a handshake could cut the cluster's
/// links. OpenSSL's manual requires an empty queue before each of these calls.
///
/// How: these definitions in the executable interpose the libssl ones for libcaf_openssl
/// (the dynamic linker resolves its calls to the executable's symbols first); each clears
/// the queue and calls the real function found with dlsym(RTLD_NEXT). Linked into raft-node,
/// raftctl and raft-forge as a source file (a static library's object would not be pulled in).

#include <dlfcn.h>

#include <cstdlib>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

template <class F>
F real(const char* name) {
  void* f = ::dlsym(RTLD_NEXT, name);
  if (f == nullptr)
    std::abort(); // libssl is always loaded with libcaf_openssl
  return reinterpret_cast<F>(f);
}

} // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static auto f = real<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return f(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static auto f = real<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return f(ssl, buf, num);
}

int SSL_accept(SSL* ssl) {
  static auto f = real<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return f(ssl);
}

int SSL_connect(SSL* ssl) {
  static auto f = real<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return f(ssl);
}

} // extern "C"

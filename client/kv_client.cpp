#include "client/kv_client.hpp"

#include <thread>
#include <variant>

#include "client/kv_session.hpp"
#include "client/remote_transport.hpp"

namespace raft {

/// The session's rules (client/kv_session.hpp) carried out with the transport's blocking
/// calls.
struct kv_client::impl {
  std::shared_ptr<kv_transport> transport;
  kv_session session;

  impl(std::shared_ptr<kv_transport> t, kv_client_options o)
    : transport(std::move(t)), session(transport->members(), o) {}

  kv_result run() {
    for (;;) {
      auto step = session.next(kv_session::clock::now());
      if (auto* d = std::get_if<kv_session::done>(&step))
        return std::move(d->result);
      if (auto* p = std::get_if<kv_session::pause>(&step)) {
        std::this_thread::sleep_for(p->duration);
        continue;
      }
      auto& s = std::get<kv_session::send_request>(step);
      bool arrived = false;
      if (auto reply = transport->call(s.to, s.request, s.limit, arrived))
        session.replied(*reply);
      else
        session.no_reply(arrived);
    }
  }
};

kv_client::kv_client(caf::actor_system& sys, std::vector<peer_address> members,
                     kv_client_options opts)
  : kv_client(make_remote_transport(sys, std::move(members)), opts) {
}

kv_client::kv_client(std::shared_ptr<kv_transport> transport, kv_client_options opts)
  : impl_(std::make_unique<impl>(std::move(transport), opts)) {
}

kv_client::~kv_client() = default;

kv_result kv_client::put(const std::string& key, const std::string& value) {
  impl_->session.start_put(key, value, kv_session::clock::now());
  return impl_->run();
}

kv_result kv_client::get(const std::string& key) {
  return get(key, impl_->session.options().reads);
}

kv_result kv_client::get(const std::string& key, read_consistency how) {
  impl_->session.start_get(key, how, kv_session::clock::now());
  return impl_->run();
}

kv_result kv_client::del(const std::string& key) {
  impl_->session.start_del(key, kv_session::clock::now());
  return impl_->run();
}

kv_result kv_client::cas(const std::string& key, const std::optional<std::string>& expected,
                         const std::string& value) {
  impl_->session.start_cas(key, expected, value, kv_session::clock::now());
  return impl_->run();
}

peer_id kv_client::leader() const {
  return impl_->session.leader();
}

std::uint64_t kv_client::session() const {
  return impl_->session.id();
}

} // namespace raft

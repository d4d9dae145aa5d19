#include "client/remote_transport.hpp"

#include <caf/all.hpp>

#include "client/endpoint_connect.hpp"

namespace raft {

namespace {

class remote_transport final : public kv_transport {
public:
  remote_transport(caf::actor_system& sys, std::vector<peer_address> members)
    : sys_(sys), members_(std::move(members)), self_(sys, true) {}

  std::vector<peer_id> members() const override {
    std::vector<peer_id> ids;
    for (auto& m : members_)
      ids.push_back(m.id);
    return ids;
  }

  std::optional<client_reply> call(peer_id id, const client_request& req,
                                   std::chrono::milliseconds limit,
                                   bool& may_have_arrived) override {
    may_have_arrived = false;
    auto deadline = std::chrono::steady_clock::now() + limit;
    const peer_address* m = nullptr;
    for (auto& p : members_)
      if (p.id == id)
        m = &p;
    if (m == nullptr)
      return std::nullopt;
    auto& ep = endpoints_[id];
    if (!ep)
      ep = connect_endpoint(sys_, self_, *m, deadline);
    if (!ep)
      return std::nullopt;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds(0))
      return std::nullopt;
    may_have_arrived = true;
    std::optional<client_reply> reply;
    self_->request(ep, left, req).receive([&](client_reply& r) { reply = std::move(r); },
                                          [&](caf::error&) {});
    if (!reply)
      ep = nullptr; // timed out or dropped: connect afresh next time
    return reply;
  }

private:
  caf::actor_system& sys_;
  std::vector<peer_address> members_;
  caf::scoped_actor self_;
  std::map<peer_id, node_endpoint> endpoints_;
};

} // namespace

std::shared_ptr<kv_transport> make_remote_transport(caf::actor_system& sys,
                                                    std::vector<peer_address> members) {
  return std::make_shared<remote_transport>(sys, std::move(members));
}

} // namespace raft

#include "client/endpoint_connect.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "actors/node_system.hpp"
#include "net/tcp_probe.hpp"

namespace raft {

using namespace std::chrono_literals;

node_endpoint connect_endpoint(caf::actor_system& sys, caf::scoped_actor& self,
                               const peer_address& p,
                               std::chrono::steady_clock::time_point deadline) {
  node_endpoint remote;
  auto left = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  };
  if (left() <= 0ms || !tcp_reachable(p.host, p.port, std::min(left(), std::chrono::milliseconds(500))))
    return remote;
  if (left() <= 0ms)
    return remote;
  self->request(transport_of(sys), left(), caf::connect_atom::value, p.host, p.port)
    .receive(
      [&](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>& ifs) {
        if (ptr && ifs == sys.message_types<node_endpoint>())
          remote = caf::actor_cast<node_endpoint>(ptr);
      },
      [](caf::error&) {});
  return remote;
}

} // namespace raft

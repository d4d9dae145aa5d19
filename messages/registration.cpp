#include "messages/registration.hpp"

#include <caf/actor_system_config.hpp>

#include "core/message.hpp"
#include "messages/client.hpp"
#include "messages/control.hpp"
#include "messages/hello.hpp"
#include "messages/wire.hpp"

namespace raft {

void register_messages(caf::actor_system_config& cfg) {
  cfg.add_message_type<log_entry>("raft::log_entry");
  cfg.add_message_type<std::vector<log_entry>>("std::vector<raft::log_entry>");
  for_each_kind([&](auto* kind) {
    using T = std::remove_pointer_t<decltype(kind)>;
    cfg.add_message_type<T>(std::string("raft::") + T::name);
  });
  cfg.add_message_type<node_status>("raft::node_status");
  cfg.add_message_type<client_request>("raft::client_request");
  cfg.add_message_type<client_reply>("raft::client_reply");
  cfg.add_message_type<cluster_hello>("raft::cluster_hello");
  cfg.add_message_type<cluster_welcome>("raft::cluster_welcome");
  cfg.add_message_type<session_token>("raft::session_token");
  cfg.add_message_type<cluster_challenge>("raft::cluster_challenge");
  cfg.add_message_type<member_proof>("raft::member_proof");
}

} // namespace raft

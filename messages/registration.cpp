#include "messages/registration.hpp"

#include <caf/actor_system_config.hpp>

#include "messages/control.hpp"
#include "messages/hello.hpp"
#include "messages/wire.hpp"

namespace raft {

void register_messages(caf::actor_system_config& cfg) {
  cfg.add_message_type<log_entry>("raft::log_entry");
  cfg.add_message_type<std::vector<log_entry>>("std::vector<raft::log_entry>");
  cfg.add_message_type<request_vote>("raft::request_vote");
  cfg.add_message_type<request_vote_reply>("raft::request_vote_reply");
  cfg.add_message_type<append_entries>("raft::append_entries");
  cfg.add_message_type<append_entries_reply>("raft::append_entries_reply");
  cfg.add_message_type<pre_vote>("raft::pre_vote");
  cfg.add_message_type<pre_vote_reply>("raft::pre_vote_reply");
  cfg.add_message_type<node_status>("raft::node_status");
  cfg.add_message_type<cluster_hello>("raft::cluster_hello");
  cfg.add_message_type<cluster_welcome>("raft::cluster_welcome");
  cfg.add_message_type<session_token>("raft::session_token");
  cfg.add_message_type<cluster_challenge>("raft::cluster_challenge");
  cfg.add_message_type<member_proof>("raft::member_proof");
}

} // namespace raft

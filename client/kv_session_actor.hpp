#pragma once
/// An asynchronous key-value client: one event-based CAF actor per session, which carries out
/// the session's rules (client/kv_session.hpp: leader finding, retries, exactly-once writes)
/// with messages instead of blocking calls. Many of them share the actor system's few
/// threads, so a program can run hundreds of sessions at once (kv-bench runs 500); a
/// blocking kv_client needs a thread each.
///
/// Ask it with a `kv_call` and it answers with the `kv_result` once the operation ended
/// (every retry included, within the options' `timeout`). Calls that arrive while one is
/// under way wait their turn: a session has one operation at a time.
///
/// Endpoints: those given connected in the config are used as they are; a member without one,
/// or whose endpoint failed a request, is connected again through client/endpoint_connect.hpp
/// (a time-limited probe, then the middleman) on a short-lived thread of its own, so the
/// session's shared thread never blocks. `kv_call` and `kv_result` never leave the process.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/peer_interface.hpp"
#include "client/kv_result.hpp"
#include "config/cluster_config.hpp"

namespace caf {
class actor_system;
}

namespace raft {

/// One operation for a session actor.
struct kv_call {
  enum class kind : std::uint8_t { put, get, del, cas };
  kind what = kind::get;
  std::string key;
  std::string value;          ///< put, cas: the new value
  bool expect_absent = false; ///< cas: write only if the key is absent (`expected` unused)
  std::string expected;       ///< cas: write only if the key holds this
  read_consistency read = read_consistency::linearizable; ///< get
};

using kv_session_actor = caf::typed_actor<caf::replies_to<kv_call>::with<kv_result>>;

struct kv_session_actor_config {
  std::vector<peer_address> members; ///< in the order a session tries them
  /// Endpoints already connected (e.g. by connect_endpoint), shared by many sessions.
  std::map<peer_id, node_endpoint> endpoints;
  kv_client_options options;
};

/// `sys` must be configured as raftctl's is (actors/node_system.hpp). Throws
/// invalid_argument without members.
kv_session_actor spawn_kv_session(caf::actor_system& sys, kv_session_actor_config cfg);

} // namespace raft

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raft::kv_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raft::kv_result)

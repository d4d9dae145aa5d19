#pragma once
/// kv_client: the C++ client of the replicated key-value store (kv/store.hpp) that raft-node
/// serves. Blocking calls, one client per thread (each has its own session).
///
/// Finding the leader: a request goes to the member believed to lead; a follower answers
/// `not_leader` with the leader it knows, and the client goes there (or, with no hint, tries
/// the next member after a short pause). A member that does not answer within `attempt` is
/// left for the next one. All of it within the operation's `timeout`.
///
/// Exactly-once writes: the first write opens a session (its id is the log index of the
/// open_session entry) and every write carries the session and a sequence number one higher
/// than the last. A write retried after a timeout, a lost leader or a new leader carries the
/// same number, so the store applies it at most once and answers a retry of an applied write
/// from its cache (kv/store.hpp). If the session expired, the store executed nothing: the
/// client opens a new session and resends, unless an earlier try of the same write may have
/// executed, in which case the outcome is unknown.
///
/// Reads: linearizable by default (ReadIndex on the leader), or under the leader's lease, or
/// local (any member, from what it applied: may be stale). See core/node.hpp read_mode and
/// messages/client.hpp.
///
/// These rules live in client/kv_session.hpp (no I/O), which this client drives with
/// blocking calls and the asynchronous session actor (client/kv_session_actor.hpp) with
/// messages.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/kv_result.hpp"
#include "client/kv_transport.hpp"
#include "config/cluster_config.hpp"

namespace caf {
class actor_system;
}

namespace raft {

class kv_client {
public:
  /// A client of raft-node processes (client/remote_transport.hpp). `sys` must be
  /// configured as raftctl's is (actors/node_system.hpp: messages registered, the cluster's
  /// TLS settings if any). Connects lazily.
  kv_client(caf::actor_system& sys, std::vector<peer_address> members,
            kv_client_options opts = {});
  /// A client over any transport (e.g. the in-process cluster's).
  kv_client(std::shared_ptr<kv_transport> transport, kv_client_options opts = {});
  ~kv_client();
  kv_client(const kv_client&) = delete;
  kv_client& operator=(const kv_client&) = delete;

  kv_result put(const std::string& key, const std::string& value);
  kv_result get(const std::string& key);
  kv_result get(const std::string& key, read_consistency how);
  kv_result del(const std::string& key);
  /// Writes `value` if the key holds `expected` (nullopt: if the key is absent).
  kv_result cas(const std::string& key, const std::optional<std::string>& expected,
                const std::string& value);

  /// The member this client believes leads (0: none known yet).
  peer_id leader() const;
  /// The client's session id (0 before its first write).
  std::uint64_t session() const;

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace raft

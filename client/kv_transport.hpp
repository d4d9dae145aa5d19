#pragma once
/// How a kv_client reaches the members of a cluster: the one thing that differs between a
/// client of raft-node processes (remote_kv_transport: their published endpoints, over TCP
/// or TLS) and a client of the in-process cluster (testing/test_cluster.hpp: the peer
/// actors themselves). Everything else — leader finding, retries, sessions — is kv_client's.

#include <chrono>
#include <optional>
#include <vector>

#include "messages/client.hpp"

namespace raft {

class kv_transport {
public:
  virtual ~kv_transport() = default;

  /// The members, in the order a client tries them.
  virtual std::vector<peer_id> members() const = 0;

  /// Sends `req` to member `id` and waits up to `limit` for its reply. Nothing when no reply
  /// came; then `may_have_arrived` says whether the request may have reached the member
  /// (false only when it certainly did not: no connection could be made).
  virtual std::optional<client_reply> call(peer_id id, const client_request& req,
                                           std::chrono::milliseconds limit,
                                           bool& may_have_arrived) = 0;
};

} // namespace raft

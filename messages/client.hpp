#pragma once
/// What a client (raftctl, the kv_client library, kv-bench) sends a node to use the
/// replicated state machine, and what it gets back. Not Raft messages: clients are not
/// members and earn no session token; the endpoint passes these to the local peer.

#include <cstdint>
#include <string>

#include "messages/wire.hpp"

namespace raft {

/// How a client request is carried out (actors/peer.cpp).
enum class request_kind : std::uint8_t {
  /// A command through the log: answered once applied on the leader (the state machine's
  /// result), so it happened exactly once where it was appended.
  write = 0,
  /// A read-only query, linearizable: ReadIndex (core/node.hpp read_mode::linearizable).
  read_linearizable = 1,
  /// A read-only query under the leader's lease (read_mode::lease): faster, assumes bounded
  /// clock drift.
  read_lease = 2,
  /// A read-only query answered by whichever member gets it, from what it has applied:
  /// serializable only (it may miss recent writes).
  read_local = 3,
};
inline constexpr std::uint8_t max_request_kind = 3;

struct client_request {
  std::uint8_t kind = 0; ///< request_kind
  std::string payload;   ///< the state machine's command or query
  friend bool operator==(const client_request& a, const client_request& b) {
    return a.kind == b.kind && a.payload == b.payload;
  }
};

/// How a request ended.
enum class reply_status : std::uint8_t {
  ok = 0,         ///< done: `result` is the state machine's answer
  not_leader = 1, ///< ask the leader instead: `leader` (0 when this member knows none)
  unknown = 2,    ///< the write may or may not have happened (leadership changed after it
                  ///< was appended, or its index went to a snapshot before it was answered)
  refused = 3,    ///< never reached the log: `result` says why (the state machine's error,
                  ///< or an unknown request kind or an empty command)
};
inline constexpr std::uint8_t max_reply_status = 3;

struct client_reply {
  std::uint8_t status = 0; ///< reply_status
  peer_id leader = 0;      ///< not_leader: the leader this member knows of (0: none)
  std::string result;      ///< ok, refused: the state machine's result
  friend bool operator==(const client_reply& a, const client_reply& b) {
    return a.status == b.status && a.leader == b.leader && a.result == b.result;
  }
};

template <class Inspector>
auto inspect(Inspector& f, client_request& x) {
  return f(x.kind, x.payload);
}

template <class Inspector>
auto inspect(Inspector& f, client_reply& x) {
  return f(x.status, x.leader, x.result);
}

} // namespace raft

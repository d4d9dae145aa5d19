#pragma once
/// Control messages between a node and its operators' tools (not part of Raft itself).

#include <cstdint>

#include "messages/wire.hpp"

namespace raft {

/// A peer's view of itself, answered to `raftctl status`.
struct node_status {
  peer_id id = 0;
  term_t term = 0;
  std::uint8_t role = 0; ///< raft::role as a number: 0 follower, 1 candidate, 2 leader
  peer_id leader = 0;    ///< the leader it knows of in `term`; 0 when it knows none
  friend bool operator==(const node_status& a, const node_status& b) {
    return a.id == b.id && a.term == b.term && a.role == b.role && a.leader == b.leader;
  }
};

template <class Inspector>
auto inspect(Inspector& f, node_status& x) {
  return f(x.id, x.term, x.role, x.leader);
}

} // namespace raft

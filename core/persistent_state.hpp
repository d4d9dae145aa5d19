#pragma once
/// The state Figure 2 calls "persistent state on all servers": updated on stable storage
/// before responding to RPCs.

#include <optional>
#include <vector>

#include "messages/wire.hpp"

namespace raft {

struct persistent_state {
  term_t current_term = 0;           ///< latest term server has seen (starts at 0)
  std::optional<peer_id> voted_for;  ///< candidate that received our vote in current_term
  std::vector<log_entry> log;        ///< log entries; log[0] has index 1

  friend bool operator==(const persistent_state& a, const persistent_state& b) {
    return a.current_term == b.current_term && a.voted_for == b.voted_for && a.log == b.log;
  }
};

} // namespace raft

#pragma once
/// The state Figure 2 calls "persistent state on all servers": updated on stable storage
/// before responding to RPCs.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "messages/wire.hpp"

namespace raft {

/// With the snapshot of §7: the log holds the entries after it (log[0] has index
/// snapshot_index + 1) and the service's snapshot bytes come with it.
struct persistent_state {
  term_t current_term = 0;           ///< latest term server has seen (starts at 0)
  std::optional<peer_id> voted_for;  ///< candidate that received our vote in current_term
  std::vector<log_entry> log;        ///< log entries; log[0] has index snapshot_index + 1
  log_index snapshot_index = 0;      ///< the last index the snapshot covers (0: none)
  term_t snapshot_term = 0;          ///< its term
  std::shared_ptr<const std::string> snapshot; ///< the service's snapshot (null: none)

  friend bool operator==(const persistent_state& a, const persistent_state& b) {
    auto bytes = [](const persistent_state& s) { return s.snapshot ? *s.snapshot : std::string(); };
    return a.current_term == b.current_term && a.voted_for == b.voted_for && a.log == b.log &&
           a.snapshot_index == b.snapshot_index && a.snapshot_term == b.snapshot_term &&
           bytes(a) == bytes(b);
  }
};

} // namespace raft

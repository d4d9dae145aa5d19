#pragma once
/// Fault injection for tests and benchmarks: the set of peers this node is cut off from.
/// Links drop messages to a cut peer and the endpoint drops messages from it, while the TCP
/// connections stay up — exactly what a network that silently loses packets looks like,
/// which the transport cannot report (unlike a crash). Only raft-node's `--fault-file`
/// flag creates one; without it no link consults anything.

#include <atomic>
#include <mutex>
#include <set>

#include "messages/wire.hpp"

namespace raft {

class fault_switch {
public:
  /// True when messages to and from `p` are to be dropped.
  bool cut(peer_id p) const {
    if (!any_.load(std::memory_order_acquire))
      return false;
    std::lock_guard<std::mutex> guard{mtx_};
    return cut_.count(p) > 0;
  }

  /// Replaces the set of cut peers; returns true when it changed.
  bool set(std::set<peer_id> peers) {
    std::lock_guard<std::mutex> guard{mtx_};
    if (peers == cut_)
      return false;
    cut_ = std::move(peers);
    any_.store(!cut_.empty(), std::memory_order_release);
    return true;
  }

private:
  mutable std::mutex mtx_;
  std::set<peer_id> cut_;
  std::atomic<bool> any_{false};
};

} // namespace raft

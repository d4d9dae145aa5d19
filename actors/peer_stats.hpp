#pragma once
/// Message counters of one peer, readable from any thread (raft-node reports them; the
/// failover benchmark reads heartbeat rates and messages per election from them).

#include <array>
#include <atomic>
#include <cstdint>
#include <variant>

#include "core/message.hpp"

namespace raft {

struct peer_stats {
  static constexpr std::size_t kinds = std::variant_size_v<message>;
  /// Messages this peer handed to its links, by kind (index in raft::message).
  std::array<std::atomic<std::uint64_t>, kinds> sent{};
  /// Messages this peer received, by kind.
  std::array<std::atomic<std::uint64_t>, kinds> received{};
};

} // namespace raft

#pragma once
/// Counters of one peer, written by the peer actor and readable from any thread (raft-node
/// logs them on SIGUSR1 and serves them on /metrics; the failover benchmark reads heartbeat
/// rates and messages per election from them). Every field is an atomic, or a table of
/// atomics whose shape is fixed at construction, so a reader never makes the peer wait.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <variant>
#include <vector>

#include "core/message.hpp"

namespace raft {

/// Heartbeat round trips to one follower: a Prometheus-style histogram. Buckets are not
/// cumulative here (each observation increments one), so a reader that sums them gets a
/// count consistent with the buckets it read; only `sum_us` may be one observation ahead
/// or behind.
struct rtt_histogram {
  /// Upper bounds in microseconds; a last, unbounded bucket (+Inf) follows.
  static constexpr std::array<std::uint64_t, 13> bounds_us{
    100, 250, 500, 1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 500'000,
    1'000'000};
  std::array<std::atomic<std::uint64_t>, bounds_us.size() + 1> buckets{};
  std::atomic<std::uint64_t> sum_us{0};

  void observe(std::chrono::microseconds rtt) {
    const auto us = static_cast<std::uint64_t>(rtt.count() < 0 ? 0 : rtt.count());
    std::size_t i = 0;
    while (i < bounds_us.size() && us > bounds_us[i])
      ++i;
    buckets[i].fetch_add(1, std::memory_order_relaxed);
    sum_us.fetch_add(us, std::memory_order_relaxed);
  }
};

struct peer_stats {
  static constexpr std::size_t kinds = std::variant_size_v<message>;

  peer_stats() = default;
  /// With the ids of the other members: one round-trip histogram per member.
  explicit peer_stats(const std::vector<peer_id>& others) {
    for (auto p : others)
      heartbeat_rtt.try_emplace(p);
  }

  /// Messages this peer handed to its links, by kind (index in raft::message).
  std::array<std::atomic<std::uint64_t>, kinds> sent{};
  /// Messages this peer received, by kind.
  std::array<std::atomic<std::uint64_t>, kinds> received{};
  /// Pre-vote rounds started: an election timer fired and the follower asked the others
  /// whether they would vote for it (a round's retries are not counted again).
  std::atomic<std::uint64_t> prevote_rounds{0};
  /// Leader only: per follower, the time from handing an append_entries to the link until
  /// the reply that echoes its sequence number is handled (actors/peer.cpp). It covers the
  /// network both ways, the queues of both nodes and the follower's step. Only the keys
  /// given at construction are recorded; the map itself never changes after that.
  std::map<peer_id, rtt_histogram> heartbeat_rtt;
};

} // namespace raft

#pragma once
/// Closed-loop proposers against one leader: each proposes an entry (the peer's `propose`,
/// the course's Start), waits until the leader applies that index (its apply sink, reported
/// by bench_cluster::listen), and proposes the next at once.
///
/// The first `warmup` completions are not measured. The window then runs from the apply of
/// completion `warmup` to the apply of completion `warmup + measured`: every entry applied
/// in it gives one latency sample (from just before its propose was sent to its apply at
/// the leader), and `measured` over the window's length is the throughput. Proposers keep
/// proposing until the window closes, so the load is the same throughout it; what is in
/// flight then is waited for but not counted.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "bench/bench_cluster.hpp"

namespace raft::bench {

struct closed_loop_options {
  std::size_t proposers = 1;
  std::size_t warmup = 200;
  std::size_t measured = 2000;
  std::size_t entry_bytes = 100;
  /// Give up when no entry completes for this long (a stalled or deposed leader).
  long stall_ms = 5000;
};

struct closed_loop_result {
  std::vector<double> latency_us; ///< one per entry completed in the window
  double window_seconds = 0;
  std::int64_t window_start_ns = 0; ///< steady clock, as the apply times
  std::int64_t window_end_ns = 0;
  double entries_per_second = 0;
  std::string error; ///< empty when the run completed
};

/// Runs the proposers against `leader` of `cluster`; blocks until they are done.
closed_loop_result run_closed_loop(caf::actor_system& sys, bench_cluster& cluster,
                                   peer_id leader, const closed_loop_options& opts);

} // namespace raft::bench

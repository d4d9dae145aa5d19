#pragma once
/// What a leader knows about one follower (Figure 2, "Volatile state on leaders": nextIndex[]
/// and matchIndex[]), how much it has in flight to it (flow control), and when it last heard
/// from it (check-quorum reads that).
///
/// Modes (after etcd-raft's progress tracker):
/// - probe: the leader does not know where the follower's log matches its own. One
///   AppendEntries at a time: the next goes when a reply arrives or at the next heartbeat.
///   A rejection moves next_index back by the follower's conflict hint (fast backup).
/// - replicate: the follower's log matched at match_index and the leader streams entries,
///   next_index being the first not yet sent, with up to the limits of
///   core/replication_limits.hpp in flight. Replies are cumulative. If entries have been in
///   flight for a whole heartbeat interval and no acknowledgement of entries came in it,
///   something was lost: back to probe from match_index + 1 (§5.3: the leader "retries
///   AppendEntries RPCs indefinitely ... until all followers eventually store all log
///   entries"). Answers to heartbeats do not count: they say nothing of the entries in
///   flight, and a follower that lost the last of them still answers every heartbeat.
/// - snapshot: the entries the follower needs were discarded (§7); the leader sends its
///   snapshot in chunks, one at a time, then probes from the snapshot's index + 1.
///
/// Invariants: match_index() < next_index(); in replicate mode the in-flight messages have
/// increasing last indexes, all above match_index() and below next_index(), and their count
/// and bytes stay within the limits; outside replicate mode nothing is counted in flight.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "core/replication_limits.hpp"
#include "core/timing.hpp"
#include "messages/wire.hpp"

namespace raft {

class progress {
public:
  enum class mode : std::uint8_t { probe, replicate, snapshot };

  /// A follower as a new leader first sees it (Figure 2, Leaders: nextIndex "initialized to
  /// leader last log index + 1", matchIndex "initialized to 0"), just heard from.
  progress(log_index next_index, time_point now) : next_(next_index), last_heard_(now) {}

  log_index next_index() const { return next_; }
  log_index match_index() const { return match_; }
  mode state() const { return mode_; }

  // -- check-quorum ---------------------------------------------------------------------

  /// A message of the leader's term came from this follower.
  void heard_from(time_point now) { last_heard_ = now; }
  bool recently_active(time_point now, duration window) const {
    return now - last_heard_ <= window;
  }

  // -- what to send ---------------------------------------------------------------------

  /// Whether an AppendEntries carrying entries may go now (probe: none in flight;
  /// replicate: the window has room; snapshot: never).
  bool may_send_entries(const replication_limits& limits) const;
  /// An AppendEntries carrying entries up to `last` (with `bytes` of commands) left.
  void sent_entries(log_index last, std::size_t bytes);
  /// An AppendEntries without entries (a heartbeat or an empty probe) left.
  void sent_probe();

  // -- replies --------------------------------------------------------------------------

  /// The follower's log matches the leader's up to `match` (a success reply). Returns true
  /// when match_index advanced.
  bool on_success(log_index match);
  /// The follower refused an AppendEntries whose prev_log_index was `rejected`; `hint` is
  /// where the leader should try next (from the follower's conflict hint). Returns false,
  /// changing nothing, for a stale refusal (one about a message older than what the
  /// follower has acknowledged since, or not the probe in flight).
  bool on_reject(log_index rejected, log_index hint);

  // -- the heartbeat timer ----------------------------------------------------------------

  /// A heartbeat interval passed. In replicate mode, when the oldest entries in flight were
  /// sent before the previous tick (a whole interval ago at least) and no acknowledgement of
  /// entries came since that tick, they are taken as lost: back to probe from
  /// match_index + 1. Returns whether a reply with news came since the last tick (a match
  /// beyond match_index(), the answer to the probe, a refusal, a snapshot reply).
  bool tick();

  // -- snapshots --------------------------------------------------------------------------

  /// The entries from next_index() on were discarded: send the snapshot of `index`.
  void begin_snapshot(log_index index);
  /// Whether the next snapshot chunk may go (snapshot mode, none in flight).
  bool may_send_snapshot_chunk() const { return mode_ == mode::snapshot && !probe_sent_; }
  /// The snapshot being sent (snapshot mode only).
  log_index snapshot_index() const { return snapshot_index_; }
  /// Bytes of the snapshot the follower has confirmed (the next chunk starts there).
  std::uint64_t snapshot_offset() const { return snapshot_offset_; }
  /// The follower holds the first `received` bytes of the snapshot of `index`; `installed`
  /// says it has stored and installed all of it. Returns true when this changed anything.
  bool on_snapshot_reply(log_index index, std::uint64_t received, bool installed);

  /// ReadIndex: the highest heartbeat round this follower acknowledged in this term.
  void acknowledged_round(std::uint64_t round) { acked_round_ = std::max(acked_round_, round); }
  std::uint64_t acked_round() const { return acked_round_; }

  std::size_t inflight_messages() const { return inflight_.size(); }
  std::size_t inflight_bytes() const { return inflight_bytes_; }

  /// Throws std::logic_error naming the broken invariant (see the top of this file).
  void check(const replication_limits& limits) const;

private:
  void become_probe(log_index next);
  void free_inflight_upto(log_index match);

  log_index next_;
  log_index match_ = 0;
  mode mode_ = mode::probe;
  time_point last_heard_;
  bool probe_sent_ = false; ///< probe mode: a message is in flight
  bool replied_ = false;    ///< a reply with news came since the last tick (see tick())
  std::uint64_t ticks_ = 0; ///< heartbeat intervals begun so far
  struct flight {
    log_index last = 0;
    std::size_t bytes = 0;
    std::uint64_t sent_in = 0; ///< ticks_ when it left
  };
  std::deque<flight> inflight_; ///< replicate mode
  std::size_t inflight_bytes_ = 0;
  log_index snapshot_index_ = 0;
  std::uint64_t snapshot_offset_ = 0;
  std::uint64_t acked_round_ = 0;
};

} // namespace raft

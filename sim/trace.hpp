#pragma once
/// A compact record of what happened in a run: a fixed ring of the last events (cheap POD
/// writes, formatted only when a run fails or with --trace) and a running hash of every
/// event, which identifies the whole run (two runs of one seed must hash the same).

#include <array>
#include <cstdint>
#include <ostream>
#include <string>

#include "core/role.hpp"
#include "messages/wire.hpp"
#include "sim/event_queue.hpp"

namespace raft::sim {

enum class trace_kind : std::uint8_t {
  start,           ///< a peer's core started (first boot)
  deliver,         ///< a message was delivered; `other` is the sender
  lost_in_flight,  ///< a message arrived over a link that went down meanwhile
  election_timer,  ///< the current election timer fired
  heartbeat_timer, ///< the current heartbeat timer fired
  crash,           ///< the peer crashed; its timers and incoming messages are void
  restart,         ///< the peer restarted from its persisted term and vote
  partition,       ///< `other`: group of peer i in bits 2i..2i+1; `msg_term`: peer count
  cut,             ///< the link other → peer went down (peer no longer hears other)
  restore,         ///< the link other → peer came back
  heal_links,      ///< every link up again (during the fault phase)
  heal,            ///< end of the fault phase: every fault repaired
  violation,       ///< the run failed here
  link_down,       ///< the transport told `peer` that `other` went away (crash fast path)
  link_up,         ///< the transport told `peer` that `other` is back
  freeze,          ///< the peer handles nothing for `other` ms (scripted SIGSTOP)
  propose,         ///< a client proposed command `other` to `peer`; `granted`: accepted
  sync,            ///< `peer`'s store made its writes durable
  snapshot,        ///< `peer`'s service snapshotted through index `msg_term`
};

struct trace_record {
  vtime at = 0;
  term_t term = 0;     ///< the peer's term after the event
  term_t msg_term = 0; ///< for deliveries: the term in the message
  std::uint32_t peer = 0;  ///< peer id (1-based); 0 for cluster-wide events
  std::uint32_t other = 0; ///< sender id, link source, or a group mask
  trace_kind kind = trace_kind::start;
  std::uint8_t msg_kind = 0; ///< index into raft::message
  raft::role role = raft::role::follower;  ///< the peer's role after the event
  bool granted = false; ///< for replies: vote granted / append succeeded
};

/// One line for a record, e.g. `  1234.567 ms  p3  t5 candidate  <- request_vote t5 from p2`.
std::string format(const trace_record& r);

class trace_ring {
public:
  static constexpr std::size_t capacity = 64;

  void clear() {
    next_ = 0;
    count_ = 0;
    hash_ = 1469598103934665603ULL;
  }

  void push(const trace_record& r) {
    ring_[next_] = r;
    next_ = (next_ + 1) % capacity;
    if (count_ < capacity)
      ++count_;
    // FNV-1a over the fields (not the padding bytes).
    auto h = [&](std::uint64_t v) { hash_ = (hash_ ^ v) * 1099511628211ULL; };
    h(static_cast<std::uint64_t>(r.at));
    h(r.term);
    h(r.msg_term);
    h(static_cast<std::uint64_t>(r.peer) << 32 | r.other);
    h(static_cast<std::uint64_t>(r.kind) << 16 | static_cast<std::uint64_t>(r.msg_kind) << 8 |
      static_cast<std::uint64_t>(r.role) << 1 | (r.granted ? 1u : 0u));
  }

  std::uint64_t hash() const { return hash_; }

  /// Writes the last `n` records (at most `capacity`), oldest first.
  void write_tail(std::ostream& os, std::size_t n) const;

private:
  std::array<trace_record, capacity> ring_{};
  std::size_t next_ = 0;
  std::size_t count_ = 0;
  std::uint64_t hash_ = 1469598103934665603ULL;
};

} // namespace raft::sim

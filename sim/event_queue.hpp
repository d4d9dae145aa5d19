#pragma once
/// The simulator's agenda: a binary min-heap of small, trivially copyable events ordered by
/// virtual time, ties broken by insertion order.
///
/// Invariant: `pop()` returns events in non-decreasing time, and two events at the same time
/// in the order they were pushed, so a run is a pure function of its seed. The heap's storage
/// is kept between runs (`clear()` keeps the capacity), so steady-state pushes do not allocate.

#include <algorithm>
#include <cstdint>
#include <vector>

namespace raft::sim {

/// Virtual time in microseconds since the start of a run.
using vtime = std::int64_t;

constexpr vtime ms(std::int64_t n) { return n * 1000; }
constexpr vtime seconds(std::int64_t n) { return n * 1000 * 1000; }

enum class event_kind : std::uint8_t {
  deliver,         ///< a message reaches `peer`; `arg` is its slot in the message pool
  election_timer,  ///< `arg` is the timer generation
  heartbeat_timer, ///< `arg` is the timer generation
  fault,           ///< the fault injector acts (fault phase only)
  heal,            ///< end of the fault phase: every fault is repaired
  link_down,       ///< the transport tells `peer` its connection to peer `arg` dropped
  link_up,         ///< the transport tells `peer` its connection to peer `arg` is back
  scripted,        ///< action `arg` of the run's script (sim/script.hpp)
  propose,         ///< a client proposes a command (cluster-wide; `arg` numbers it)
  sync,            ///< `peer`'s store finishes syncing what was written (group commit)
  snapshot,        ///< `peer`'s service takes the snapshot it prepared
};

struct event {
  vtime at = 0;
  std::uint64_t seq = 0;
  std::uint64_t arg = 0;
  std::uint32_t peer = 0;        ///< index of the target peer (0-based)
  std::uint32_t incarnation = 0; ///< the target's incarnation when the event was scheduled
  event_kind kind = event_kind::deliver;
};

class event_queue {
public:
  void clear() {
    heap_.clear();
    next_seq_ = 0;
  }
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }

  void push(vtime at, event_kind kind, std::uint32_t peer, std::uint32_t incarnation,
            std::uint64_t arg) {
    heap_.push_back(event{at, next_seq_++, arg, peer, incarnation, kind});
    std::push_heap(heap_.begin(), heap_.end(), later{});
  }

  /// Removes and returns the earliest event. Precondition: !empty().
  event pop() {
    std::pop_heap(heap_.begin(), heap_.end(), later{});
    event e = heap_.back();
    heap_.pop_back();
    return e;
  }

private:
  struct later {
    bool operator()(const event& a, const event& b) const {
      return a.at != b.at ? a.at > b.at : a.seq > b.seq;
    }
  };
  std::vector<event> heap_;
  std::uint64_t next_seq_ = 0;
};

} // namespace raft::sim

#pragma once
/// The simulated network: which directed links are up, how long a message takes, whether it
/// is lost or duplicated, and a pool holding the messages in flight.
///
/// Semantics (one-way messages, as between the real peers):
/// - a message crosses a link only if the link is up both when it is sent and when it
///   arrives; `link_up(a, b)` false means b does not hear a (a may still hear b);
/// - each message is dropped with `drop_rate`, else delivered after 1–20 ms, or after
///   20 ms–2.5 s with `long_delay_rate` (so messages overtake each other), and with
///   `duplicate_rate` a second copy (a retransmission) arrives 1 ms–1.2 s after the first;
/// - the pool reuses slots, so steady-state sending does not allocate.

#include <cstdint>
#include <vector>

#include "core/message.hpp"
#include "sim/event_queue.hpp"
#include "sim/random.hpp"

namespace raft::sim {

class network {
public:
  struct conditions {
    double drop_rate = 0;
    double duplicate_rate = 0;
    double long_delay_rate = 0;
  };

  void reset(std::size_t peers, conditions c) {
    n_ = peers;
    links_.assign(peers * peers, 1);
    cond_ = c;
    pool_.clear();
    free_.clear();
  }

  std::size_t peers() const { return n_; }
  const conditions& current() const { return cond_; }
  void set_conditions(conditions c) { cond_ = c; }

  bool link_up(std::size_t from, std::size_t to) const { return links_[from * n_ + to] != 0; }
  void set_link(std::size_t from, std::size_t to, bool up) {
    links_[from * n_ + to] = up ? 1 : 0;
  }

  /// Every link up.
  void heal_links() { std::fill(links_.begin(), links_.end(), 1); }

  /// Links up exactly between peers of the same group (earlier one-way failures are
  /// replaced by the partition).
  void partition(const std::vector<std::uint8_t>& group_of) {
    for (std::size_t a = 0; a < n_; ++a)
      for (std::size_t b = 0; b < n_; ++b)
        set_link(a, b, group_of[a] == group_of[b]);
  }

  bool draw_drop(rng_t& rng) const { return chance(rng, cond_.drop_rate); }
  bool draw_duplicate(rng_t& rng) const { return chance(rng, cond_.duplicate_rate); }
  vtime draw_delay(rng_t& rng) const {
    if (chance(rng, cond_.long_delay_rate))
      return between(rng, ms(20), ms(2500));
    return between(rng, ms(1), ms(20));
  }
  /// How much later than the original a duplicate arrives.
  vtime draw_late(rng_t& rng) const { return between(rng, ms(1), ms(1200)); }

  struct in_flight {
    message msg;
    std::uint32_t from = 0; ///< index of the sender
  };

  std::uint32_t store(std::uint32_t from, const message& m) {
    if (!free_.empty()) {
      auto slot = free_.back();
      free_.pop_back();
      pool_[slot].msg = m;
      pool_[slot].from = from;
      return slot;
    }
    pool_.push_back(in_flight{m, from});
    return static_cast<std::uint32_t>(pool_.size() - 1);
  }
  const in_flight& at(std::uint64_t slot) const { return pool_[slot]; }
  void release(std::uint64_t slot) { free_.push_back(static_cast<std::uint32_t>(slot)); }

private:
  std::size_t n_ = 0;
  std::vector<std::uint8_t> links_; ///< row = sender, column = receiver
  conditions cond_;
  std::vector<in_flight> pool_;
  std::vector<std::uint32_t> free_;
};

} // namespace raft::sim

#pragma once
/// What one seed simulates: the cluster size and the fault mix of the fault phase, all drawn
/// from the run's generator before anything else.

#include <cstddef>
#include <optional>
#include <string>

#include "sim/event_queue.hpp"
#include "sim/random.hpp"

namespace raft::sim {

struct scenario {
  std::size_t peers = 3;
  vtime fault_phase = seconds(3);  ///< 3–20 s; faults happen in [0, fault_phase), then all heal
  double drop_rate = 0;            ///< per message, 0–50 %
  double duplicate_rate = 0;       ///< per message, 0–30 %: a late second copy
  double long_delay_rate = 0;      ///< per message, a delay of 20 ms–2.5 s (reordering), 0–60 %
  bool partitions = false;         ///< random splits into two or three groups
  bool one_way = false;            ///< single directions fail: B stops hearing A
  bool crashes = false;            ///< crash and restart peers
  vtime fault_gap_min = ms(50);    ///< time between two fault actions
  vtime fault_gap_max = ms(800);
  // With client proposals (run_options::logs), drawn from a generator of their own:
  /// The course's Figure 8 test: every 10–100 ms the leader crashes, and a crashed peer
  /// restarts whenever fewer than a majority run, so leaders keep leaving entries half
  /// replicated.
  bool leader_churn = false;
  /// Now and then every running peer loses power at once (what was not synced is lost).
  bool power_cuts = false;
  /// Syncs take 5–50 ms instead of 0.5–8 ms: longer than most message delays, as on a LAN
  /// with a slow disk, so acknowledgements often arrive before their entries are durable
  /// elsewhere.
  bool slow_disk = false;

  /// Draws the log fault traits from their own generator, so a seed's other draws stay as
  /// without them.
  void draw_log_faults(std::uint64_t seed) {
    rng_t rng(seed ^ 0x6c6f67736661756cULL);
    leader_churn = chance(rng, 0.3);
    power_cuts = !leader_churn && crashes && chance(rng, 0.5);
    slow_disk = chance(rng, 0.5);
  }

  /// Draws a scenario; `peers` fixes the size, otherwise it is 3, 5 or 7.
  static scenario draw(rng_t& rng, std::optional<std::size_t> peers) {
    scenario s;
    static constexpr std::size_t sizes[] = {3, 5, 7};
    s.peers = peers ? *peers : sizes[below(rng, 3)];
    s.fault_phase = between(rng, ms(3000), ms(20000));
    s.drop_rate = chance(rng, 0.25) ? 0.0 : 0.5 * unit(rng);
    s.duplicate_rate = chance(rng, 0.4) ? 0.0 : 0.3 * unit(rng);
    // Almost half the scenarios reorder heavily (20–60 % of the messages late), which is
    // what makes a stale vote reply reach a candidate of a later term.
    double r = unit(rng);
    s.long_delay_rate = r < 0.3 ? 0.0 : r < 0.55 ? 0.2 * unit(rng) : 0.2 + 0.4 * unit(rng);
    s.partitions = chance(rng, 0.6);
    s.one_way = chance(rng, 0.5);
    s.crashes = chance(rng, 0.6);
    return s;
  }

  std::string describe() const {
    auto pct = [](double x) { return std::to_string(static_cast<int>(x * 100 + 0.5)) + "%"; };
    return std::to_string(peers) + " peers, fault phase " +
           std::to_string(fault_phase / 1000) + " ms, drop " + pct(drop_rate) + ", duplicate " +
           pct(duplicate_rate) + ", long delay " + pct(long_delay_rate) +
           (partitions ? ", partitions" : "") + (one_way ? ", one-way links" : "") +
           (crashes ? ", crashes" : "") + (leader_churn ? ", leader churn" : "") +
           (power_cuts ? ", power cuts" : "") + (slow_disk ? ", slow disk" : "");
  }
};

} // namespace raft::sim

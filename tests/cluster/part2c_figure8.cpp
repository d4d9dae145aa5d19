/// TestFigure82C and TestFigure8Unreliable2C (part2c_scenarios.hpp).

#include <catch2/catch.hpp>

#include <thread>

#include "course_harness.hpp"
#include "part2c_scenarios.hpp"

namespace raft::testing {

namespace {

/// The course's pause between the rounds of both Figure 8 tests: 10% of the time up to half
/// an election timeout (rand % 500 ms), otherwise rand % 13 ms.
void figure_8_pause(course_random& rnd) {
  std::uint64_t ms = rnd.below(1000) < 100 ? rnd.below(1000 / 2) : rnd.below(13);
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

} // namespace

void figure_8(network_mode mode) {
  const std::size_t servers = 5;
  test_cluster c{options_for(mode, servers)};
  INFO("cluster seed " << c.seed());
  course_random rnd{c.seed()};
  c.one(rnd.command(), 1, true);
  std::size_t nup = servers;
  for (int iters = 0; iters < 1000; ++iters) {
    std::optional<peer_id> leader;
    for (peer_id id = 1; id <= servers; ++id)
      if (c.alive(id) && must_start(c, id, rnd.command()).is_leader)
        leader = id;
    figure_8_pause(rnd);
    if (leader) {
      c.crash1(*leader);
      --nup;
    }
    if (nup < 3) {
      auto s = static_cast<peer_id>(rnd.below(servers) + 1);
      if (!c.alive(s)) {
        c.start1(s);
        c.connect(s);
        ++nup;
      }
    }
  }
  for (peer_id id = 1; id <= servers; ++id)
    if (!c.alive(id)) {
      c.start1(id);
      c.connect(id);
    }
  c.one(rnd.command(), servers, true);
  c.check_safety();
}

void figure_8_unreliable() {
  const std::size_t servers = 5;
  test_cluster c{options_for(network_mode::unreliable, servers)};
  INFO("cluster seed " << c.seed());
  course_random rnd{c.seed()};
  auto small = [&] { return std::to_string(rnd.below(10000)); }; // rand.Int() % 10000
  c.one(small(), 1, true);
  std::size_t nup = servers;
  for (int iters = 0; iters < 1000; ++iters) {
    if (iters == 200)
      c.set_long_reordering(true);
    std::optional<peer_id> leader;
    for (peer_id id = 1; id <= servers; ++id)
      if (must_start(c, id, small()).is_leader && c.connected(id))
        leader = id;
    figure_8_pause(rnd);
    if (leader && rnd.below(1000) < 1000 / 2) {
      c.disconnect(*leader);
      --nup;
    }
    if (nup < 3) {
      auto s = static_cast<peer_id>(rnd.below(servers) + 1);
      if (!c.connected(s)) {
        c.connect(s);
        ++nup;
      }
    }
  }
  for (peer_id id = 1; id <= servers; ++id)
    if (!c.connected(id))
      c.connect(id);
  c.one(small(), servers, true);
  c.check_safety();
}

} // namespace raft::testing

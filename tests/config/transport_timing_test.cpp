/// The transport's timeouts derived from a config's timing (config/transport_timing.hpp).

#include "config_test_util.hpp"

#include "config/transport_timing.hpp"

using namespace raft_test;
using std::chrono::milliseconds;

namespace {

raft::timing timing_of(long heartbeat, long min, long max) {
  const auto config = config_of(std::string(three_nodes) + "\n[timing]\nheartbeat_ms = " +
                                std::to_string(heartbeat) + "\nelection_timeout_min_ms = " +
                                std::to_string(min) + "\nelection_timeout_max_ms = " +
                                std::to_string(max) + "\n");
  return config.timing;
}

} // namespace

TEST_CASE("with the default timing the middleman beats every 100 ms and gives up after 700 ms") {
  const auto t = raft::transport_timing_for(config_of(three_nodes).timing);
  CHECK(t.heartbeat_interval == milliseconds(100));
  CHECK(t.connection_timeout == milliseconds(700));
}

TEST_CASE("no transport timeout fires before the election timeout would, across configs") {
  // Every valid combination on a grid from the smallest values the rules allow up to an hour.
  const std::vector<long> values{1,   2,   3,    10,   50,    100,    150,    200,
                                 300, 600, 1000, 1500, 10000, 600000, 1800000, 3600000};
  int checked = 0;
  for (long heartbeat : values)
    for (long min : values)
      for (long max : values) {
        raft::timing raw{milliseconds(heartbeat), milliseconds(min), milliseconds(max)};
        if (raw.problem())
          continue; // the config refuses it (tests/config/config_timing_test.cpp)
        const auto timing = timing_of(heartbeat, min, max);
        const auto t = raft::transport_timing_for(timing);
        CAPTURE(heartbeat, min, max);
        // The formula as documented.
        CHECK(t.heartbeat_interval == timing.heartbeat);
        CHECK(t.connection_timeout == timing.election_max + timing.heartbeat);
        // A connection is closed more than connection_timeout after its last traffic; the
        // last leader message (itself traffic) reset the election timer, which fires at most
        // election_max later. So the close comes at least one heartbeat after the timer.
        CHECK(t.connection_timeout - timing.election_max >= timing.heartbeat);
        // A healthy connection carries a heartbeat each interval both ways: the timeout
        // spans at least three intervals, so one or two late heartbeats never close it.
        CHECK(t.connection_timeout >= 3 * t.heartbeat_interval);
        ++checked;
      }
  CHECK(checked > 200);
}

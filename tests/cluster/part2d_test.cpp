/// The course's Part 2D tests (../shared/TESTER-2BCD.md) under the course's names, on the
/// networks the course gives them (two of them unreliable).

#include <catch2/catch.hpp>

#include "part2d_scenarios.hpp"

using namespace raft::testing;

// Arguments: (disconnect, reliable, crash), as the course's snapcommon.

TEST_CASE("snapshots basic (2D)", "[cluster][2D]") {
  snapshot_rounds(false, true, false);
}

TEST_CASE("install snapshots (disconnect) (2D)", "[cluster][2D]") {
  snapshot_rounds(true, true, false);
}

TEST_CASE("install snapshots (disconnect+unreliable) (2D)", "[cluster][2D][unreliable]") {
  snapshot_rounds(true, false, false);
}

TEST_CASE("install snapshots (crash) (2D)", "[cluster][2D]") {
  snapshot_rounds(false, true, true);
}

TEST_CASE("install snapshots (unreliable+crash) (2D)", "[cluster][2D][unreliable]") {
  snapshot_rounds(false, false, true);
}

TEST_CASE("crash and restart all servers (2D)", "[cluster][2D]") {
  crash_and_restart_all_servers();
}

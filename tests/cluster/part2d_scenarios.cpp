#include "part2d_scenarios.hpp"

#include <catch2/catch.hpp>

#include <sstream>

#include "core/message.hpp"
#include "course_harness.hpp"
#include "network_mode.hpp"

namespace raft::testing {

namespace {

/// The course's SnapShotInterval: applierSnap snapshots every 10 entries.
constexpr std::uint64_t snapshot_interval = 10;
/// The course's MAXLOGSIZE: the largest persisted Raft state (without the snapshot).
constexpr std::uint64_t max_log_size = 2000;

/// "peer 1: 7 entries after its snapshot at 29, ...": what each peer persisted.
std::string persisted_logs(const test_cluster& c) {
  std::ostringstream os;
  for (peer_id id = 1; id <= c.size(); ++id) {
    auto s = c.persisted(id);
    os << (id > 1 ? ", " : "") << "peer " << id << ": " << s.log.size()
       << " entries after its snapshot at " << s.snapshot_index;
  }
  return os.str();
}

} // namespace

void snapshot_rounds(bool disconnect, bool reliable, bool crash) {
  const int iters = 30;
  const std::size_t servers = 3;
  test_cluster c{options_for(reliable ? network_mode::reliable : network_mode::unreliable,
                             servers, true)};
  INFO("cluster seed " << c.seed());
  course_random rnd{c.seed()};
  c.one(rnd.command(), servers, true);
  auto leader1 = c.check_one_leader();
  for (int i = 0; i < iters; ++i) {
    auto victim = plus(leader1, 1, servers);
    auto sender = leader1;
    if (i % 3 == 1) {
      sender = plus(leader1, 1, servers);
      victim = leader1;
    }
    if (disconnect) {
      c.disconnect(victim);
      c.one(rnd.command(), servers - 1, true);
    }
    if (crash) {
      c.crash1(victim);
      c.one(rnd.command(), servers - 1, true);
    }
    // Perhaps send enough to get a snapshot; the sender may not be the leader.
    auto nn = snapshot_interval / 2 + rnd.below(snapshot_interval);
    for (std::uint64_t k = 0; k < nn; ++k)
      must_start(c, sender, rnd.command());
    // Let the appliers catch up with the Start()s.
    if (!disconnect && !crash) {
      // Make sure all followers have caught up, so that an InstallSnapshot RPC isn't
      // required for "snapshots basic".
      c.one(rnd.command(), servers, true);
    } else {
      c.one(rnd.command(), servers - 1, true);
    }
    if (auto size = c.log_size(); size >= max_log_size)
      FAIL("Log size too large: " << size << " bytes, the limit is " << max_log_size
                                  << " (round " << i << ", victim " << victim << "; "
                                  << persisted_logs(c) << ")");
    if (disconnect) {
      // Reconnect a follower, who may be behind and need a snapshot to catch up.
      c.connect(victim);
      c.one(rnd.command(), servers, true);
      leader1 = c.check_one_leader();
    }
    if (crash) {
      c.start1(victim);
      c.connect(victim);
      c.one(rnd.command(), servers, true);
      leader1 = c.check_one_leader();
    }
  }
  // What the names say, beyond the course's checks: every service snapshotted, and a peer
  // that was away caught up by InstallSnapshot at least once in 30 rounds (each round it
  // misses 7 to 16 entries, and the leader snapshots every 10).
  for (peer_id id = 1; id <= servers; ++id)
    if (c.persisted(id).snapshot_index == 0)
      FAIL("peer " << id << " never took a snapshot (" << persisted_logs(c) << ")");
  if (disconnect || crash) {
    auto installs = c.sent_of_kind(kind_index<install_snapshot>::value);
    if (installs == 0)
      FAIL("no InstallSnapshot was sent in " << iters << " rounds (" << persisted_logs(c)
                                             << ")");
  }
  c.check_safety();
}

void crash_and_restart_all_servers() {
  const std::size_t servers = 3;
  const int iters = 5;
  test_cluster c{options_for(network_mode::reliable, servers, true)};
  INFO("cluster seed " << c.seed());
  course_random rnd{c.seed()};
  c.one(rnd.command(), servers, true);
  for (int i = 0; i < iters; ++i) {
    // Perhaps enough to get a snapshot.
    auto nn = snapshot_interval / 2 + rnd.below(snapshot_interval);
    for (std::uint64_t k = 0; k < nn; ++k)
      c.one(rnd.command(), servers, true);
    auto index1 = c.one(rnd.command(), servers, true);
    // Crash all.
    for (peer_id id = 1; id <= servers; ++id)
      c.crash1(id);
    // Revive all.
    for (peer_id id = 1; id <= servers; ++id) {
      c.start1(id);
      c.connect(id);
    }
    auto index2 = c.one(rnd.command(), servers, true);
    if (index2 < index1 + 1)
      FAIL("index decreased from " << index1 << " to " << index2 << " (round " << i << "; "
                                   << c.describe_index(index1) << "; " << persisted_logs(c)
                                   << ")");
  }
  c.check_safety();
}

} // namespace raft::testing

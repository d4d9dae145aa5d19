#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include "sim/simulator.hpp"
#include "tests/sim/report.hpp"

using namespace raft::sim;

TEST_CASE("ten thousand seeded fault scenarios keep at most one leader per term") {
  run_options opts;
  std::map<std::size_t, int> sizes;
  int partitions = 0, one_way = 0, crashes = 0, lossy = 0, reordering = 0;
  std::size_t crashes_done = 0, leaders = 0;
  for (std::uint64_t seed = 1; seed <= 10000; ++seed) {
    auto r = run_seed(seed, opts);
    if (!r.ok)
      FAIL(report(r, opts));
    ++sizes[r.scn.peers];
    partitions += r.scn.partitions;
    one_way += r.scn.one_way;
    crashes += r.scn.crashes;
    lossy += r.scn.drop_rate > 0;
    reordering += r.scn.long_delay_rate > 0;
    crashes_done += r.crashes;
    leaders += r.leaders;
  }
  // The mix really is mixed: every size and every kind of fault in thousands of seeds.
  for (std::size_t n : {3u, 5u, 7u})
    CHECK(sizes[n] > 3000);
  CHECK(partitions > 5000);
  CHECK(one_way > 4000);
  CHECK(crashes > 5000);
  CHECK(lossy > 7000);
  CHECK(reordering > 6000);
  CHECK(crashes_done > 30000);
  CHECK(leaders > 10000);
}

TEST_CASE("a seed replays to the identical trace") {
  run_options opts;
  std::ostringstream first, second;
  opts.trace_out = &first;
  auto a = run_seed(1234, opts);
  opts.trace_out = &second;
  auto b = run_seed(1234, opts);
  REQUIRE(a.ok);
  CHECK(first.str() == second.str());
  CHECK(first.str().size() > 1000);
  CHECK(a.trace_hash == b.trace_hash);
  CHECK(a.events == b.events);
  CHECK(a.end == b.end);
  // Tracing does not change the run, and another seed is another run.
  auto quiet = run_seed(1234);
  CHECK(quiet.trace_hash == a.trace_hash);
  CHECK(run_seed(1235).trace_hash != a.trace_hash);
}

TEST_CASE("after faults heal a leader is elected within five virtual seconds and keeps its term "
          "for ten") {
  for (std::size_t n : {3u, 5u, 7u}) {
    run_options opts;
    opts.peers = n;
    for (std::uint64_t seed = 1; seed <= 300; ++seed) {
      auto r = run_seed(seed, opts);
      if (!r.ok)
        FAIL(report(r, opts));
      // The leader that kept office was elected within 5 s of the heal...
      REQUIRE(r.leader_after_heal >= 0);
      REQUIRE(r.leader_after_heal <= seconds(5));
      // ...and the run went on until it had held its term for 10 s.
      REQUIRE(r.end >= r.heal_at + r.leader_after_heal + seconds(10));
    }
  }
}

TEST_CASE("the liveness check reports a cluster that never heals") {
  run_options opts;
  opts.never_heal = true; // at the heal every peer is left alone: no majority anywhere
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    auto r = run_seed(seed, opts);
    REQUIRE_FALSE(r.ok);
    CHECK_THAT(r.violation, Catch::Contains("no leader within 5 virtual seconds"));
    CHECK(r.end == r.heal_at + seconds(5));
  }
}

TEST_CASE("a failing seed reports a replay command and the events that led to it") {
  run_options opts;
  opts.core_bugs = raft::bug_vote_twice;
  opts.core_checks = false;
  opts.peers = 5;
  auto r = run_seed(1, opts);
  REQUIRE_FALSE(r.ok);
  CHECK(replay_command(1, opts) ==
        "build/sim/raft-sim --seed 1 --peers 5 --bug vote_twice --no-core-checks --trace");
  // The tail: the requested number of events before the violation, then the violation.
  std::istringstream lines(r.tail);
  std::string line, last;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    last = line;
  }
  CHECK(count == 41);
  CHECK_THAT(last, Catch::Contains("VIOLATION"));
}

TEST_CASE("clusters of three, five and seven peers all elect leaders") {
  for (std::size_t n : {3u, 5u, 7u}) {
    run_options opts;
    opts.peers = n;
    auto r = run_seed(99, opts);
    REQUIRE(r.ok);
    CHECK(r.scn.peers == n);
    CHECK(r.leaders >= 1);
  }
}

TEST_CASE("with uneven preloaded logs every leader holds every committed entry (Leader "
          "Completeness), plain and with pre-vote, check-quorum and retries") {
  // §5.4.1's freshness rule is what keeps a peer that lacks a committed entry from winning;
  // sim/history.hpp gives a minority of the peers such logs in every seed.
  for (bool product : {false, true}) {
    run_options opts;
    opts.preloaded_logs = true;
    opts.features = product ? raft::features::product() : raft::features::figure2();
    std::size_t lagging = 0;
    for (std::uint64_t seed = 1; seed <= 3000; ++seed) {
      auto r = run_seed(seed, opts);
      if (!r.ok)
        FAIL(report(r, opts));
      REQUIRE(r.start_history);
      for (auto len : r.start_history->lengths)
        lagging += len < r.start_history->committed;
    }
    CHECK(lagging >= 3000); // every seed has at least one peer without a committed entry
  }
}

TEST_CASE("a preloaded history puts the committed entries on a majority and leaves the others "
          "short of them") {
  for (std::uint64_t seed = 1; seed <= 200; ++seed)
    for (std::size_t n : {3u, 5u, 7u}) {
      auto h = history::draw(seed, n);
      REQUIRE(h.lengths.size() == n);
      REQUIRE(h.committed >= 1);
      REQUIRE(h.committed <= h.log.size());
      std::size_t holding = 0;
      for (auto len : h.lengths)
        holding += len >= h.committed;
      CHECK(holding == n / 2 + 1);
      CHECK(h.lengths[h.writer - 1] == h.log.size());
      CHECK(h.log.back().term == h.term);
      for (std::size_t i = 1; i < h.log.size(); ++i)
        CHECK(h.log[i - 1].term <= h.log[i].term);
      auto disk = h.disk_of(0);
      CHECK(disk.current_term == h.term);
      CHECK(disk.voted_for == std::optional<raft::peer_id>{h.writer});
    }
}

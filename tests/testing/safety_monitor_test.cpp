/// The safety monitor of testing/: each property it checks, the sentence it reports a
/// violation with, and what it must accept (restarts, snapshots, repeated observations).

#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "testing/safety_monitor.hpp"

using raft::testing::safety_monitor;
using strings = std::vector<std::string>;

TEST_CASE("the safety monitor reports a term with two leaders and names both") {
  safety_monitor m;
  m.observe_role(1, 5, true);
  m.observe_role(2, 5, true);
  CHECK(m.violations() == strings{"term 5 has two leaders: 1 and 2"});
  CHECK(m.report() == "term 5 has two leaders: 1 and 2\n");
  CHECK_FALSE(m.ok());
}

TEST_CASE("the safety monitor accepts one leader per term however often it is reported") {
  safety_monitor m;
  m.observe_role(1, 5, true);
  m.observe_role(1, 5, true, 1);
  m.observe_role(2, 5, false, 1);
  m.observe_role(3, 5, false);
  m.observe_role(2, 6, true);
  m.observe_role(1, 6, false, 2);
  CHECK(m.ok());
  CHECK(m.report() == "");
  CHECK(m.leaders() == std::map<std::uint64_t, std::uint64_t>{{5, 1}, {6, 2}});
}

TEST_CASE("the safety monitor counts a follower naming a leader as evidence of who led the "
          "term") {
  safety_monitor m;
  m.observe_role(1, 5, true);
  m.observe_role(3, 5, false, 2);
  CHECK(m.violations() == strings{"term 5 has two leaders: 1 and 2 (2 named by peer 3)"});
}

TEST_CASE("the safety monitor reports each further leader of a term once") {
  safety_monitor m;
  m.observe_role(1, 5, true);
  m.observe_role(2, 5, true);
  m.observe_role(2, 5, true);
  m.observe_role(1, 5, false, 2);
  m.observe_role(3, 5, true);
  CHECK(m.violations() ==
        strings{"term 5 has two leaders: 1 and 2", "term 5 has two leaders: 1 and 3"});
  CHECK(m.leaders().at(5) == 1);
}

TEST_CASE("the safety monitor accepts peers applying the same commands in index order") {
  safety_monitor m;
  for (std::uint64_t peer = 1; peer <= 3; ++peer)
    for (std::uint64_t i = 1; i <= 4; ++i)
      m.observe_applied(peer, i, "c" + std::to_string(i));
  CHECK(m.report() == "");
  CHECK(m.last_applied(2) == 4);
  CHECK(m.last_applied(9) == 0);
}

TEST_CASE("the safety monitor reports two peers applying different commands at one index") {
  safety_monitor m;
  m.observe_applied(1, 1, "x");
  m.observe_applied(2, 1, "y");
  CHECK(m.violations() == strings{"commit index=1 server=2 y != server=1 x"});
}

TEST_CASE("the safety monitor reports a peer that skips an index") {
  safety_monitor m;
  m.observe_applied(1, 1, "a");
  m.observe_applied(1, 3, "c");
  CHECK(m.violations() == strings{"server 1 apply out of order, expected index 2, got 3"});
  // It goes on from what the peer applied: the next in order is no violation.
  m.observe_applied(1, 4, "d");
  CHECK(m.violations().size() == 1);
}

TEST_CASE("the safety monitor reports a peer that applies an index twice") {
  safety_monitor m;
  m.observe_applied(1, 1, "a");
  m.observe_applied(1, 1, "a");
  CHECK(m.violations() == strings{"server 1 apply out of order, expected index 2, got 1"});
}

TEST_CASE("the safety monitor reports a first apply at an index other than 1") {
  safety_monitor m;
  m.observe_applied(4, 2, "b");
  CHECK(m.violations() == strings{"server 4 apply out of order, expected index 1, got 2"});
}

TEST_CASE("a peer restarted empty applies again from index 1 and must apply what it applied "
          "before") {
  safety_monitor m;
  m.observe_applied(1, 1, "a");
  m.observe_applied(1, 2, "b");
  m.peer_restarted(1, 0);
  CHECK(m.last_applied(1) == 0);
  m.observe_applied(1, 1, "a");
  CHECK(m.ok());
  m.observe_applied(1, 2, "B");
  CHECK(m.violations() == strings{"commit index=2 server=1 B != server=1 b"});
}

TEST_CASE("a peer restarted from a snapshot must next apply the index after it") {
  safety_monitor m;
  m.observe_applied(1, 1, "a");
  m.peer_restarted(1, 5);
  m.observe_applied(1, 5, "e");
  CHECK(m.violations() == strings{"server 1 apply out of order, expected index 6, got 5"});
}

TEST_CASE("a snapshot moves a peer's next apply to the index after the snapshot") {
  safety_monitor m;
  m.observe_applied(1, 1, "a");
  m.observe_snapshot(1, 5);
  CHECK(m.last_applied(1) == 5);
  m.observe_applied(1, 6, "f");
  CHECK(m.ok());
  m.observe_snapshot(1, 6); // a snapshot of what it applied already changes nothing
  m.observe_applied(1, 7, "g");
  CHECK(m.ok());
  m.observe_applied(1, 7, "g");
  CHECK(m.violations() == strings{"server 1 apply out of order, expected index 8, got 7"});
}

TEST_CASE("a snapshot behind what a peer already applied is reported and does not move it "
          "back") {
  safety_monitor m;
  for (std::uint64_t i = 1; i <= 3; ++i)
    m.observe_applied(1, i, "c" + std::to_string(i));
  m.observe_snapshot(1, 2);
  CHECK(m.violations() == strings{"server 1 snapshot at index 2 is behind its last applied index 3"});
  CHECK(m.last_applied(1) == 3);
  m.observe_applied(1, 4, "c4");
  CHECK(m.violations().size() == 1);
}

TEST_CASE("the safety monitor takes observations from many threads at once and loses none") {
  safety_monitor m;
  constexpr std::uint64_t peers = 4;
  constexpr std::uint64_t entries = 5000;
  std::atomic<std::uint64_t> waiting{peers};
  std::vector<std::thread> threads;
  for (std::uint64_t peer = 1; peer <= peers; ++peer)
    threads.emplace_back([&m, &waiting, peer] {
      // All start at once, so that their observations overlap.
      --waiting;
      while (waiting > 0)
        std::this_thread::yield();
      for (std::uint64_t i = 1; i <= entries; ++i) {
        m.observe_applied(peer, i, "c" + std::to_string(i));
        // Every peer claims every term once, so each term past the first claim gets
        // peers - 1 second leaders, whoever came first.
        m.observe_role(peer, i, true);
      }
    });
  for (auto& t : threads)
    t.join();
  for (std::uint64_t peer = 1; peer <= peers; ++peer)
    CHECK(m.last_applied(peer) == entries);
  auto v = m.violations();
  CHECK(v.size() == entries * (peers - 1));
  for (auto& s : v)
    CHECK(s.rfind("term ", 0) == 0);
  CHECK(m.leaders().size() == entries);
}

/// Leader failover on the namespace network: the leader's process is killed (SIGKILL), so
/// its host's kernel closes its connections and the others see them drop.

#include <catch2/catch.hpp>

#include "scenario.hpp"

using namespace raft::hosts;
using raft::process::wall_now_us;

TEMPLATE_TEST_CASE("after SIGKILL of the leader the other hosts elect a new leader, and the "
                   "old one restarted rejoins as its follower in the same term",
                   "[hosts][failover]", RAFT_HOST_TRANSPORTS) {
  run_on_hosts(3, transport_of<TestType>(), needs::netns, [](host_cluster& c) {
    auto first = start_and_elect(c);
    auto survivors = all_but(c, {first.leader});
    auto killed_at = wall_now_us();
    c.node(first.leader).kill_now();

    auto next = wait_agreed_leader(c, survivors, heal_bound, first.term);
    REQUIRE(next);
    auto failover_ms = (next->elected_us - killed_at) / 1000;
    WARN(c.transport_name() << ": node " << next->leader << " became leader of term "
                            << next->term << " " << failover_ms << " ms after SIGKILL of leader "
                            << first.leader);
    CHECK(failover_ms <= heal_bound.count());
    for (auto id : survivors) // the kill was seen as a dropped connection, across hosts
      CHECK(wait_peer_events(c, id, "peer_down", {first.leader}, killed_at, 1s));

    auto s = c.status();
    CHECK(s.run.exit_code == 0);
    CHECK(s.reachable() == 2);
    CHECK(s.leaders() == std::vector<std::uint64_t>{next->leader});

    c.node(first.leader).start();
    auto back = wait_agreed_leader(c, c.ids(), heal_bound);
    REQUIRE(back);
    CHECK(back->leader == next->leader);
    CHECK(back->term == next->term);
  });
}

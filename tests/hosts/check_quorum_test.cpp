/// Check-quorum on the namespace network (README, "Check-quorum"): a leader whose bridge
/// port goes down hears from no majority, steps down in its term, and the others elect.

#include <catch2/catch.hpp>

#include "scenario.hpp"

using namespace raft::hosts;
using raft::process::event;
using raft::process::wall_now_us;

TEMPLATE_TEST_CASE("a leader cut off from the network steps down within the maximum election "
                   "timeout and a heartbeat, the others elect a new leader, and once "
                   "reconnected it follows that leader (check-quorum)",
                   "[hosts][checkquorum]", RAFT_HOST_TRANSPORTS) {
  run_on_hosts(3, transport_of<TestType>(), needs::netns, [](host_cluster& c) {
    auto first = start_and_elect(c);
    auto old = first.leader;
    auto others = all_but(c, {old});
    auto asked = stats_of(c, old);
    REQUIRE(asked);

    auto cut = wall_now_us();
    c.isolate(old);
    auto cut_done = wall_now_us(); // from here on the old leader hears no one
    auto down = c.node(old).wait_event(
      [&](const event& e) {
        return e.name == "role" && e.ts_us >= cut &&
               e.str("role") == std::optional<std::string>{"follower"};
      },
      step_down_bound(c.timing()) + heal_bound);
    REQUIRE(down);
    auto step_down_ms = (down->ts_us - cut_done) / 1000;
    WARN(c.transport_name() << ": the cut-off leader stepped down after " << step_down_ms
                            << " ms (bound " << step_down_bound(c.timing()).count() << " ms)");
    CHECK(step_down_ms <= step_down_bound(c.timing()).count());
    CHECK(down->num("term") == std::optional<std::uint64_t>{first.term});

    auto next = wait_agreed_leader(c, others, heal_bound, first.term);
    REQUIRE(next);
    CHECK(next->leader != old);
    // Still cut off, the old leader asks for pre-votes and gets none: it never stands.
    auto target = asked->num("sent_pre_vote").value_or(0) + 2 * others.size();
    CHECK(wait_counter(c, old, "sent_pre_vote", target, heal_bound) >= target);
    for (auto& e : role_events_since(c, cut))
      if (e.node == old) {
        INFO(e.raw);
        CHECK(e.str("role") == std::optional<std::string>{"follower"});
        CHECK(e.num("term") == std::optional<std::uint64_t>{first.term});
      }

    auto healed_at = wall_now_us();
    c.reconnect(old);
    auto back = wait_agreed_leader(c, c.ids(), 2 * heal_bound);
    REQUIRE(back);
    auto heal_ms = (back->since_us - healed_at) / 1000;
    WARN(c.transport_name() << ": one leader " << heal_ms << " ms after the reconnect");
    CHECK(heal_ms <= heal_bound.count());
    CHECK(back->leader == next->leader);
    CHECK(back->term == next->term);
    auto s = c.status();
    CHECK(s.run.exit_code == 0);
    CHECK(s.reachable() == 3);
    CHECK(s.leaders() == std::vector<std::uint64_t>{next->leader});
  });
}

/// Pre-vote on the namespace network (Raft thesis §9.6; README, "Pre-vote"): a host cut
/// off by its bridge port going down, and reconnected, must not disturb the majority.

#include <catch2/catch.hpp>

#include "scenario.hpp"

using namespace raft::hosts;
using raft::process::read_state_file;
using raft::process::wall_now_us;

TEMPLATE_TEST_CASE("a host cut off from the network and reconnected never raises the term of "
                   "the majority nor deposes its leader (pre-vote)",
                   "[hosts][prevote]", RAFT_HOST_TRANSPORTS) {
  run_on_hosts(3, transport_of<TestType>(), needs::netns, [](host_cluster& c) {
    auto first = start_and_elect(c);
    auto loner = all_but(c, {first.leader}).front();
    auto others = all_but(c, {loner});
    auto before = stats_of(c, loner);
    REQUIRE(before);
    auto asked = before->num("sent_pre_vote").value_or(0);

    auto cut = wall_now_us();
    c.isolate(loner);
    // Cut off, the loner loses its connections and its election timer fires: each time it
    // asks for pre-votes, which reach no one. Without pre-vote each would be an election in
    // a new term.
    REQUIRE(wait_peer_events(c, loner, "peer_down", others, cut, 10s));
    auto target = asked + 2 * others.size();
    REQUIRE(wait_counter(c, loner, "sent_pre_vote", target, 10s) >= target);

    auto back = wall_now_us();
    c.reconnect(loner);
    REQUIRE(wait_peer_events(c, loner, "peer_up", others, back, heal_bound));
    // Reconnected, the loner hears the leader's heartbeats for a whole maximum election
    // timeout (and one more heartbeat) without standing for election.
    auto heard = stats_of(c, loner);
    REQUIRE(heard);
    auto beats = heard->num("received_append_entries").value_or(0) +
                 c.timing().election_timeout_max_ms / c.timing().heartbeat_ms + 1;
    REQUIRE(wait_counter(c, loner, "received_append_entries", beats, heal_bound) >= beats);

    CHECK(top_term(c) == first.term);
    for (auto& e : role_events_since(c, cut)) {
      INFO(e.raw);
      CHECK(e.str("role") != std::optional<std::string>{"candidate"});
      CHECK(e.node != first.leader); // the leader never changed its role
    }
    auto now = agreed_leader(c, c.ids());
    REQUIRE(now);
    CHECK(now->leader == first.leader);
    CHECK(now->term == first.term);
    auto stored = read_state_file(c.data_dir(loner));
    REQUIRE(stored);
    CHECK(stored->term == first.term);
    auto s = c.status();
    CHECK(s.run.exit_code == 0);
    CHECK(s.reachable() == 3);
    CHECK(s.leaders() == std::vector<std::uint64_t>{first.leader});
  });
}

/// Partitions of a five-node cluster into sides on the namespace network (nftables in the
/// bridge's namespace drops every packet between sides; within a side all flows).

#include <catch2/catch.hpp>

#include "scenario.hpp"

using namespace raft::hosts;
using raft::process::event;
using raft::process::wall_now_us;

namespace {

/// Waits until the cut-off leader logs that it stepped down, and checks it did so within
/// the check-quorum bound of `cut_done`, when the cut that began at `cut` was complete.
void check_steps_down(host_cluster& c, std::uint64_t leader, std::int64_t cut,
                      std::int64_t cut_done) {
  auto down = c.node(leader).wait_event(
    [&](const event& e) {
      return e.name == "role" && e.ts_us >= cut &&
             e.str("role") == std::optional<std::string>{"follower"};
    },
    step_down_bound(c.timing()) + heal_bound);
  REQUIRE(down);
  auto ms = (down->ts_us - cut_done) / 1000;
  WARN(c.transport_name() << ": the cut-off leader stepped down after " << ms << " ms (bound "
                          << step_down_bound(c.timing()).count() << " ms)");
  CHECK(ms <= step_down_bound(c.timing()).count());
}

/// Heals the network and checks that the whole cluster has one leader within heal_bound;
/// returns it.
agreement heal_and_check(host_cluster& c) {
  auto healed_at = wall_now_us();
  c.heal();
  auto back = wait_agreed_leader(c, c.ids(), 2 * heal_bound);
  REQUIRE(back);
  auto heal_ms = (back->since_us - healed_at) / 1000;
  WARN(c.transport_name() << ": one leader of all " << c.size() << " nodes " << heal_ms
                          << " ms after the heal");
  CHECK(heal_ms <= heal_bound.count());
  auto s = c.status();
  INFO("raftctl status took " << s.run.took.count() << " ms:\n" << s.run.out << s.run.err);
  CHECK(s.run.exit_code == 0);
  CHECK(s.reachable() == c.size());
  CHECK(s.leaders() == std::vector<std::uint64_t>{back->leader});
  return *back;
}

} // namespace

TEMPLATE_TEST_CASE("a minority side with the old leader never elects while the majority side "
                   "does, and after the heal the majority's leader leads all",
                   "[hosts][partition]", RAFT_HOST_TRANSPORTS) {
  run_on_hosts(5, transport_of<TestType>(), needs::netns_and_nft, [](host_cluster& c) {
    auto first = start_and_elect(c);
    auto other = all_but(c, {first.leader}).front();
    std::vector<std::uint64_t> minority{first.leader, other};
    auto majority = all_but(c, minority);
    std::map<std::uint64_t, std::uint64_t> replies;
    for (auto id : minority) {
      auto s = stats_of(c, id);
      REQUIRE(s);
      replies[id] = s->num("received_pre_vote_reply").value_or(0);
    }

    auto cut = wall_now_us();
    c.split({minority, majority});
    auto cut_done = wall_now_us();
    check_steps_down(c, first.leader, cut, cut_done);
    auto next = wait_agreed_leader(c, majority, heal_bound, first.term);
    REQUIRE(next);
    // The two minority nodes keep asking each other for pre-votes, round after round (each
    // round's reply from the other is one message), and two of five is never a majority.
    for (auto id : minority)
      CHECK(wait_counter(c, id, "received_pre_vote_reply", replies[id] + 3, 10s) >=
            replies[id] + 3);
    for (auto& e : role_events_since(c, cut))
      if (e.node == minority[0] || e.node == minority[1]) {
        INFO(e.raw);
        CHECK(e.str("role") == std::optional<std::string>{"follower"});
        CHECK(e.num("term") == std::optional<std::uint64_t>{first.term});
      }

    auto back = heal_and_check(c);
    CHECK(back.leader == next->leader); // the minority's return disturbs nothing (pre-vote)
    CHECK(back.term == next->term);
  });
}

TEMPLATE_TEST_CASE("a cluster split three ways with no majority anywhere elects no one, and "
                   "once healed has one leader within five seconds",
                   "[hosts][partition]", RAFT_HOST_TRANSPORTS) {
  run_on_hosts(5, transport_of<TestType>(), needs::netns_and_nft, [](host_cluster& c) {
    auto first = start_and_elect(c);
    std::vector<std::vector<std::uint64_t>> sides{{1, 2}, {3, 4}, {5}};
    std::map<std::uint64_t, std::uint64_t> asked;
    for (auto id : c.ids()) {
      auto s = stats_of(c, id);
      REQUIRE(s);
      asked[id] = s->num("sent_pre_vote").value_or(0);
    }

    auto cut = wall_now_us();
    c.split(sides);
    auto cut_done = wall_now_us();
    check_steps_down(c, first.leader, cut, cut_done);
    // Every node loses the connections across the cut and asks for pre-votes, in vain.
    for (auto& side : sides)
      for (auto id : side) {
        auto across = all_but(c, side);
        CHECK(wait_peer_events(c, id, "peer_down", across, cut, 10s));
        auto target = asked[id] + 2 * (c.size() - 1);
        CHECK(wait_counter(c, id, "sent_pre_vote", target, 10s) >= target);
      }
    for (auto& e : role_events_since(c, cut)) {
      INFO(e.raw);
      CHECK(e.str("role") == std::optional<std::string>{"follower"});
      CHECK(e.num("term") == std::optional<std::uint64_t>{first.term});
    }

    auto back = heal_and_check(c);
    CHECK(back.term > first.term);
  });
}

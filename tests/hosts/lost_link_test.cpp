/// One lost link on the namespace network (README, "Pre-vote" and "Crash fast path"): a
/// follower that cannot hear the leader while the third node can must not disturb them.
/// The link is lost in the network (nftables in the bridge's namespace): both directions,
/// or only the leader's packets to that follower.

#include <catch2/catch.hpp>

#include "scenario.hpp"

using namespace raft::hosts;
using raft::process::wall_now_us;

namespace {

enum class loss { both_ways, leader_to_follower };

void lose_one_link(host_cluster& c, loss how) {
  auto first = start_and_elect(c);
  auto leader = first.leader;
  auto cut_off = all_but(c, {leader}).front();
  auto third = all_but(c, {leader, cut_off}).front();
  auto before = stats_of(c, cut_off);
  REQUIRE(before);

  auto cut = wall_now_us();
  if (how == loss::both_ways)
    c.cut_link(leader, cut_off);
  else
    c.drop_one_way(leader, cut_off);
  // The cut-off follower's election timer fires again and again; each time it asks the third
  // node for a pre-vote, and the third node, which hears the leader, refuses (one reply per
  // round: the retries go only to peers that have not answered).
  auto target = before->num("received_pre_vote_reply").value_or(0) + 3;
  REQUIRE(wait_counter(c, cut_off, "received_pre_vote_reply", target, 10s) >= target);

  CHECK(top_term(c) == first.term);
  for (auto& e : role_events_since(c, cut)) {
    INFO(e.raw);
    CHECK(e.node == cut_off); // only the cut-off follower saw anything change
    CHECK(e.str("role") == std::optional<std::string>{"follower"});
    CHECK(e.num("term") == std::optional<std::uint64_t>{first.term});
  }
  auto still = agreed_leader(c, {leader, third});
  REQUIRE(still);
  CHECK(still->leader == leader);
  CHECK(still->term == first.term);
  auto s = c.status();
  CHECK(s.run.exit_code == 0);
  CHECK(s.reachable() == 3);
  CHECK(s.leaders() == std::vector<std::uint64_t>{leader});

  auto healed_at = wall_now_us();
  c.heal();
  auto back = wait_agreed_leader(c, c.ids(), 2 * heal_bound);
  REQUIRE(back);
  CHECK((back->since_us - healed_at) / 1000 <= heal_bound.count());
  CHECK(back->leader == leader);
  CHECK(back->term == first.term);
}

} // namespace

TEMPLATE_TEST_CASE("a follower that loses only its link to the leader changes neither the "
                   "leader nor the term",
                   "[hosts][lostlink]", RAFT_HOST_TRANSPORTS) {
  run_on_hosts(3, transport_of<TestType>(), needs::netns_and_nft,
               [](host_cluster& c) { lose_one_link(c, loss::both_ways); });
}

TEMPLATE_TEST_CASE("a follower that stops receiving the leader's packets while its own still "
                   "reach the leader changes neither the leader nor the term",
                   "[hosts][lostlink]", RAFT_HOST_TRANSPORTS) {
  run_on_hosts(3, transport_of<TestType>(), needs::netns_and_nft,
               [](host_cluster& c) { lose_one_link(c, loss::leader_to_follower); });
}

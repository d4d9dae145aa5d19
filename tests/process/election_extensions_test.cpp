/// Pre-vote, check-quorum, partial link loss and SIGSTOP/SIGCONT with real raft-node
/// processes on loopback. Network faults use raft-node's --fault-file switch: packets to and
/// from the listed peers are dropped while the connections stay up.

#include <catch2/catch.hpp>

#include <signal.h>


#include "testing/cluster_events.hpp"

using namespace raft::process;

namespace {

void check_one_leader_per_term(const cluster_dir& c) {
  raft::testing::safety_monitor m;
  observe_logs(m, c);
  CHECK(m.report() == "");
}

/// Starts every node and waits for a leader; returns its id.
std::uint64_t start_and_elect(cluster_dir& c) {
  c.start_all();
  auto leader = c.wait_for_leader(10s);
  REQUIRE(leader);
  return *leader;
}

/// No node stood for election since `since_us`, and no term passed `term`.
void check_no_campaign_since(const cluster_dir& c, std::int64_t since_us, std::uint64_t term) {
  CHECK(top_term(c) == term);
  for (auto& e : role_events_since(c, since_us))
    CHECK(e.str("role") != std::optional<std::string>{"candidate"});
}

std::uint64_t follower_of(const cluster_dir& c, std::uint64_t leader) {
  return leader % c.size() + 1;
}

const std::optional<std::string> follower{"follower"};

/// Waits for the sign that node `id`'s election timer fired after `since_us`: it forgets the
/// leader (a `role` event: follower in `term`, leader null) and starts asking for pre-votes.
std::optional<event> wait_timed_out(const cluster_dir& c, std::uint64_t id, std::int64_t since_us,
                                    std::uint64_t term) {
  return c.node(id).wait_event(
    [&](const event& e) {
      return e.name == "role" && e.ts_us >= since_us && e.str("role") == follower &&
             e.num("term") == term && !e.str("leader");
    },
    2s);
}

/// A counter of a `stats` event (0 when absent).
std::uint64_t counter(const std::optional<event>& stats, const std::string& name) {
  return stats ? stats->num(name).value_or(0) : 0;
}

} // namespace

TEST_CASE("a node whose network was cut rejoins without raising the term or deposing the "
          "leader (pre-vote)",
          "[process][prevote]") {
  cluster_dir c{3, {}, true};
  auto leader = start_and_elect(c);
  auto term = top_term(c);
  auto loner = follower_of(c, leader);
  auto& n = c.node(loner);
  auto before = n.stats();
  REQUIRE(before);
  auto cut = c.set_fault(loner, "all\n", c.others(loner));
  REQUIRE(cut);
  // Its election timer fires (300–600 ms) and it asks both others for pre-votes (counted
  // when sent, though dropped). A round lasts one election timeout, at most 600 ms, and asks
  // each peer at once and again every heartbeat interval (100 ms): at most 7 times. So 10
  // requests to each of the two others prove the timer fired at least twice while cut off.
  auto timed_out = wait_timed_out(c, loner, cut->ts_us, term);
  std::optional<event> now;
  bool asked = eventually(
    [&] {
      now = n.stats();
      return counter(now, "sent_pre_vote") - counter(before, "sent_pre_vote") >= 2 * 10;
    },
    10s, 100ms);
  auto healed = c.set_fault(loner, "", {});
  INFO(c.logs());
  CHECK(timed_out);
  INFO("pre-votes the loner sent while cut off: "
       << counter(now, "sent_pre_vote") - counter(before, "sent_pre_vote"));
  CHECK(asked);
  // It never stood for election.
  CHECK(counter(now, "sent_request_vote") == counter(before, "sent_request_vote"));
  REQUIRE(healed);
  // Back on the network, it follows the same leader in the same term.
  auto rejoined = n.wait_event(
    [&](const event& e) {
      return e.name == "role" && e.ts_us >= healed->ts_us && e.str("role") == follower &&
             e.num("term") == term && e.num("leader") == leader;
    },
    2s);
  CHECK(rejoined);
  check_no_campaign_since(c, cut->ts_us, term);
  auto s = c.status();
  CHECK(s.run.exit_code == 0);
  CHECK(s.leaders() == std::vector<std::uint64_t>{leader});
  check_one_leader_per_term(c);
}

TEST_CASE("an isolated leader steps down within the maximum election timeout and the others "
          "elect a new leader (check-quorum)",
          "[process][checkquorum]") {
  cluster_dir c{3, {}, true};
  auto leader = start_and_elect(c);
  auto term = top_term(c);
  auto engaged = c.set_fault(leader, "all\n", c.others(leader));
  REQUIRE(engaged);
  auto cut = engaged->ts_us;
  auto down = c.node(leader).wait_event(
    [&](const event& e) {
      return e.name == "role" && e.ts_us >= cut && e.str("role") == follower;
    },
    3s);
  INFO(c.logs());
  REQUIRE(down);
  auto took_ms = (down->ts_us - cut) / 1000;
  INFO("the isolated leader stepped down " << took_ms << " ms after the fault engaged");
  // election_max, then the next step that checks (a heartbeat: 100 ms), 10 ms of scheduling.
  CHECK(took_ms <= 600 + 100 + 10);
  std::optional<event> next;
  CHECK(eventually(
    [&] {
      for (auto& e : role_events_since(c, cut))
        if (e.str("role") == std::optional<std::string>{"leader"} &&
            e.num("term").value_or(0) > term)
          return (next = e).has_value();
      return false;
    },
    5s));
  if (next)
    CHECK(next->node != leader);
  check_one_leader_per_term(c);
}

TEST_CASE("losing the link between one follower and the leader changes neither the leader "
          "nor the term",
          "[process][prevote]") {
  cluster_dir c{3, {}, true};
  auto leader = start_and_elect(c);
  auto term = top_term(c);
  auto cut_off = follower_of(c, leader);
  auto other = follower_of(c, cut_off);
  auto asked_before = c.node(other).stats();
  REQUIRE(asked_before);
  auto start = wall_now_us();
  REQUIRE(c.set_fault(leader, std::to_string(cut_off) + "\n", {cut_off}));
  auto both_cut = c.set_fault(cut_off, std::to_string(leader) + "\n", {leader});
  REQUIRE(both_cut);
  // The cut-off follower's timer fires and it asks for pre-votes; the other follower, still
  // hearing the leader, refuses. Refused, it asks that follower again only in its next round,
  // at its next election timeout: three pre-votes received there mean three rounds, so its
  // timer fired at least three times while the leader and term held.
  auto timed_out = wait_timed_out(c, cut_off, start, term);
  std::optional<event> asked_now;
  bool three_rounds = eventually(
    [&] {
      asked_now = c.node(other).stats();
      return counter(asked_now, "received_pre_vote") -
               counter(asked_before, "received_pre_vote") >=
             3;
    },
    10s, 100ms);
  INFO(c.logs());
  CHECK(timed_out);
  CHECK(three_rounds);
  CHECK(counter(asked_now, "sent_pre_vote_reply") - counter(asked_before, "sent_pre_vote_reply") >=
        3);
  check_no_campaign_since(c, start, term);
  auto s = c.status();
  CHECK(s.leaders() == std::vector<std::uint64_t>{leader});
}

TEST_CASE("a leader frozen with SIGSTOP steps down within 100 ms of SIGCONT, and no term ever "
          "has two leaders",
          "[process][sigstop]") {
  cluster_dir c{3, {}, true};
  auto leader = start_and_elect(c);
  auto term = top_term(c);
  c.node(leader).signal(SIGSTOP);
  std::optional<std::uint64_t> next;
  CHECK(eventually(
    [&] {
      for (auto id : c.ids())
        if (id != leader)
          for (auto& e : c.node(id).events())
            if (e.name == "role" && e.str("role") == std::optional<std::string>{"leader"} &&
                e.num("term").value_or(0) > term)
              return (next = id).has_value();
      return false;
    },
    5s));
  auto thaw = wall_now_us();
  c.node(leader).signal(SIGCONT);
  auto down = c.node(leader).wait_event(
    [&](const event& e) { return e.name == "role" && e.ts_us >= thaw; }, 3s);
  INFO(c.logs());
  REQUIRE(down);
  CHECK(down->str("role") != std::optional<std::string>{"leader"});
  auto ms = (down->ts_us - thaw) / 1000;
  INFO("the old leader stepped down " << ms << " ms after SIGCONT");
  CHECK(ms <= 100);
  auto s = c.status();
  CHECK(s.leaders() == std::vector<std::uint64_t>{*next});
  check_one_leader_per_term(c);
}

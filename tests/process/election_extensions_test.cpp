/// Pre-vote, check-quorum, partial link loss and SIGSTOP/SIGCONT with real raft-node
/// processes on loopback. Network faults use raft-node's --fault-file switch: packets to and
/// from the listed peers are dropped while the connections stay up.

#include <catch2/catch.hpp>

#include <signal.h>

#include <thread>

#include "node_harness.hpp"

using namespace raft::process;

namespace {

/// The highest term any node logged a role change in.
std::uint64_t top_term(const cluster_dir& c) {
  std::uint64_t top = 0;
  for (auto id : c.ids())
    for (auto& e : c.node(id).events())
      if (e.name == "role")
        top = std::max(top, e.num("term").value_or(0));
  return top;
}

/// Role events of any node logged at or after `since_us`.
std::vector<event> role_events_since(const cluster_dir& c, std::int64_t since_us) {
  std::vector<event> out;
  for (auto id : c.ids())
    for (auto& e : c.node(id).events())
      if (e.name == "role" && e.ts_us >= since_us)
        out.push_back(e);
  return out;
}

void check_one_leader_per_term(const cluster_dir& c) {
  std::vector<std::vector<event>> logs;
  for (auto id : c.ids())
    logs.push_back(c.node(id).events());
  for (auto& [term, ids] : leaders_by_term(logs)) {
    INFO("term " << term << " has " << ids.size() << " leaders in the logs");
    CHECK(ids.size() == 1);
  }
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

} // namespace

TEST_CASE("a node whose network was cut rejoins without raising the term or deposing the "
          "leader (pre-vote)",
          "[process][prevote]") {
  cluster_dir c{3, {}, true};
  auto leader = start_and_elect(c);
  auto term = top_term(c);
  auto loner = follower_of(c, leader);
  write_file(c.fault_file(loner), "all\n");
  // Several election timeouts pass for the loner (300–600 ms each).
  std::this_thread::sleep_for(3s);
  auto back = wall_now_us();
  write_file(c.fault_file(loner), "");
  REQUIRE(c.node(loner).wait_event(
    [&](const event& e) { return e.name == "fault" && e.ts_us >= back; }, 2s));
  std::this_thread::sleep_for(2s);
  INFO(c.logs());
  check_no_campaign_since(c, back, term);
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
  auto cut = wall_now_us();
  write_file(c.fault_file(leader), "all\n");
  auto down = c.node(leader).wait_event(
    [&](const event& e) {
      return e.name == "role" && e.ts_us >= cut && e.str("role") == std::optional<std::string>{"follower"};
    },
    3s);
  INFO(c.logs());
  REQUIRE(down);
  auto took_ms = (down->ts_us - cut) / 1000;
  INFO("the isolated leader stepped down after " << took_ms << " ms");
  CHECK(took_ms <= 600 + 10 + 100); // election_max, the fault-file poll, one heartbeat
  std::optional<event> next;
  CHECK(wait_until(
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
  auto start = wall_now_us();
  write_file(c.fault_file(leader), std::to_string(cut_off) + "\n");
  write_file(c.fault_file(cut_off), std::to_string(leader) + "\n");
  std::this_thread::sleep_for(3s);
  INFO(c.logs());
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
  CHECK(wait_until(
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

#include "scenario.hpp"

#define CATCH_CONFIG_EXTERNAL_INTERFACES // the listener base class
#include <catch2/catch.hpp>

#include <iostream>

#include "availability.hpp"

namespace raft::hosts {

namespace {

/// Failed assertions of the running test case so far.
std::size_t failures = 0;

/// Counts failed assertions, so that run_on_hosts can print the logs of a test that failed
/// a CHECK (which, unlike REQUIRE, throws nothing).
struct failure_counter : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  void testCaseStarting(Catch::TestCaseInfo const& info) override {
    TestEventListenerBase::testCaseStarting(info);
    failures = 0;
  }
  bool assertionEnded(Catch::AssertionStats const& stats) override {
    if (!stats.assertionResult.isOk())
      ++failures;
    return true;
  }
};

} // namespace

CATCH_REGISTER_LISTENER(failure_counter)

std::chrono::milliseconds step_down_bound(const process::timing_config& t) {
  return std::chrono::milliseconds{t.election_timeout_max_ms + t.heartbeat_ms} +
         scheduling_allowance;
}

void check_election_safety(const host_cluster& c) {
  testing::safety_monitor m;
  process::observe_logs(m, c);
  CHECK(m.report() == "");
}

void check_nothing_refused(const host_cluster& c) {
  for (auto id : c.ids())
    for (auto& e : c.node(id).events()) {
      INFO("node " << id << ": " << e.raw);
      CHECK(e.name != "remote_refused");
    }
}

void run_on_hosts(std::size_t nodes, const transport& how, needs what,
                  const std::function<void(host_cluster&)>& body) {
  if (what == needs::netns_and_nft)
    require_netns_and_nft();
  else
    require_netns();
  host_cluster c{nodes, how};
  if (what == needs::netns_and_nft)
    c.network().prepare_drops();
  try {
    body(c);
  } catch (...) {
    check_election_safety(c);
    std::cerr << c.logs();
    throw;
  }
  check_election_safety(c);
  check_nothing_refused(c);
  if (failures > 0)
    std::cerr << c.logs();
}

agreement start_and_elect(host_cluster& c) {
  auto started = process::wall_now_us();
  c.start_all();
  for (auto id : c.ids()) {
    // Each node runs the transport under test (`started` says whether TLS is on).
    auto start = c.node(id).wait_event(
      [](const process::event& e) { return e.name == "started"; }, 10s);
    REQUIRE(start);
    CHECK(start->str("tls") == std::optional<std::string>{c.tls() ? "true" : "false"});
    // Each node binds its own host's address, the one its config gives it.
    auto listening = c.node(id).wait_event(
      [](const process::event& e) { return e.name == "listening"; }, 10s);
    REQUIRE(listening);
    CHECK(listening->str("address") ==
          bridge_network::address(static_cast<unsigned>(id)) + ":" +
            std::to_string(host_cluster::member_port));
  }
  for (auto id : c.ids())
    REQUIRE(wait_peer_events(c, id, "peer_up", all_but(c, {id}), started, 10s));
  auto a = wait_agreed_leader(c, c.ids(), 10s);
  REQUIRE(a);
  return *a;
}

} // namespace raft::hosts

/// Message budgets and rates: the course's RPC counts and heartbeat limit, measured with the
/// simulated network's counters.

#include <catch2/catch.hpp>

#include <sstream>
#include <thread>

#include "testing/test_cluster.hpp"
#include "testing/polling.hpp"
#include "core/message.hpp"

using namespace raft;
using namespace raft::testing;
using namespace std::chrono_literals;

namespace {

/// The requests a peer sends, each one RPC in the course's count (replies are not counted,
/// as the course counts calls): pre_vote (thesis §9.6: a RequestVote that changes no term),
/// request_vote and append_entries (heartbeats).
const std::vector<std::size_t> rpc_kinds = {kind_index<pre_vote>::value,
                                            kind_index<request_vote>::value,
                                            kind_index<append_entries>::value};

/// Messages of the given kinds sent by every peer together.
std::uint64_t sent_of(const test_cluster& c, const std::vector<std::size_t>& kinds) {
  std::uint64_t n = 0;
  for (auto k : kinds)
    n += c.sent_of_kind(k);
  return n;
}

/// "pre_vote 2, request_vote 2, ..." for every message kind, for failure messages.
std::string by_kind(const test_cluster& c) {
  std::ostringstream os;
  for (std::size_t k = 0; k < std::variant_size_v<message>; ++k)
    os << (k ? ", " : "") << kind_name(k) << " " << c.sent_of_kind(k);
  return os.str();
}

} // namespace

TEST_CASE("the leader sends at most ten heartbeats per second to each follower, and does "
          "send them",
          "[cluster][rates]") {
  test_cluster c{{}};
  INFO("cluster seed " << c.seed());
  auto leader = c.check_one_leader();
  auto term = c.check_terms();
  std::vector<std::uint64_t> before;
  for (peer_id f = 1; f <= c.size(); ++f)
    before.push_back(c.heartbeats_sent(leader, f));
  auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(3s); // the measuring window
  auto window = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(c.check_terms() == term);
  for (peer_id f = 1; f <= c.size(); ++f) {
    if (f == leader)
      continue;
    auto sent = c.heartbeats_sent(leader, f) - before[f - 1];
    INFO("follower " << f << ": " << sent << " heartbeats in " << window << " s");
    // Ten per second, plus one for the fence post (a send at each end of the window).
    CHECK(static_cast<double>(sent) <= 10.0 * window + 1.0);
    // And the leader keeps sending them: at least eight per second.
    CHECK(static_cast<double>(sent) >= 8.0 * window);
  }
  c.check_safety();
}

TEST_CASE("at most thirty RPCs elect the first leader of three peers and at most sixty "
          "messages flow in an idle second",
          "[cluster][rates]") {
  test_cluster c{{}};
  INFO("cluster seed " << c.seed());
  c.check_one_leader();
  // RPCs: every pre_vote, request_vote and append_entries any peer sent (rpc_kinds).
  auto rpcs = sent_of(c, rpc_kinds);
  INFO("RPCs to elect the first leader: " << rpcs << " (messages sent: " << by_kind(c) << ")");
  // Pre-vote is on: the winner asked both others for pre-votes before it stood, and those
  // requests are in the count.
  CHECK(c.sent_of_kind(kind_index<pre_vote>::value) >= 2);
  CHECK(c.sent_of_kind(kind_index<request_vote>::value) >= 2);
  CHECK(rpcs <= 30);
  auto term = c.check_terms();
  auto messages_before = c.total_messages();
  auto rpcs_before = sent_of(c, rpc_kinds);
  std::this_thread::sleep_for(1s); // the measuring window
  auto messages = c.total_messages() - messages_before;
  auto idle_rpcs = sent_of(c, rpc_kinds) - rpcs_before;
  INFO("in an idle second: " << idle_rpcs << " RPCs, " << messages
                             << " messages of every kind, replies included");
  CHECK(c.check_terms() == term);
  // The course allows 60 RPCs; we hold every message, replies included, to that budget.
  CHECK(messages <= 60);
  CHECK(idle_rpcs <= 30);
  c.check_safety();
}

TEST_CASE("an idle healthy cluster keeps its term and its leader for ten seconds",
          "[cluster][stability]") {
  test_cluster c{{}};
  INFO("cluster seed " << c.seed());
  auto leader = c.check_one_leader();
  auto term = c.check_terms();
  auto changes_before = c.role_log().size();
  bool stable = throughout(
    [&] {
      for (peer_id id = 1; id <= c.size(); ++id) {
        auto st = c.get_state(id);
        if (!st || st->term != term || st->is_leader != (id == leader))
          return false;
      }
      return true;
    },
    10s);
  CHECK(stable);
  CHECK(c.role_log().size() == changes_before);
  c.check_safety();
}

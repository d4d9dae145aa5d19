/// Forged wire messages sent to a node's port by a raw CAF client (raft-forge,
/// tests/process/forge_client.cpp): the endpoint drops them (actors/endpoint.hpp) and
/// reports each claimed sender at most once per second with a count of the rest.

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "testing/node_harness.hpp"
#include "transport_test_util.hpp"

using namespace raft::process;

namespace {

/// Runs raft-forge with `args`; it must succeed. Returns its JSON line.
std::map<std::string, std::optional<std::string>> forge(const std::vector<std::string>& args) {
  std::vector<std::string> argv{RAFT_FORGE_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_program(argv, 30s);
  INFO("raft-forge exit " << r.exit_code << "\n" << r.out << r.err);
  REQUIRE(r.exit_code == 0);
  auto line = r.out.substr(0, r.out.find('\n'));
  auto obj = parse_flat_json(line);
  REQUIRE(obj);
  return *obj;
}

/// The number of rejections an event stands for: itself and the ones it counts.
std::uint64_t covered(const event& e) {
  return 1 + e.num("suppressed").value_or(0);
}

std::map<std::string, std::uint64_t> covered_by_reason(const std::vector<event>& events) {
  std::map<std::string, std::uint64_t> out;
  for (auto& e : events)
    out[e.str("reason").value_or("?")] += covered(e);
  return out;
}

} // namespace

TEST_CASE("a node drops messages that claim its own id or come from unknown or unproven "
          "senders and reports each sender at most once per second",
          "[process][forged]") {
  cluster_dir c{3};
  c.start_all();
  auto leader = c.wait_for_leader(10s);
  REQUIRE(leader);
  auto before = c.status();
  REQUIRE(before.run.exit_code == 0);
  REQUIRE(before.peers.front().term);
  const auto term = *before.peers.front().term;
  const auto target = *leader; // a higher term reaching it would depose it
  std::vector<std::uint64_t> followers;
  for (auto id : c.ids())
    if (id != target)
      followers.push_back(id);
  const auto port = std::to_string(c.port(target));
  const auto high = std::to_string(term + 100);
  const auto since = wall_now_us();
  auto s = [](std::uint64_t v) { return std::to_string(v); };

  // 300 heartbeats of a higher term that claim to come from the leader itself.
  auto own = forge({"--port", port, "--kind", "append_entries", "--claim", s(target), "--term",
                    high, "--count", "300"});
  // 200 vote requests in a follower's name from a process that never said hello.
  auto unproven = forge({"--port", port, "--kind", "request_vote", "--claim", s(followers[0]),
                         "--term", high, "--count", "200"});
  // 200 vote requests in the second follower's name from a process that proved (with the
  // first follower's config) that it is the first follower.
  auto other = forge({"--port", port, "--hello-config", c.config(followers[0]), "--kind",
                      "request_vote", "--claim", s(followers[1]), "--term", high, "--count",
                      "200"});
  CHECK(other["hello"] == std::optional<std::string>{"accepted"});
  // 1000 invented sender ids, one pre-vote each: more than the reports track.
  auto invented = forge({"--port", port, "--kind", "pre_vote", "--claim", "1000:1999", "--term",
                         high, "--count", "1"});
  // Each answer came after the node had handled every forged message before it.
  for (auto* answer : {&own, &unproven, &other, &invented}) {
    CHECK((*answer)["term"] == std::optional<std::string>{s(term)});
    CHECK((*answer)["leader"] == std::optional<std::string>{s(target)});
  }

  // Every rejection is reported or counted, per reason, once the last window has passed.
  const std::map<std::string, std::uint64_t> expected{
    {"own_id", 300}, {"no_hello", 200}, {"other_id", 200}, {"unknown_id", 1000}};
  std::vector<event> reports;
  auto collect = [&] {
    reports.clear();
    for (auto& e : c.node(target).events())
      if (e.name == "sender_rejected" && e.ts_us >= since)
        reports.push_back(e);
  };
  bool all_counted = eventually(
    [&] {
      collect();
      return covered_by_reason(reports) == expected;
    },
    10s, 100ms);
  INFO(c.logs());
  CHECK(all_counted);
  CHECK(covered_by_reason(reports) == expected);

  std::map<std::string, std::vector<const event*>> by_sender; // "null" for the untracked
  std::set<std::string> invented_tracked;
  for (auto& e : reports) {
    auto from = e.str("from").value_or("null");
    by_sender[from].push_back(&e);
    auto reason = e.str("reason").value_or("");
    if (reason == "own_id") {
      CHECK(from == s(target));
      CHECK(e.str("kind") == std::optional<std::string>{"append_entries"});
    } else if (reason == "no_hello") {
      CHECK(from == s(followers[0]));
      CHECK(e.str("kind") == std::optional<std::string>{"request_vote"});
    } else if (reason == "other_id") {
      CHECK(from == s(followers[1]));
    } else {
      CHECK(reason == "unknown_id");
      CHECK(e.str("kind") == std::optional<std::string>{"pre_vote"});
      if (from != "null")
        invented_tracked.insert(from);
    }
  }
  // At most one report per sender per second. The reports are stamped with the wall clock
  // and limited on the monotonic clock; 10 ms allows for the two drifting apart.
  for (auto& [from, list] : by_sender)
    for (std::size_t i = 1; i < list.size(); ++i) {
      INFO("sender " << from << ": " << list[i - 1]->raw << "\n" << list[i]->raw);
      CHECK(list[i]->ts_us - list[i - 1]->ts_us >= 990'000);
    }
  // The reports track at most 64 senders; the others were counted together.
  CHECK(invented_tracked.size() <= 64);
  CHECK(by_sender.count("null") == 1);
  // 300 rejections from one sender gave far fewer reports: the rest were counted.
  CHECK(by_sender[s(target)].size() < 300);
  std::uint64_t most_suppressed = 0;
  for (auto* e : by_sender[s(target)])
    most_suppressed = std::max(most_suppressed, e->num("suppressed").value_or(0));
  CHECK(most_suppressed > 0);

  // Nothing reached the Raft peers: same leader, same term, no role change anywhere, and the
  // other nodes were not involved.
  auto after = c.status();
  CHECK(after.run.exit_code == 0);
  CHECK(after.leaders() == std::vector<std::uint64_t>{target});
  for (auto& p : after.peers)
    CHECK(p.term == term);
  for (auto id : c.ids()) {
    CHECK(c.node(id).running());
    for (auto& e : c.node(id).events())
      if (e.ts_us >= since) {
        INFO(e.raw);
        CHECK(e.name != "role");
        CHECK(e.name != "error");
        if (id != target)
          CHECK(e.name != "sender_rejected");
      }
  }
}

/// The replicated key-value store of real raft-node processes, through raftctl put, get,
/// delete and cas (apps/kv_output.hpp): one JSON line each, exit status 0 for a known
/// outcome, 3 for an unknown one, 2 for usage; writes survive the leader's death and a
/// restart of every node; bad requests change nothing.

#include <catch2/catch.hpp>

#include <signal.h>

#include <nlohmann/json.hpp>

#include "testing/node_harness.hpp"

using namespace raft::process;
using namespace std::chrono_literals;

namespace {

/// `raftctl ARGS --config (node 1's config) --json`, run to completion.
run_result raftctl(const cluster_dir& c, std::vector<std::string> args, std::uint64_t via = 1) {
  std::vector<std::string> argv{raftctl_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--config", c.config(via), "--json"});
  return run_program(argv, 20s);
}

/// The one JSON line raftctl printed (fails the test when there is not exactly one).
nlohmann::json line_of(const run_result& r) {
  INFO("stdout: " << r.out << "stderr: " << r.err);
  REQUIRE(std::count(r.out.begin(), r.out.end(), '\n') == 1);
  return nlohmann::json::parse(r.out);
}

/// A running cluster of `n` with a leader.
std::uint64_t started(cluster_dir& c) {
  c.start_all();
  auto leader = c.wait_for_leader(10s);
  INFO(c.logs());
  REQUIRE(leader);
  return *leader;
}

} // namespace

TEST_CASE("raftctl put, get, delete and cas print one JSON line each and exit 0 for every "
          "known outcome",
          "[process][kv]") {
  cluster_dir c{3};
  started(c);
  auto put = raftctl(c, {"put", "colour", "blue"});
  CHECK(put.exit_code == 0);
  CHECK(line_of(put) == nlohmann::json{{"ok", true}});

  auto get = raftctl(c, {"get", "colour"}, 2); // asked through a follower's config
  CHECK(get.exit_code == 0);
  CHECK(line_of(get) == nlohmann::json({{"found", true}, {"value", "blue"}}));

  auto missing = raftctl(c, {"get", "shape"});
  CHECK(missing.exit_code == 0);
  CHECK(line_of(missing) == nlohmann::json{{"found", false}});

  auto swapped = raftctl(c, {"cas", "colour", "blue", "green"});
  CHECK(swapped.exit_code == 0);
  CHECK(line_of(swapped) == nlohmann::json{{"ok", true}});
  auto refused = raftctl(c, {"cas", "colour", "blue", "red"});
  CHECK(refused.exit_code == 0);
  CHECK(line_of(refused) == nlohmann::json({{"ok", false}, {"found", true}, {"value", "green"}}));
  auto created = raftctl(c, {"cas", "--absent", "shape", "round"});
  CHECK(created.exit_code == 0);
  CHECK(line_of(created) == nlohmann::json{{"ok", true}});
  auto taken = raftctl(c, {"cas", "--absent", "shape", "square"});
  CHECK(line_of(taken) == nlohmann::json({{"ok", false}, {"found", true}, {"value", "round"}}));

  auto deleted = raftctl(c, {"delete", "colour"});
  CHECK(deleted.exit_code == 0);
  CHECK(line_of(deleted) == nlohmann::json({{"ok", true}, {"existed", true}}));
  auto again = raftctl(c, {"delete", "colour"});
  CHECK(line_of(again) == nlohmann::json({{"ok", true}, {"existed", false}}));
  auto absent_cas = raftctl(c, {"cas", "colour", "green", "red"});
  CHECK(line_of(absent_cas) == nlohmann::json({{"ok", false}, {"found", false}}));

  for (auto how : {"linearizable", "lease", "local"}) {
    CAPTURE(how);
    auto read = raftctl(c, {"get", "shape", "--read", how}, 3);
    CHECK(read.exit_code == 0);
    // A local read may lag; the others must see the last write.
    if (std::string(how) != "local")
      CHECK(line_of(read) == nlohmann::json({{"found", true}, {"value", "round"}}));
  }
}

TEST_CASE("writes acknowledged before the leader is killed are read back through the new "
          "leader, and new writes succeed under it",
          "[process][kv]") {
  cluster_dir c{3};
  auto leader = started(c);
  for (int i = 1; i <= 5; ++i)
    REQUIRE(raftctl(c, {"put", "k" + std::to_string(i), "v" + std::to_string(i)}).exit_code == 0);
  c.node(leader).kill_now();
  auto via = leader == 1 ? 2 : 1;
  for (int i = 1; i <= 5; ++i) {
    auto get = raftctl(c, {"get", "k" + std::to_string(i)}, via);
    INFO(c.logs());
    CHECK(get.exit_code == 0);
    CHECK(line_of(get) == nlohmann::json({{"found", true}, {"value", "v" + std::to_string(i)}}));
  }
  auto put = raftctl(c, {"put", "k6", "v6"}, via);
  CHECK(put.exit_code == 0);
  CHECK(line_of(raftctl(c, {"get", "k6"}, via)) ==
        nlohmann::json({{"found", true}, {"value", "v6"}}));
}

TEST_CASE("every acknowledged write survives SIGKILL of every node and a restart from the "
          "durable logs",
          "[process][kv]") {
  cluster_dir c{3};
  started(c);
  for (int i = 1; i <= 20; ++i)
    REQUIRE(raftctl(c, {"put", "key" + std::to_string(i % 7), std::to_string(i)}).exit_code == 0);
  for (auto id : c.ids())
    c.node(id).kill_now();
  c.start_all();
  REQUIRE(c.wait_for_leader(10s));
  for (int k = 0; k < 7; ++k) {
    // The last write of key k was the largest i with i % 7 == k.
    int last = 0;
    for (int i = 1; i <= 20; ++i)
      if (i % 7 == k)
        last = i;
    auto get = raftctl(c, {"get", "key" + std::to_string(k)});
    INFO(c.logs());
    CHECK(line_of(get) == nlohmann::json({{"found", true}, {"value", std::to_string(last)}}));
  }
  // Each node logged what it recovered: the entries of its log.
  for (auto id : c.ids()) {
    auto started_events = c.node(id).events_of_this_run();
    auto it = std::find_if(started_events.begin(), started_events.end(),
                           [](const event& e) { return e.name == "started"; });
    REQUIRE(it != started_events.end());
    CHECK(it->num("last_index").value_or(0) >= 20);
  }
}

TEST_CASE("raftctl refuses an oversize key or value and a wrong number of arguments with one "
          "line and exit status 2, and nothing is written",
          "[process][kv]") {
  cluster_dir c{3};
  started(c);
  struct bad {
    std::vector<std::string> args;
    const char* says;
  };
  for (const auto& b : {bad{{"put", std::string(1025, 'k'), "v"}, "above the limit of 1024"},
                        bad{{"put", "k", std::string(65537, 'v')}, "above the limit of 65536"},
                        bad{{"cas", "k", "e", std::string(65537, 'v')}, "above the limit"},
                        bad{{"put", "k"}, "expected KEY VALUE"},
                        bad{{"cas", "--absent", "k", "e", "n"}, "expected --absent KEY NEW"},
                        bad{{"get", "k", "--read", "sometimes"}, "linearizable|lease|local"}}) {
    CAPTURE(b.args.front(), b.says);
    auto r = raftctl(c, b.args);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_THAT(r.err, Catch::Contains(b.says));
  }
  CHECK(line_of(raftctl(c, {"get", "k"})) == nlohmann::json{{"found", false}});
}

TEST_CASE("a write to a cluster without a majority never reports success: exit status 1 when "
          "it never reached a leader that could act on it, 3 when its outcome is unknown",
          "[process][kv]") {
  // Long election timeouts keep the leader in office (check-quorum) for seconds after its
  // followers freeze, so a write may reach it and be appended, but cannot commit.
  timing_config slow;
  slow.election_timeout_min_ms = 4000;
  slow.election_timeout_max_ms = 5000;
  cluster_dir c{3, slow};
  auto leader = started(c);
  for (auto id : c.others(leader))
    c.node(id).signal(SIGSTOP);
  std::vector<std::string> argv{raftctl_path(), "put", "k", "v", "--config", c.config(leader),
                                "--json", "--timeout", "1500"};
  auto r = run_program(argv, 20s);
  for (auto id : c.others(leader))
    c.node(id).signal(SIGCONT);
  INFO(r.out << r.err);
  REQUIRE((r.exit_code == 1 || r.exit_code == 3));
  auto j = line_of(r);
  CHECK(j["ok"] == false);
  CHECK(j["outcome"] == (r.exit_code == 3 ? "unknown" : "unavailable"));
  // Once the cluster has its majority back, what the key holds agrees with the outcome:
  // a write known not to have happened did not.
  REQUIRE(c.wait_for_leader(20s));
  auto after = line_of(raftctl(c, {"get", "k"}));
  if (r.exit_code == 1)
    CHECK(after == nlohmann::json{{"found", false}});
}

/// The operator's tables: [metrics], [hooks] and [kv] (config/README.md).

#include <string>

#include "config_test_util.hpp"

using namespace raft_test;

TEST_CASE("without metrics and hooks tables metrics are off and no hook is set") {
  auto c = config_of(three_nodes);
  CHECK_FALSE(c.metrics);
  CHECK(c.hooks.on_leader.empty());
  CHECK(c.hooks.on_follower.empty());
  CHECK(c.hooks.timeout == std::chrono::milliseconds(10000));
}

TEST_CASE("the metrics listen address and the hooks are read as written") {
  auto c = config_of(std::string(three_nodes) + R"(
[metrics]
listen = "127.0.0.1:9101"

[hooks]
on_leader = "ip addr add 10.0.0.100/24 dev eth0 && echo $RAFT_TERM > /run/term"
on_follower = "/usr/local/bin/demote"
timeout_ms = 2500
)");
  REQUIRE(c.metrics);
  CHECK(c.metrics->host == "127.0.0.1");
  CHECK(c.metrics->port == 9101);
  CHECK(c.hooks.on_leader == "ip addr add 10.0.0.100/24 dev eth0 && echo $RAFT_TERM > /run/term");
  CHECK(c.hooks.on_follower == "/usr/local/bin/demote");
  CHECK(c.hooks.timeout == std::chrono::milliseconds(2500));
  auto v6 = config_of(std::string(three_nodes) + "[metrics]\nlisten = \"[::1]:9101\"\n");
  REQUIRE(v6.metrics);
  CHECK(v6.metrics->host == "::1");
}

TEST_CASE("bad metrics and hooks values are reported with file and line and column and field") {
  const std::string base{three_nodes};
  const auto first_line = base + "\n"; // the tables below start on line 22
  struct bad {
    std::string text;
    std::string error;
  };
  for (const auto& b : std::vector<bad>{
         {"[metrics]\nlisten = \"127.0.0.1\"\n",
          "test.toml:22:10: metrics.listen must be HOST:PORT (e.g. \"127.0.0.1:9101\", "
          "\"[::1]:9101\"), got \"127.0.0.1\""},
         {"[metrics]\nlisten = \"::1:9101\"\n", "test.toml:22:10: metrics.listen must be HOST:PORT"},
         {"[metrics]\nlisten = \"127.0.0.1:70000\"\n",
          "test.toml:22:10: metrics.listen port must be between 1 and 65535, got 70000"},
         {"[metrics]\nlisten = 9101\n",
          "test.toml:22:10: metrics.listen must be a string, not an integer"},
         {"[metrics]\nlisten = \"10.0.0.1:7101\"\n",
          "test.toml:22:10: metrics.listen 10.0.0.1:7101 is this node's own Raft address"},
         {"[metrics]\nlisen = \"127.0.0.1:9101\"\nlisten = \"127.0.0.1:9101\"\n",
          "test.toml:22:1: unknown key 'lisen' in [metrics] (did you mean 'listen'?)"},
         {"[metrics]\n", "test.toml:21:1: missing required key 'metrics.listen'"},
         {"[hooks]\non_leader = \"\"\n",
          "test.toml:22:13: hooks.on_leader must not be empty (leave the key out for no hook)"},
         {"[hooks]\non_follower = 3\n",
          "test.toml:22:15: hooks.on_follower must be a string, not an integer"},
         {"[hooks]\ntimeout_ms = 0\n",
          "test.toml:22:14: hooks.timeout_ms must be a positive integer number of milliseconds, "
          "at most 3600000, got 0"},
         {"[hooks]\non_lead = \"x\"\n",
          "test.toml:22:1: unknown key 'on_lead' in [hooks] (did you mean 'on_leader'?)"},
       }) {
    auto errors = errors_of(first_line + b.text);
    CAPTURE(b.text);
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0], Catch::Matchers::StartsWith(b.error));
  }
}

TEST_CASE("without a kv table the store snapshots every 10000 entries and keeps 4096 sessions "
          "for an hour") {
  auto c = config_of(three_nodes);
  CHECK(c.kv.snapshot_every == 10000);
  CHECK(c.kv.session_timeout_ms == 3600000);
  CHECK(c.kv.max_sessions == 4096);
}

TEST_CASE("the kv table is read as written") {
  auto c = config_of(std::string(three_nodes) +
                     "[kv]\nsnapshot_every = 0\nsession_timeout_ms = 60000\nmax_sessions = 10\n");
  CHECK(c.kv.snapshot_every == 0);
  CHECK(c.kv.session_timeout_ms == 60000);
  CHECK(c.kv.max_sessions == 10);
}

TEST_CASE("bad kv values are reported with file and line and column and field") {
  const auto first_line = std::string(three_nodes) + "\n"; // the table starts on line 22
  struct bad {
    std::string text;
    std::string error;
  };
  for (const auto& b : std::vector<bad>{
         {"[kv]\nmax_sessions = 0\n", "test.toml:22:16: kv.max_sessions must be"},
         {"[kv]\nsession_timeout_ms = 5\n", "test.toml:22:22: kv.session_timeout_ms must be"},
         {"[kv]\nsnapshot_every = -1\n", "test.toml:22:18: kv.snapshot_every must be"},
         {"[kv]\nsnapshot_every = \"10\"\n",
          "test.toml:22:18: kv.snapshot_every must be an integer, not a string"},
         {"[kv]\nsnapshots = 10\n", "test.toml:22:1: unknown key 'snapshots' in [kv]"},
       }) {
    auto errors = errors_of(first_line + b.text);
    CAPTURE(b.text);
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0], Catch::Matchers::StartsWith(b.error));
  }
}

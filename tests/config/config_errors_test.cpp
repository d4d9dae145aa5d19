#include "config_test_util.hpp"

using namespace raft_test;
using Catch::Matchers::Contains;

TEST_CASE("a TOML syntax error is reported alone with its line and column") {
  const auto errors = errors_of(R"([node]
id = 1
data_dir = "unterminated
)");
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Catch::Matchers::StartsWith("test.toml:3:"));
}

TEST_CASE("a key defined twice is a syntax error") {
  const auto errors = errors_of(R"([node]
id = 1
id = 2
)");
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Catch::Matchers::StartsWith("test.toml:3:"));
}

TEST_CASE("an empty file reports the missing node table and peers") {
  const auto errors = errors_of("");
  REQUIRE(errors.size() == 2);
  CHECK(errors[0] == "test.toml:1:1: missing required table [node]");
  CHECK(errors[1] ==
        "test.toml:1:1: missing required [[peer]] tables (one per member, this node included)");
}

TEST_CASE("missing node fields are reported at the node table") {
  const auto errors = errors_of(R"(
[node]

[[peer]]
id = 1
host = "a"
port = 1
)");
  REQUIRE(errors.size() == 2);
  CHECK(errors[0] == "test.toml:2:1: missing required key 'node.id'");
  CHECK(errors[1] == "test.toml:2:1: missing required key 'node.data_dir'");
}

TEST_CASE("missing peer fields are reported at their peer table") {
  const auto errors = errors_of(R"([node]
id = 1
data_dir = "d"
[[peer]]
id = 1
host = "a"
port = 1
[[peer]]
host = "b"
[[peer]]
id = 3
)");
  REQUIRE(errors.size() == 4);
  CHECK(errors[0] == "test.toml:8:1: missing required key 'peer.id'");
  CHECK(errors[1] == "test.toml:8:1: missing required key 'peer.port'");
  CHECK(errors[2] == "test.toml:10:1: missing required key 'peer.host'");
  CHECK(errors[3] == "test.toml:10:1: missing required key 'peer.port'");
}

TEST_CASE("an empty peer list is an error") {
  const auto errors = errors_of(R"(peer = []
[node]
id = 1
data_dir = "d"
)");
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Contains("at least one [[peer]] is required"));
}

TEST_CASE("a single [peer] table instead of [[peer]] is an error") {
  const auto errors = errors_of(R"([node]
id = 1
data_dir = "d"
[peer]
id = 1
host = "a"
port = 1
)");
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Contains("write [[peer]], not [peer]"));
}

TEST_CASE("ill-typed fields are each reported with the type found") {
  const auto errors = errors_of(R"([node]
id = "one"
data_dir = 5
[[peer]]
id = 1.0
host = 10
port = 1.5
)");
  REQUIRE(errors.size() == 5);
  CHECK(errors[0] == "test.toml:2:6: node.id must be an integer, not a string");
  CHECK(errors[1] == "test.toml:3:12: node.data_dir must be a string, not an integer");
  CHECK(errors[2] == "test.toml:5:6: peer.id must be an integer, not a floating-point number");
  CHECK(errors[3] == "test.toml:6:8: peer.host must be a string, not an integer");
  CHECK(errors[4] == "test.toml:7:8: peer.port must be an integer, not a floating-point number");
}

TEST_CASE("a node that is not a table is an error") {
  const auto errors = errors_of(R"(node = 1
[[peer]]
id = 1
host = "a"
port = 1
)");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "test.toml:1:8: node must be a table ([node]), not an integer");
}

TEST_CASE("a misspelt key is reported with a suggestion, never ignored") {
  const auto errors = errors_of(std::string(three_nodes) + R"(
[timing]
hearbeat_ms = 50
)");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] ==
        "test.toml:22:1: unknown key 'hearbeat_ms' in [timing] (did you mean 'heartbeat_ms'?)");
}

TEST_CASE("unknown keys and tables are reported everywhere") {
  const auto errors = errors_of(R"(cluster_name = "x"
[node]
id = 1
data_dir = "d"
dta_dir = "e"
[[peer]]
id = 1
host = "a"
port = 1
weight = 3
[timnig]
heartbeat_ms = 50
[[peers]]
id = 2
)");
  REQUIRE(errors.size() == 5);
  CHECK(errors[0] == "test.toml:1:1: unknown key 'cluster_name' at top level");
  CHECK(errors[1] ==
        "test.toml:5:1: unknown key 'dta_dir' in [node] (did you mean 'data_dir'?)");
  CHECK(errors[2] == "test.toml:10:1: unknown key 'weight' in [[peer]]");
  CHECK(errors[3] == "test.toml:11:2: unknown table 'timnig' at top level (did you mean 'timing'?)");
  CHECK(errors[4] == "test.toml:13:3: unknown table 'peers' at top level (did you mean 'peer'?)");
}

TEST_CASE("duplicate peer ids are reported with the first definition") {
  const auto errors = errors_of(R"([node]
id = 1
data_dir = "d"
[[peer]]
id = 1
host = "a"
port = 1
[[peer]]
id = 1
host = "b"
port = 1
)");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "test.toml:9:6: duplicate peer id 1 (first defined at 5:6)");
}

TEST_CASE("duplicate host and port pairs are reported") {
  const auto errors = errors_of(R"([node]
id = 1
data_dir = "d"
[[peer]]
id = 1
host = "Server-A"
port = 7101
[[peer]]
id = 2
host = "server-a"
port = 7101
)");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] ==
        "test.toml:10:8: duplicate address server-a:7101 (also used by peer 1 at 6:8)");
}

TEST_CASE("a node id that is not among the peers is reported") {
  const auto errors = errors_of(R"([node]
id = 4
data_dir = "d"
[[peer]]
id = 1
host = "a"
port = 1
)");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] ==
        "test.toml:2:6: node.id 4 is not among the [[peer]] ids (list this node as a peer too)");
}

TEST_CASE("ids must be positive and fit in 32 bits") {
  const auto errors = errors_of(R"([node]
id = 0
data_dir = "d"
[[peer]]
id = -3
host = "a"
port = 1
[[peer]]
id = 4294967296
host = "b"
port = 1
)");
  REQUIRE(errors.size() == 3);
  CHECK(errors[0] == "test.toml:2:6: node.id must be between 1 and 4294967295, got 0");
  CHECK(errors[1] == "test.toml:5:6: peer.id must be between 1 and 4294967295, got -3");
  CHECK(errors[2] ==
        "test.toml:9:6: peer.id must be between 1 and 4294967295, got 4294967296");
}

TEST_CASE("ports must be between 1 and 65535") {
  const auto errors = errors_of(R"([node]
id = 1
data_dir = "d"
[[peer]]
id = 1
host = "a"
port = 0
[[peer]]
id = 2
host = "b"
port = 65536
)");
  REQUIRE(errors.size() == 2);
  CHECK(errors[0] == "test.toml:7:8: peer.port must be between 1 and 65535, got 0");
  CHECK(errors[1] == "test.toml:11:8: peer.port must be between 1 and 65535, got 65536");
}

TEST_CASE("empty hosts and data directories are errors") {
  const auto errors = errors_of(R"([node]
id = 1
data_dir = ""
[[peer]]
id = 1
host = ""
port = 1
[[peer]]
id = 2
host = "a b"
port = 1
)");
  REQUIRE(errors.size() == 3);
  CHECK(errors[0] == "test.toml:3:12: node.data_dir must not be empty");
  CHECK(errors[1] == "test.toml:6:8: peer.host must not be empty");
  CHECK(errors[2] ==
        "test.toml:10:8: peer.host must not contain whitespace or control characters");
}

TEST_CASE("every error of a file is reported, not only the first") {
  const auto errors = errors_of(R"([node]
id = 9
data_dir = ""
[[peer]]
id = 1
host = "a"
port = 70000
[[peer]]
id = 1
host = "b"
port = 2
[timing]
heartbeat_ms = 0
extra = 1
)");
  REQUIRE(errors.size() == 6);
  CHECK_THAT(errors[0], Contains("node.id 9 is not among"));
  CHECK_THAT(errors[1], Contains("node.data_dir must not be empty"));
  CHECK_THAT(errors[2], Contains("peer.port must be between"));
  CHECK_THAT(errors[3], Contains("duplicate peer id 1"));
  CHECK_THAT(errors[4], Contains("timing.heartbeat_ms must be a positive integer"));
  CHECK_THAT(errors[5], Contains("unknown key 'extra' in [timing]"));
}

#include "config_test_util.hpp"

using namespace raft_test;
using std::chrono::milliseconds;

TEST_CASE("a three-node config is read with its peers in file order") {
  const auto config = config_of(three_nodes);
  CHECK(config.node_id == 1);
  CHECK(config.data_dir == "/var/lib/raft-caf/1");
  REQUIRE(config.peers.size() == 3);
  CHECK(config.peers[0] == raft::peer_address{1, "10.0.0.1", 7101});
  CHECK(config.peers[1] == raft::peer_address{2, "10.0.0.2", 7101});
  CHECK(config.peers[2] == raft::peer_address{3, "10.0.0.3", 7101});
  CHECK(config.member_ids() == std::vector<raft::peer_id>{1, 2, 3});
  CHECK(config.self() == raft::peer_address{1, "10.0.0.1", 7101});
  CHECK(config.others().size() == 2);
}

TEST_CASE("without a timing table the safe defaults apply") {
  const auto config = config_of(three_nodes);
  CHECK(config.timing.heartbeat == milliseconds(100));
  CHECK(config.timing.election_min == milliseconds(300));
  CHECK(config.timing.election_max == milliseconds(600));
}

TEST_CASE("a timing table overrides the defaults") {
  const auto config = config_of(std::string(three_nodes) + R"(
[timing]
heartbeat_ms = 50
election_timeout_min_ms = 150
election_timeout_max_ms = 400
)");
  CHECK(config.timing.heartbeat == milliseconds(50));
  CHECK(config.timing.election_min == milliseconds(150));
  CHECK(config.timing.election_max == milliseconds(400));
}

TEST_CASE("a partial timing table keeps the defaults for the other keys") {
  const auto config = config_of(std::string(three_nodes) + R"(
[timing]
election_timeout_max_ms = 900
)");
  CHECK(config.timing.heartbeat == milliseconds(100));
  CHECK(config.timing.election_min == milliseconds(300));
  CHECK(config.timing.election_max == milliseconds(900));
}

TEST_CASE("a one-peer cluster is allowed") {
  const auto config = config_of(R"(
[node]
id = 7
data_dir = "data/7"

[[peer]]
id = 7
host = "127.0.0.1"
port = 7107
)");
  CHECK(config.member_ids() == std::vector<raft::peer_id>{7});
  CHECK(config.others().empty());
  CHECK(config.self().port == 7107);
}

TEST_CASE("host names and IPv6 literals are accepted as hosts") {
  const auto config = config_of(R"(
[node]
id = 2
data_dir = "d"
[[peer]]
id = 1
host = "raft-1.example.org"
port = 7101
[[peer]]
id = 2
host = "::1"
port = 7102
)");
  CHECK(config.peers[0].host == "raft-1.example.org");
  CHECK(config.self().host == "::1");
}

TEST_CASE("the same host may serve several peers on different ports") {
  const auto config = config_of(R"(
[node]
id = 1
data_dir = "d"
[[peer]]
id = 1
host = "127.0.0.1"
port = 7101
[[peer]]
id = 2
host = "127.0.0.1"
port = 7102
)");
  CHECK(config.peers.size() == 2);
}

TEST_CASE("ids and ports at the edges of their ranges are accepted") {
  const auto config = config_of(R"(
[node]
id = 4294967295
data_dir = "d"
[[peer]]
id = 4294967295
host = "10.0.0.1"
port = 65535
[[peer]]
id = 1
host = "10.0.0.2"
port = 1
)");
  CHECK(config.node_id == 4294967295u);
  CHECK(config.peers[0].port == 65535);
  CHECK(config.peers[1].port == 1);
}

TEST_CASE("inline tables are the same as table headers") {
  const auto config = config_of(R"(
node = { id = 2, data_dir = "d" }
peer = [ { id = 1, host = "a", port = 1 }, { id = 2, host = "b", port = 2 } ]
timing = { heartbeat_ms = 100 }
)");
  CHECK(config.node_id == 2);
  CHECK(config.peers.size() == 2);
}

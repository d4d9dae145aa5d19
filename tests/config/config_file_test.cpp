#include "config_test_util.hpp"

using namespace raft_test;

namespace {
const std::string data_dir = CONFIG_TEST_DATA_DIR;
}

TEST_CASE("a valid config file is loaded") {
  const auto result = raft::load_cluster_config(data_dir + "/three_nodes.toml");
  for (const auto& e : result.errors) UNSCOPED_INFO(e);
  REQUIRE(result.ok());
  const auto& config = *result.config;
  CHECK(config.node_id == 2);
  CHECK(config.data_dir == "/var/lib/raft-caf/2");
  CHECK(config.member_ids() == std::vector<raft::peer_id>{1, 2, 3});
  CHECK(config.self() == raft::peer_address{2, "10.0.0.2", 7102});
  CHECK(config.timing.heartbeat == std::chrono::milliseconds(100));
}

TEST_CASE("errors in a file name the file, line and column") {
  const std::string path = data_dir + "/broken.toml";
  const auto result = raft::load_cluster_config(path);
  REQUIRE_FALSE(result.ok());
  REQUIRE(result.errors.size() == 3);
  CHECK(result.errors[0] == path + ":9:8: duplicate peer id 1 (first defined at 5:6)");
  CHECK(result.errors[1] == path + ":11:8: peer.port must be between 1 and 65535, got 99999");
  CHECK(result.errors[2] == path + ":13:1: unknown key 'hearbeat_ms' in [timing] (did you mean "
                                   "'heartbeat_ms'?)");
}

TEST_CASE("a syntax error in a file names the file") {
  const std::string path = data_dir + "/syntax_error.toml";
  const auto result = raft::load_cluster_config(path);
  REQUIRE(result.errors.size() == 1);
  CHECK_THAT(result.errors[0], Catch::Matchers::StartsWith(path + ":4:"));
}

TEST_CASE("a missing file is reported as unreadable") {
  const std::string path = data_dir + "/no_such_file.toml";
  const auto result = raft::load_cluster_config(path);
  REQUIRE_FALSE(result.ok());
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0] == path + ": cannot read: No such file or directory");
}

TEST_CASE("a directory given as config file is reported as unreadable") {
  const auto result = raft::load_cluster_config(data_dir);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0] == data_dir + ": cannot read: Is a directory");
}

#pragma once
/// Helpers shared by the config tests.

#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "config/load_config.hpp"

namespace raft_test {

/// Parses `text` as "test.toml"; the result must be an error list, which is returned.
inline std::vector<std::string> errors_of(std::string_view text) {
  auto result = raft::parse_cluster_config(text, "test.toml");
  CAPTURE(text);
  REQUIRE_FALSE(result.ok());
  REQUIRE_FALSE(result.errors.empty());
  return result.errors;
}

/// Parses `text` as "test.toml"; it must be valid.
inline raft::cluster_config config_of(std::string_view text) {
  auto result = raft::parse_cluster_config(text, "test.toml");
  for (const auto& e : result.errors) UNSCOPED_INFO(e);
  REQUIRE(result.ok());
  REQUIRE(result.errors.empty());
  return *result.config;
}

inline bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

/// A valid three-node config, to be extended by tests.
constexpr std::string_view three_nodes = R"(
[node]
id = 1
data_dir = "/var/lib/raft-caf/1"

[[peer]]
id = 1
host = "10.0.0.1"
port = 7101

[[peer]]
id = 2
host = "10.0.0.2"
port = 7101

[[peer]]
id = 3
host = "10.0.0.3"
port = 7101
)";

} // namespace raft_test

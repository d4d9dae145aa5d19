#pragma once
/// Turns a parsed TOML document into a cluster_config, checking every rule of
/// config/README.md. Internal to raft_config: callers use load_config.hpp.

#include <optional>

#include <toml++/toml.h>

#include "config/cluster_config.hpp"
#include "config/detail/error_list.hpp"

namespace raft::config_detail {

/// Returns the config when `doc` obeys every rule; otherwise adds one entry to `errors` per
/// problem found (all of them, not just the first) and returns nothing.
std::optional<cluster_config> validate(const toml::table& doc, error_list& errors);

} // namespace raft::config_detail

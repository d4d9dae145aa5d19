#pragma once
/// Reading and validating a cluster config file (format and rules: config/README.md).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/cluster_config.hpp"

namespace raft {

/// Either a valid config or the list of everything wrong with the input.
///
/// Invariant: exactly one of `config` and `errors` is non-empty. Each error is one line,
/// `FILE:LINE:COL: message` (`FILE: cannot read: reason` when the file cannot be read), in
/// the order of their positions in the file.
struct config_result {
  std::optional<cluster_config> config;
  std::vector<std::string> errors;

  bool ok() const { return config.has_value(); }
  explicit operator bool() const { return ok(); }
};

/// Parses and validates `text`; `name` stands for the file in error messages.
///
/// Reports every error found, except that a TOML syntax error is reported alone (the
/// document cannot be trusted past it). Unknown keys are errors, so a typo never silently
/// falls back to a default.
config_result parse_cluster_config(std::string_view text, std::string name);

/// Reads the file at `path` and parses it as parse_cluster_config does.
config_result load_cluster_config(const std::string& path);

/// load_cluster_config for the programs: the config, or nothing after each error was printed
/// as a line of its own on stderr (the program then exits 2).
std::optional<cluster_config> load_cluster_config_or_report(const std::string& path);

} // namespace raft

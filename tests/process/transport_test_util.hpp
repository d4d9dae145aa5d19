#pragma once
/// Helpers of the process tests for the transport's checks (cluster identity, forged senders,
/// timeouts): extra nodes with configs of their own, and message counters read from nodes.

#include <signal.h>

#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "testing/node_harness.hpp"

namespace raft::process {

/// `text` with `[node]` given `cluster_id = "id"`.
inline std::string with_cluster_id(std::string text, const std::string& id) {
  const std::string header = "[node]\n";
  auto at = text.find(header);
  REQUIRE(at != std::string::npos);
  return text.insert(at + header.size(), "cluster_id = \"" + id + "\"\n");
}

/// `text` with the first `from` replaced by `to` (which must occur).
inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

/// A raft-node of `c`'s directory that is not one of its nodes: config `name.toml`, data
/// `name.data`, logs `name.log` and `name.err`; its state is made with `raft-node --init`,
/// as for any new node. Killed by its destructor.
inline std::unique_ptr<node_process> extra_node(const cluster_dir& c, std::uint64_t id,
                                                const std::string& name,
                                                const std::string& config_text) {
  write_file(c.path(name + ".toml"), config_text);
  auto init = run_program({raft_node_path(), "--config", c.path(name + ".toml"), "--init"}, 10s);
  REQUIRE(init.exit_code == 0);
  return std::make_unique<node_process>(id, c.path(name + ".toml"), c.path(name + ".log"),
                                        c.path(name + ".err"));
}

/// A fresh `stats` event of the running node `n`, asked for with SIGUSR1.
inline std::optional<event> fresh_stats(const node_process& n) {
  auto since = wall_now_us();
  ::kill(n.pid(), SIGUSR1);
  return n.wait_event([&](const event& e) { return e.name == "stats" && e.ts_us >= since; },
                      5s);
}

/// The sum of a stats event's counters whose names start with `prefix` (sent_ or received_).
inline std::uint64_t counters(const event& stats, const std::string& prefix) {
  std::uint64_t sum = 0;
  for (auto& [key, value] : stats.fields)
    if (key.rfind(prefix, 0) == 0)
      sum += stats.num(key).value_or(0);
  return sum;
}

/// Events of `n` (every run) named `name`.
inline std::vector<event> events_named(const node_process& n, const std::string& name) {
  std::vector<event> out;
  for (auto& e : n.events())
    if (e.name == name)
      out.push_back(e);
  return out;
}

/// The `identity` field of the `started` event of `n`'s current run (waited for).
inline std::string identity_of(const node_process& n) {
  auto e = n.wait_event([](const event& x) { return x.name == "started"; }, 10s);
  return e ? e->str("identity").value_or("") : "";
}

} // namespace raft::process

#pragma once
/// A cluster of raft-node processes, each on a host of its own on a bridge_network.
///
/// Node `id` runs in the namespace of host 10.199.0.<id> and listens there on port 7101,
/// as the deploy walkthrough's hosts do (deploy/README.md); its config lists every member
/// at its own address. An operator host, 10.199.0.254, runs raftctl with the operator's
/// config (`operator.toml`: node 1's config with the transport's operator settings, e.g.
/// raftctl's own certificate, like the walkthrough's `cluster.toml`): it is never cut off,
/// so it sees what an operator's workstation on that network would. Configs, data
/// directories and logs live in a scratch directory; every node is initialised once with
/// `raft-node --init`, as an operator does for a new node.
///
/// Destruction order: the nodes are killed, then the directory is removed, then the
/// network's namespaces — also when a test fails or throws.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bridge_network.hpp"
#include "testing/node_harness.hpp"
#include "scratch_dir.hpp"
#include "transport.hpp"

namespace raft::hosts {

class host_cluster {
public:
  /// The port every member listens on (each on its own address).
  static constexpr std::uint16_t member_port = 7101;
  /// The operator's host (raftctl).
  static constexpr unsigned operator_host = 254;

  /// Builds the network (one host per node and the operator's), writes the configs and
  /// initialises every node. Throws when a command fails.
  host_cluster(std::size_t nodes, const transport& how, process::timing_config timing = {});
  host_cluster(const host_cluster&) = delete;
  host_cluster& operator=(const host_cluster&) = delete;
  ~host_cluster();

  std::size_t size() const { return nodes_.size(); }
  /// Ids 1 … n.
  std::vector<std::uint64_t> ids() const;
  process::node_process& node(std::uint64_t id) { return *nodes_.at(id - 1); }
  const process::node_process& node(std::uint64_t id) const { return *nodes_.at(id - 1); }
  std::string config(std::uint64_t id) const;
  /// raftctl's config on the operator's host.
  std::string operator_config() const;
  std::string data_dir(std::uint64_t id) const;
  const process::timing_config& timing() const { return timing_; }
  const std::string& transport_name() const { return transport_; }
  /// Whether the nodes run with [tls].
  bool tls() const { return tls_; }
  bridge_network& network() { return net_; }

  void start_all();

  /// Takes node `id`'s bridge port down: a partition of that node from everyone.
  void isolate(std::uint64_t id);
  /// Brings node `id`'s bridge port back up.
  void reconnect(std::uint64_t id);
  /// Drops every packet from node `from` to node `to` (one direction of one link).
  void drop_one_way(std::uint64_t from, std::uint64_t to);
  /// Drops every packet between `a` and `b`, both directions.
  void cut_link(std::uint64_t a, std::uint64_t b);
  /// Drops every packet between nodes on different sides (each node on at most one side;
  /// nodes on none keep every link). The operator's host reaches every side.
  void split(const std::vector<std::vector<std::uint64_t>>& sides);
  /// Every port up, every drop removed.
  void heal();

  /// `raftctl status --config operator_config()` run on the operator's host.
  process::status_result status() const;
  /// `raftctl status --config config(id)` run on node `id`'s host (what that node reaches).
  process::status_result status_from(std::uint64_t id) const;

  /// Every node's log and stderr, and the transport, for failure messages.
  std::string logs() const;

private:
  std::string config_text(std::uint64_t self, const std::string& extra) const;

  bridge_network net_;
  scratch_dir dir_;
  std::string transport_;
  bool tls_;
  process::timing_config timing_;
  std::vector<std::unique_ptr<process::node_process>> nodes_;
};

} // namespace raft::hosts

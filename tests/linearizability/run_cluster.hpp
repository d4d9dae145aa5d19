#pragma once
/// The cluster of raft-node processes a linearizability run works on, on one of two networks:
/// - loopback: every node on 127.0.0.1 (testing/node_harness.hpp); a partition is made by
///   raft-node's fault switch (`--fault-file`), which drops every message between the sides
///   while the connections stay up;
/// - namespaces: every node on a host of its own on the bridge network of the hosts tests
///   (testing/hosts/host_cluster.hpp); a partition is made in the network (nftables drops
///   every packet between the sides, so connections time out as between real hosts), and
///   the clients run on the operator's host, which reaches every side. Needs root.
/// Either way the clients reach every member, so a deposed leader on a minority side keeps
/// getting requests.

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/cluster_config.hpp"
#include "testing/node_harness.hpp"

namespace raft::linearizability {

enum class network : std::uint8_t { loopback, namespaces };

/// "loopback", "namespaces".
const char* to_string(network n);

class run_cluster {
public:
  virtual ~run_cluster() = default;

  /// Ids 1 … n.
  virtual std::vector<std::uint64_t> ids() const = 0;
  virtual process::node_process& node(std::uint64_t id) = 0;
  virtual const process::node_process& node(std::uint64_t id) const = 0;
  /// Every id but `id`.
  std::vector<std::uint64_t> others(std::uint64_t id) const;

  /// Cuts every link between a node of `side` and a node of `rest`, both ways (nodes in
  /// neither keep their links). Returns "" or what failed.
  virtual std::string cut(const std::set<std::uint64_t>& side,
                          const std::set<std::uint64_t>& rest) = 0;
  /// Removes every cut. Returns "" or what failed.
  virtual std::string heal() = 0;

  /// Where clients reach each member (from where the clients run: see enter_client_side).
  virtual std::vector<peer_address> members() const = 0;
  /// Puts the calling thread where the clients run until the returned object is destroyed
  /// (the operator's host of the namespace network; nothing to do on loopback). Client
  /// threads and actor systems started meanwhile stay there.
  virtual std::shared_ptr<void> enter_client_side() = 0;

  /// Waits up to `limit` for a leader of the top term that a majority follows.
  virtual bool wait_for_leader(std::chrono::milliseconds limit) = 0;
  /// Every node's log and stderr, for failure messages.
  virtual std::string logs() const = 0;
};

/// What a run's cluster is made of.
struct cluster_options {
  std::size_t nodes = 3;
  process::timing_config timing;
  enum network network = network::loopback;
  /// With partitions among the faults: loopback nodes run with a fault switch.
  bool partitions = false;
  /// The [kv] table of every node's config; the defaults if none (loopback only).
  std::optional<kv_settings> kv;
};

/// A fresh cluster, every node initialised and started. The namespaces network throws
/// when it cannot be built (run_options callers skip first: namespaces_unavailable()).
std::unique_ptr<run_cluster> make_run_cluster(const cluster_options& opts);

/// Why the namespace network cannot be used here (nullopt when it can).
std::optional<std::string> namespaces_unavailable();

} // namespace raft::linearizability

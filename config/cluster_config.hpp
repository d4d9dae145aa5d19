#pragma once
/// The static membership and local settings of one Raft peer in a multi-host deployment,
/// as read from a cluster config file (format: config/README.md).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/timing.hpp"
#include "messages/wire.hpp"

namespace raft {

/// Where one cluster member listens.
///
/// `host` is an IP literal ("10.0.0.1", "::1") or a host name. IP literals are recommended:
/// resolving a name can block for seconds (a slow or missing DNS server), which would stall
/// the peer at start-up or on reconnect, and a name can resolve differently on each host.
struct peer_address {
  peer_id id = 0;          ///< positive, unique within the cluster
  std::string host;        ///< non-empty; host:port unique within the cluster
  std::uint16_t port = 0;  ///< 1..65535

  friend bool operator==(const peer_address& a, const peer_address& b) {
    return a.id == b.id && a.host == b.host && a.port == b.port;
  }
};

/// One file named in the [tls] table, with where the config names it (for one-line errors
/// `FILE:LINE:COL: tls.KEY: ...` when the file itself is wrong).
struct tls_file {
  std::string path;         ///< non-empty, as written in the config
  std::uint32_t line = 1;   ///< where the value is written in the config file
  std::uint32_t column = 1;
};

/// The optional [tls] table: mutual TLS between members and for raftctl (README "Mutual
/// TLS"). Only the syntax is checked by parse_cluster_config; whether the files are readable,
/// match, are signed by the CA and name the node is checked by tls/certificate_check.hpp.
struct tls_settings {
  tls_file ca_file;    ///< the cluster CA (PEM); peers must present a certificate it signed
  tls_file cert_file;  ///< this node's certificate (PEM), signed by the CA
  tls_file key_file;   ///< the private key of cert_file (PEM, unencrypted)
};

/// A validated cluster config. Invariants (established by parse_cluster_config):
/// - `peers` is non-empty, ids are positive and unique;
/// - exactly one entry of `peers` has id `node_id` (this node; it listens on its port);
/// - `data_dir` is non-empty;
/// - `cluster_id` is empty or 1–64 characters of letters, digits, `.`, `_` and `-`;
/// - no two peers share an address, also after resolving host names (`localhost` and
///   `127.0.0.1` on one port are one address);
/// - `timing.problem()` is empty (see core/timing.hpp for why the rules make the cluster
///   stable).
/// `[metrics]`: where the node serves Prometheus text on `GET /metrics`.
struct metrics_settings {
  std::string host;       ///< non-empty; as written (an IP literal is recommended)
  std::uint16_t port = 0; ///< 1..65535, and not this node's own Raft address
};

/// `[hooks]`: shell commands run on leadership transitions (apps/hook_runner.hpp).
struct hook_settings {
  std::string on_leader;   ///< empty: none
  std::string on_follower; ///< empty: none
  std::chrono::milliseconds timeout{10000}; ///< 1 ms … 1 hour; then the hook is killed
};

/// `[kv]`: the key-value store raft-node serves (kv/store.hpp) and how often it snapshots.
/// Every member of a cluster must use the same values (they shape the replicated state).
struct kv_settings {
  std::uint64_t snapshot_every = 10000;            ///< entries applied between snapshots (0: never)
  std::uint64_t session_timeout_ms = 60 * 60 * 1000; ///< idle client sessions expire after this
  std::uint64_t max_sessions = 4096;               ///< open sessions at most (>= 1)
};

struct cluster_config {
  peer_id node_id = 0;
  std::string data_dir;             ///< where this node keeps its persistent state
  std::string cluster_id;           ///< `node.cluster_id`; empty when the file has none
  std::vector<peer_address> peers;  ///< every member, this node included, in file order
  raft::timing timing;              ///< defaults unless the file has a [timing] table
  std::optional<metrics_settings> metrics; ///< nothing unless the file has [metrics]
  hook_settings hooks;              ///< no commands unless the file has [hooks]
  std::optional<tls_settings> tls;  ///< present exactly when the file has a [tls] table
  kv_settings kv;                   ///< defaults unless the file has a [kv] table

  /// This node's own entry of `peers`. Precondition: the invariants above hold.
  const peer_address& self() const;

  /// Ids of all members (this node included), in file order.
  std::vector<peer_id> member_ids() const;

  /// The members other than this node, in file order.
  std::vector<peer_address> others() const;
};

} // namespace raft

#pragma once
/// replication-bench's cluster: three real peer actors (actors/peer.hpp, spawn_peer) in one
/// process, each with its own store in its own directory, linked directly.
///
/// Links: each peer reaches another through a relay, a tiny link actor that forwards every
/// message to that peer's handle as it is (no serialization, no locks, no faults). A relay is
/// needed only because spawn_peer takes the links before the other peers exist. The
/// simulated network (actors/sim_network.hpp) is not used: even with its faults off it
/// serializes every message to count its bytes and takes a mutex per message, costs that
/// belong to the test harness, not to replication.
///
/// Stores (`store_kind`):
/// - disk: disk_log_store over posix_fs with a file_store for the term and vote, as
///   raft-node runs it (the fs is wrapped only to count and time its fdatasyncs);
/// - disk_nosync: the same store, but fdatasync and directory fsync return at once (the
///   records reach the page cache only): what the protocol and the store cost without the
///   disk's flushes. No durability whatsoever;
/// - memory: memory_log_store (the in-process test cluster's), no files at all.
///
/// Applies: every peer's sink counts what it applied; the peer named by listen() also tells
/// the listener each range it applies, with the steady-clock time of the apply, as
/// `(applied_atom, first, last, nanoseconds)`.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/peer.hpp"
#include "actors/peer_stats.hpp"
#include "bench/timed_fs.hpp"

namespace raft::bench {

using applied_atom = caf::atom_constant<caf::atom("applied")>;

enum class store_kind { disk, disk_nosync, memory };
const char* name_of(store_kind k);

struct bench_cluster_options {
  store_kind store = store_kind::disk;
  bool detached = true;    ///< each peer on a thread of its own (as raft-node runs it)
  std::string dir;         ///< holds one directory per peer (disk stores); must exist
  std::size_t peers = 3;
  std::uint64_t seed = 1;
};

/// What one peer did, read after the cluster stopped.
struct peer_report {
  peer_id id = 0;
  std::uint64_t applied = 0;          ///< entries applied
  std::vector<double> datasync_us;    ///< each fdatasync of its log (disk stores)
  std::vector<std::int64_t> datasync_start_ns; ///< when each began (steady clock)
  std::uint64_t writes = 0;           ///< write calls to its log files
  std::uint64_t sent_append_entries = 0;
  std::uint64_t sent_append_replies = 0;
};

class bench_cluster {
public:
  /// Creates the stores and spawns the peers; the first election starts on its own.
  bench_cluster(caf::actor_system& sys, bench_cluster_options opts);
  /// Stops every peer (waits until each is gone).
  ~bench_cluster();
  bench_cluster(const bench_cluster&) = delete;
  bench_cluster& operator=(const bench_cluster&) = delete;

  /// Waits up to `timeout_ms` for exactly one peer to say it leads the highest term seen;
  /// returns its id, or nothing.
  std::optional<peer_id> wait_for_leader(long timeout_ms);
  peer_actor peer(peer_id id) const { return peers_.at(id - 1); }

  /// From now on, `leader`'s applies are reported to `listener` (see above).
  void listen(peer_id leader, caf::actor listener);
  /// Entries peer `id` has applied so far.
  std::uint64_t applied(peer_id id) const;

  /// Stops every peer and returns what each did. Idempotent.
  std::vector<peer_report> stop();

  struct shared; ///< what the sinks share with the cluster

private:
  caf::actor_system& sys_;
  bench_cluster_options opts_;
  std::shared_ptr<shared> shared_;
  std::vector<std::shared_ptr<timed_fs>> files_;
  std::vector<std::shared_ptr<peer_stats>> stats_;
  std::vector<peer_actor> peers_;
  std::vector<caf::actor> relays_;
  std::vector<peer_report> reports_;
  bool stopped_ = false;
};

} // namespace raft::bench

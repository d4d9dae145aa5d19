#pragma once
/// An in-process Raft cluster for tests and the demo: N peer actors over the simulated
/// network (actors/sim_network.hpp), with the course tester's checkers and harness
/// (../shared/TESTER.md, ../shared/TESTER-2BCD.md) and our stricter safety watch.
///
/// Each peer keeps its state in a `memory_persister` (storage/memory_log_store.hpp), through
/// the same log_store interface raft-node uses: a crash (crash1) loses whatever the peer had
/// not synced, and a restart (start1) gets exactly what was durable.
///
/// The apply channel: every entry and snapshot a peer applies is checked as the course's
/// applier does (checkLogs): no two peers apply different commands at one index, each peer
/// applies in order. With `snapshots`, each peer's service snapshots every 10 entries
/// (applierSnap): its state is the applied log itself, and an installed snapshot replaces it.
/// Any failure is a safety violation.
///
/// Peers have ids 1..N. The header is free of CAF (the actor system lives behind a pointer),
/// so tests that include it compile fast.
///
/// Safety watch: every role change any peer reports and every state the tests observe is
/// checked against "at most one leader per term" (Figure 3, Election Safety); a peer that
/// stops because its core broke an invariant is a violation too. `check_safety()` throws
/// on the first violation; every checker calls it.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>
#include <string>
#include <vector>

#include "client/kv_transport.hpp"
#include "core/features.hpp"
#include "core/persistent_state.hpp"
#include "core/role.hpp"
#include "core/timing.hpp"
#include "messages/wire.hpp"
#include "testing/course_checks.hpp"

namespace raft {

/// A checker's failure, with the course tester's wording where it has one.
struct cluster_check_failed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A role change a peer reported, stamped when the cluster heard of it.
struct observed_role {
  std::chrono::steady_clock::time_point at;
  peer_id peer = 0;
  raft::role role = raft::role::follower;
  term_t term = 0;
  std::optional<peer_id> leader;
};

class test_cluster {
public:
  struct options {
    std::size_t peers = 3;
    raft::timing timing{};
    std::uint64_t seed = 0; ///< 0: draw one (printed in every failure message)
    bool unreliable = false;
    bool long_reordering = false;
    /// The product's additions to Figure 2 (core/features.hpp), as in raft-node.
    raft::features features = features::product();
    /// The course's applierSnap: every peer's service calls Snapshot every 10 entries.
    bool snapshots = false;
    /// Every peer drives a key-value store (kv/store.hpp) as raft-node does, snapshotting it
    /// every `kv_snapshot_every` entries; clients reach the peers through client_transport().
    bool kv = false;
    std::uint64_t kv_snapshot_every = 0;
    /// Called (from peer threads, serialized by the cluster) for every role change.
    std::function<void(const observed_role&)> on_role_change;
  };

  struct peer_state {
    term_t term = 0;
    bool is_leader = false;
  };

  explicit test_cluster(options opts);
  /// Kills every peer (the course's Kill()) and stops the actor system.
  ~test_cluster();
  test_cluster(const test_cluster&) = delete;
  test_cluster& operator=(const test_cluster&) = delete;

  std::size_t size() const;
  std::uint64_t seed() const;

  // -- the network (TESTER.md) ----------------------------------------------------------
  void connect(peer_id id);
  void disconnect(peer_id id);
  bool connected(peer_id id) const;
  void set_link(peer_id from, peer_id to, bool enabled);
  void set_unreliable(bool on);
  void set_long_reordering(bool on);
  /// Splits the peers into groups: links within a group are enabled, links across groups
  /// disabled. Peers not named are isolated.
  void partition(const std::vector<std::vector<peer_id>>& groups);

  // -- peers ----------------------------------------------------------------------------
  /// GetState(): nothing when the peer does not answer within a second (killed, crashed).
  std::optional<peer_state> get_state(peer_id id);
  /// The term and vote the peer holds in memory now (its core's, asked of the peer; the log
  /// is left empty); nothing when the peer does not answer within a second.
  std::optional<persistent_state> held_term_and_vote(peer_id id);
  /// The term and vote in the peer's store: what it saved last, and what a restart loads.
  persistent_state stored_term_and_vote(peer_id id) const;
  /// Everything durable in the peer's store: what a restart would load.
  persistent_state persisted(peer_id id) const;
  /// Kill(): the peer stops for good (timers included) and sends nothing more.
  void kill(peer_id id);
  /// Stops the peer, losing what it had not synced; `restart` brings it back with what was
  /// durable, its links as they were.
  void crash(peer_id id);
  void restart(peer_id id);
  bool alive(peer_id id) const;

  // -- the course's 2B–2D harness (TESTER-2BCD.md, "Harness semantics") --------------------
  struct start_result {
    log_index index = 0;
    term_t term = 0;
    bool is_leader = false;
  };
  /// Start(command) on peer `id`; nothing when it is down or does not answer within 1 s.
  std::optional<start_result> start(peer_id id, const std::string& command);
  /// crash1: disconnect, suppress its messages in flight, lose what it had not synced, stop.
  void crash1(peer_id id);
  /// start1: crash1, then a new incarnation from what was durable, isolated until connect().
  void start1(peer_id id);
  /// nCommitted: how many peers (crashed and disconnected ones too) applied `index`, and
  /// the command. Throws on an apply error or when two peers applied different commands.
  std::pair<std::size_t, std::optional<std::string>> n_committed(log_index index);
  /// one(cmd, expected, retry): submits until `expected` peers applied it at one index, as
  /// the course's one() (10 s overall, 2 s per attempt); returns the index or throws.
  log_index one(const std::string& command, std::size_t expected, bool retry);
  /// wait(index, n, start_term): waits with doubling sleeps (up to about 30 s) until `n`
  /// peers applied `index`; nothing ("someone moved on") when a peer's term passed
  /// `start_term`; throws "only %d decided for index %d; wanted %d".
  std::optional<std::string> wait(log_index index, std::size_t n,
                                  std::optional<term_t> start_term);
  /// The largest persisted log size (bytes) of any peer: the course's LogSize().
  std::uint64_t log_size() const;
  /// The highest index any peer applied.
  log_index max_index() const;
  /// The command peer `id` applied at `index`, if any.
  std::optional<std::string> applied_at(peer_id id, log_index index) const;
  /// Requests (not replies) that reached peer `id`: the course's rpcCount(id).
  std::uint64_t rpc_count(peer_id id) const;
  /// What every peer applied at `index`, for failure messages: "index 4: peer 1 applied
  /// 104, peer 2 (disconnected) applied nothing, peer 3 (crashed) applied nothing".
  std::string describe_index(log_index index) const;

  /// kv_client's transport to the peers themselves (with options::kv): clients are not on
  /// the simulated network, so a peer cut off by it still answers them; a crashed or killed
  /// peer does not.
  std::shared_ptr<kv_transport> client_transport();

  // -- the course tester's checkers -------------------------------------------------------
  /// Up to 10 rounds of: sleep 450–549 ms, ask every connected peer. Fails at once on two
  /// leaders in a term; returns the leader of the highest term; fails after 10 empty rounds.
  peer_id check_one_leader();
  /// Every connected peer reports the same term; returns it.
  term_t check_terms();
  /// No connected peer claims leadership.
  void check_no_leader();

  // -- safety watch -------------------------------------------------------------------------
  std::vector<std::string> violations() const;
  void check_safety() const;
  std::vector<observed_role> role_log() const;

  // -- counters ---------------------------------------------------------------------------
  std::uint64_t total_messages() const;
  std::uint64_t total_bytes() const;
  std::uint64_t delivered_to(peer_id id) const;
  std::uint64_t sent_by(peer_id id) const;
  /// append_entries messages sent on from → to.
  std::uint64_t heartbeats_sent(peer_id from, peer_id to) const;
  /// Messages of kind `kind` (index in raft::message, core/message.hpp) sent by `from` to
  /// any peer, counted when sent (on a disabled link too).
  std::uint64_t sent_of_kind(peer_id from, std::size_t kind) const;
  /// Messages of kind `kind` sent by every peer together.
  std::uint64_t sent_of_kind(std::size_t kind) const;

  struct impl;

private:
  /// GetState() of every connected peer that answers (the course checks' input:
  /// testing/course_checks.hpp).
  std::vector<testing::observed_state> connected_states();

  std::unique_ptr<impl> impl_;
};

} // namespace raft

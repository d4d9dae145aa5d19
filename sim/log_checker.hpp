#pragma once
/// The simulator's checks of the replicated log, across peers and incarnations (what no
/// single core can check about itself), after every event of a run with client proposals:
///
/// - Log Matching (Figure 3, §5.3): "if two logs contain an entry with the same index and
///   term, then the logs are identical in all entries up through the given index". Checked
///   by induction on every entry any peer writes: an (index, term) seen before must carry the
///   same command and follow an entry of the same term;
/// - committed entries never change (State Machine Safety, Figure 3, at the commit level):
///   every entry a peer learns is committed must be the entry any other peer learned was
///   committed at that index;
/// - Leader Completeness (Figure 3, §5.4): "if a log entry is committed in a given term, then
///   that entry will be present in the logs of the leaders for all higher-numbered terms": a
///   new leader's log holds every entry known to be committed in an earlier term (those
///   before its snapshot are in the snapshot). An entry's commit term is the lowest term in
///   which a peer saw it committed (the entry was committed in that term or before). A leader
///   of a lower term may lack it: a candidate can win a stale term late, from vote replies
///   that were delayed, and then commits nothing;
/// - State Machine Safety (Figure 3): each peer's service applies indexes in order, one after
///   the other, and its state after index i (a hash of the commands 1..i) is the same on
///   every peer; a snapshot restores exactly such a state;
/// - at the end: every proposal its leader saw applied (acknowledged to the client as
///   committed) before a cut-off is applied on every peer.
///
/// A failed check returns false and leaves a description in `what()`.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/effects.hpp"
#include "core/node.hpp"
#include "sim/event_queue.hpp"

namespace raft::sim {

/// A peer's service in the simulation: how far it applied and a hash of every command
/// through there (its "state"). Its snapshot is "index:hash".
struct sim_service {
  log_index index = 0;
  std::uint64_t hash = 1469598103934665603ULL;

  std::string snapshot() const { return std::to_string(index) + ":" + std::to_string(hash); }
};

class log_checker {
public:
  void reset(std::size_t peers);

  /// Peer `idx` wrote `entries` starting at index `first` into `log` (already holding them).
  bool on_written(std::size_t idx, const raft_log& log, log_index first,
                  const std::vector<log_entry>& entries);
  /// Every entry of `log` (a peer booting with it).
  bool on_loaded(std::size_t idx, const raft_log& log);
  /// After a step of peer `idx`: its newly committed entries, and Leader Completeness when it
  /// became leader in that step.
  bool after_step(std::size_t idx, const node& n, bool became_leader);
  /// Peer `idx` restarted: its commit index starts again at its snapshot.
  void restarted(std::size_t idx, log_index snapshot_index);
  /// Entries known committed from the start, in term `term` (a preloaded history).
  void set_committed(const std::vector<log_entry>& entries, term_t term);

  bool on_apply(std::size_t idx, sim_service& svc, const apply& a);
  bool on_apply_snapshot(std::size_t idx, sim_service& svc, const apply_snapshot& s);

  /// Peer `idx` accepted a client's command at `index` in this incarnation.
  void accepted(std::size_t idx, std::uint32_t incarnation, log_index index,
                const std::string& command);
  /// Peer `idx` (incarnation) applied `a`: the proposals it accepted there are acknowledged.
  void acknowledge(std::size_t idx, std::uint32_t incarnation, const apply& a, vtime now);
  /// Every proposal acknowledged before `cutoff` is applied by every service.
  bool acknowledged_applied_everywhere(const std::vector<sim_service>& services, vtime cutoff);

  std::uint64_t committed_entries() const { return committed_.size(); }
  /// The highest index any peer knew committed so far.
  log_index highest_committed() const { return committed_.empty() ? 0 : committed_.rbegin()->first; }
  const std::string& what() const { return what_; }

private:
  bool fail(std::string what);
  bool check_entry(std::size_t idx, log_index index, const log_entry& e, term_t prev_term);

  struct written {
    std::uint64_t command_hash = 0;
    term_t prev_term = 0;
  };
  std::map<std::pair<log_index, term_t>, written> seen_; ///< Log Matching, by induction
  struct committed_entry {
    log_entry entry;
    term_t commit_term = 0; ///< the lowest term in which a peer saw it committed
  };
  std::map<log_index, committed_entry> committed_;       ///< index → the committed entry
  std::vector<log_index> commit_seen_;                   ///< per peer: committed through
  std::vector<std::optional<std::uint64_t>> state_at_;   ///< index → service hash after it
  std::map<log_index, std::string> applied_command_;     ///< index → command applied there
  struct pending {
    std::size_t peer;
    std::uint32_t incarnation;
    std::string command;
  };
  std::multimap<log_index, pending> accepted_;
  std::vector<std::pair<log_index, std::pair<std::string, vtime>>> acknowledged_;
  std::string what_;
};

/// The service's hash after applying `command` to a state with hash `h`.
std::uint64_t service_step(std::uint64_t h, const std::string& command);

} // namespace raft::sim

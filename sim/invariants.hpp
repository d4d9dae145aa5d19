#pragma once
/// Cross-node safety checks the simulator runs after every event, over the whole run and
/// across crashes and restarts (what no single core can check about itself):
///
/// - Election Safety (Figure 3, §5.2): at most one leader per term — every (term, leader)
///   ever seen is remembered;
/// - a peer's current_term never decreases (Figure 2: "latest term server has seen ...
///   increases monotonically"), also from one incarnation to the next;
/// - a peer votes at most once per term (Figure 2, RequestVote receiver; §5.2 "each server
///   will vote for at most one candidate in a given term"), also across restarts — every
///   (peer, term) → vote ever persisted or held is remembered;
/// - a leader voted for itself in its term (§5.2: a candidate "votes for itself").
///
/// The log's checks (Log Matching, Leader Completeness, State Machine Safety) are
/// sim/log_checker.hpp's.
///
/// Peer ids are 1..n; the checker is indexed by id - 1. A failed check returns false and
/// leaves a description in `what()`; strings are only built on failure.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/node.hpp"

namespace raft::sim {

class invariant_checker {
public:
  void reset(std::size_t peers);

  /// After any step of peer `idx` (and after it was started or restarted).
  bool after_step(std::size_t idx, const node& n);

  /// The peer asked to persist (term, vote): the vote becomes durable for that term.
  bool on_persist(std::size_t idx, term_t term, std::optional<peer_id> vote);

  /// Leaders ever seen, indexed by term (0 = none yet).
  const std::vector<peer_id>& leaders_by_term() const { return leader_of_term_; }

  const std::string& what() const { return what_; }

private:
  bool record_vote(std::size_t idx, term_t term, peer_id vote, const char* how);
  bool fail(std::string what);

  std::vector<term_t> max_term_;               ///< highest term each peer ever had
  std::vector<std::vector<peer_id>> vote_of_;  ///< [peer][term] → vote (0 = none seen)
  std::vector<peer_id> leader_of_term_;        ///< [term] → leader (0 = none seen)
  std::string what_;
};

} // namespace raft::sim

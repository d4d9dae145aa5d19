#pragma once
/// The answers to one round of vote requests (§5.2) or pre-vote requests (thesis §9.6): who
/// granted, who answered at all, and whether the round is won.
///
/// Invariants: granted() ⊆ answered(); the asking peer counts as granted and answered from
/// the start (a candidate votes for itself, Figure 2); a voter is counted once however many
/// copies of its answer arrive, so duplicates can never make a majority.

#include <cstddef>
#include <set>

#include "core/quorum.hpp"
#include "messages/wire.hpp"

namespace raft {

class vote_tracker {
public:
  vote_tracker(peer_id self, std::size_t members) : members_(members) {
    granted_.insert(self);
    answered_.insert(self);
  }

  /// `voter` answered; `granted` says whether it said yes.
  void record(peer_id voter, bool granted) {
    answered_.insert(voter);
    if (granted)
      granted_.insert(voter);
  }
  /// `voter` answered; its answer does not count towards this round (e.g. a refusal, or a
  /// grant for another round), but it need not be asked again.
  void answered(peer_id voter) { answered_.insert(voter); }

  /// A majority granted (Figure 2, Candidates: "If votes received from majority of servers").
  bool won() const { return granted_.size() >= majority_of(members_); }
  bool has_answered(peer_id p) const { return answered_.count(p) != 0; }
  const std::set<peer_id>& granted() const { return granted_; }

private:
  std::size_t members_;
  std::set<peer_id> granted_;
  std::set<peer_id> answered_;
};

} // namespace raft

#include "sim/invariants.hpp"

namespace raft::sim {

namespace {

std::string id(std::size_t idx) { return "p" + std::to_string(idx + 1); }
std::string id(peer_id p) { return "p" + std::to_string(p); }

template <class T>
T& grow(std::vector<T>& v, term_t index) {
  if (index >= v.size())
    v.resize(static_cast<std::size_t>(index) + 1, T{});
  return v[static_cast<std::size_t>(index)];
}

} // namespace

void invariant_checker::reset(std::size_t peers) {
  max_term_.assign(peers, 0);
  vote_of_.resize(peers);
  for (auto& v : vote_of_)
    v.clear();
  leader_of_term_.clear();
  what_.clear();
}

bool invariant_checker::fail(std::string what) {
  what_ = std::move(what);
  return false;
}

bool invariant_checker::record_vote(std::size_t idx, term_t term, peer_id vote,
                                    const char* how) {
  // §5.2: "each server will vote for at most one candidate in a given term, on a
  // first-come-first-served basis" — remembered across restarts.
  auto& seen = grow(vote_of_[idx], term);
  if (seen == 0) {
    seen = vote;
    return true;
  }
  if (seen != vote)
    return fail(id(idx) + " voted twice in term " + std::to_string(term) + ": for " + id(seen) +
                " and then for " + id(vote) + " (" + how + ")");
  return true;
}

bool invariant_checker::after_step(std::size_t idx, const node& n) {
  auto term = n.current_term();
  // Figure 2: currentTerm "increases monotonically" — across incarnations too.
  if (term < max_term_[idx])
    return fail(id(idx) + " went back from term " + std::to_string(max_term_[idx]) +
                " to term " + std::to_string(term));
  max_term_[idx] = term;
  if (auto v = n.voted_for())
    if (!record_vote(idx, term, *v, "held in memory"))
      return false;
  if (n.is_leader()) {
    // §5.2: a candidate votes for itself before it can win.
    if (n.voted_for() != n.self() || vote_of_[idx][static_cast<std::size_t>(term)] != n.self())
      return fail(id(idx) + " is leader of term " + std::to_string(term) +
                  " without having voted for itself");
    // Figure 3, Election Safety: "at most one leader can be elected in a given term".
    auto& leader = grow(leader_of_term_, term);
    if (leader == 0)
      leader = n.self();
    else if (leader != n.self())
      return fail("two leaders in term " + std::to_string(term) + ": " + id(leader) + " and " +
                  id(n.self()));
  }
  return true;
}

bool invariant_checker::on_persist(std::size_t idx, term_t term, std::optional<peer_id> vote) {
  if (term < max_term_[idx])
    return fail(id(idx) + " persisted term " + std::to_string(term) + " after term " +
                std::to_string(max_term_[idx]));
  if (vote)
    return record_vote(idx, term, *vote, "persisted");
  return true;
}

} // namespace raft::sim

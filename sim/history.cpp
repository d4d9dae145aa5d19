#include "sim/history.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "sim/random.hpp"

namespace raft::sim {

history history::draw(std::uint64_t seed, std::size_t peers) {
  rng_t rng{mix(seed ^ 0x6c6f67735f686973ull)};
  history h;
  const auto entries = static_cast<std::size_t>(between(rng, 2, 6));
  term_t t = 1;
  for (std::size_t i = 0; i < entries; ++i) {
    if (i > 0 && chance(rng, 0.4))
      ++t; // terms never decrease along a log (§5.3: entries carry their leader's term)
    h.log.push_back(log_entry{t, "e" + std::to_string(i + 1)});
  }
  h.term = t;
  h.committed = static_cast<std::size_t>(between(rng, 1, static_cast<std::int64_t>(entries)));
  // A random majority that holds the committed entries; the writer is one of them and holds
  // the whole log. Everyone else holds a prefix shorter than the committed part.
  std::vector<std::size_t> order(peers);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = peers - 1; i > 0; --i)
    std::swap(order[i], order[below(rng, i + 1)]);
  const std::size_t majority = peers / 2 + 1;
  h.writer = static_cast<peer_id>(order[0] + 1);
  h.lengths.assign(peers, 0);
  for (std::size_t k = 0; k < peers; ++k) {
    auto idx = order[k];
    if (k == 0)
      h.lengths[idx] = entries;
    else if (k < majority)
      h.lengths[idx] = static_cast<std::size_t>(
        between(rng, static_cast<std::int64_t>(h.committed), static_cast<std::int64_t>(entries)));
    else
      h.lengths[idx] = below(rng, h.committed);
  }
  return h;
}

persistent_state history::disk_of(std::size_t idx) const {
  persistent_state s;
  s.current_term = term;
  s.voted_for = writer;
  s.log.assign(log.begin(), log.begin() + static_cast<std::ptrdiff_t>(lengths.at(idx)));
  return s;
}

std::string history::describe() const {
  std::string s = "writer p" + std::to_string(writer) + " of term " + std::to_string(term) +
                  ", " + std::to_string(log.size()) + " entries, " + std::to_string(committed) +
                  " committed, prefixes ";
  for (std::size_t i = 0; i < lengths.size(); ++i)
    s += (i ? "/" : "") + std::to_string(lengths[i]);
  return s;
}

} // namespace raft::sim

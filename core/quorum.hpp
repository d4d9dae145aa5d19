#pragma once
/// Majorities (§5.2, §5.3): how many members make one, and which log index a majority holds.

#include <algorithm>
#include <cstddef>
#include <functional>
#include <vector>

#include "messages/wire.hpp"

namespace raft {

/// The smallest majority of `members` members (any two such sets intersect).
constexpr std::size_t majority_of(std::size_t members) {
  return members / 2 + 1;
}

/// The highest index that a majority of the members hold, given one match index per member
/// (the leader's own durable index included): Figure 2, Leaders, "a majority of
/// matchIndex[i] ≥ N". Precondition: `match` holds one value per member, at least one.
inline log_index quorum_index(std::vector<log_index> match) {
  auto k = majority_of(match.size()) - 1;
  std::nth_element(match.begin(), match.begin() + static_cast<std::ptrdiff_t>(k), match.end(),
                   std::greater<>());
  return match[k];
}

} // namespace raft

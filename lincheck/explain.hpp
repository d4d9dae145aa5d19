#pragma once
/// Why a key's history is not linearizable, in terms a person can check by hand.
///
/// 1. The smallest failing prefix ends at time t, which the search reports (the latest
///    return it got stuck at; lincheck/search.hpp). The operation returning at t is the first
///    answer no order explains: the culprit.
/// 2. If the culprit alone contradicts the absent start with every other write pending (a
///    value never written), that is the explanation. Otherwise a window: the latest time s
///    such that, starting from any state at all at s, the operations from s on still admit
///    no order (those finished before s left out, those running at s pending). Windows grow
///    backwards from the culprit's call (doubling, then halving), so a short contradiction
///    is found with short searches however long the history is.
/// 3. A minimal core: each other operation in turn is relaxed (a read left out, a write made
///    pending) and stays relaxed if the contradiction survives.
/// Every step only relaxes (allows more orders), so the final set still proves the history
/// not linearizable. Each search is bounded; a step that runs out of budget is not taken.

#include <cstddef>
#include <string>
#include <vector>

#include "lincheck/key_history.hpp"
#include "lincheck/search.hpp"

namespace raft::lincheck {

struct explanation {
  std::string text;                     ///< a few lines, ending with a newline
  std::vector<std::size_t> operations;  ///< history indices, call order, the culprit last
  std::size_t culprit = 0;              ///< history index of the first unexplained return
  bool minimal = true;                  ///< false when the budget cut the minimisation short
};

/// Explains `kh` (a key of `h` whose search returned not_linearizable and got stuck at
/// `prefix_end` at the latest), within `b`.
explanation explain(const history& h, const key_history& kh, op_time prefix_end, budget& b);

} // namespace raft::lincheck

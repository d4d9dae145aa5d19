#pragma once
/// The linearizability checker for key-value histories: is there one total order of the
/// operations, consistent with their real-time order (an operation that returned before
/// another was called comes first) and with a register per key (lincheck/register_model.hpp),
/// that explains every known outcome?
///
/// Each key is searched alone (lincheck/key_history.hpp) with Wing & Gong's algorithm and
/// Lowe's memoization (lincheck/search.hpp). The search is bounded by steps and optionally by
/// time; a history it could not decide within the bound is reported as unknown, never
/// guessed.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lincheck/operation.hpp"

namespace raft::lincheck {

enum class verdict { linearizable, not_linearizable, unknown };

/// "linearizable", "not linearizable", "unknown".
const char* to_string(verdict v);

struct check_options {
  std::uint64_t max_steps = 100'000'000;  ///< search steps over all keys
  std::optional<std::chrono::milliseconds> time_limit;  ///< wall clock, checked every 4096 steps
  bool explain = true;                    ///< explain a violation (costs more searches)
  std::uint64_t explain_steps = 20'000'000;  ///< the explanation's own step budget
};

struct check_result {
  verdict result = verdict::linearizable;
  /// not_linearizable: the first key (in key order) found not linearizable;
  /// unknown: the key whose search ran out of budget.
  std::optional<bytes> key;
  /// For people, a few lines ending with a newline: for a violation, the smallest failing
  /// prefix and the operations that contradict each other; for unknown, what ran out.
  std::string explanation;
  /// not_linearizable: history indices of the contradicting operations (call order, the
  /// first return no order explains last).
  std::vector<std::size_t> operations;
  std::uint64_t steps = 0;          ///< search steps spent deciding (explanation excluded)
  std::uint64_t explain_steps = 0;  ///< search steps spent explaining
  std::size_t keys = 0;             ///< keys in the history
};

/// Checks `h`. Throws std::invalid_argument when an operation returns before its call.
/// Keys are searched in key order, sharing one budget: the first key found not
/// linearizable decides the result; when the budget runs out the result is unknown (and the
/// keys after that one are not searched).
check_result check(const history& h, const check_options& opts = {});

} // namespace raft::lincheck

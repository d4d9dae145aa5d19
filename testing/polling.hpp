#pragma once
/// Waiting on a condition against a deadline: the one polling loop of the tests and the
/// benchmark. A test awaits the condition it checks with `eventually` instead of sleeping for
/// a time and hoping it holds by then; `throughout` checks that a condition holds for a span.
///
/// Both ask `pred` at once, then every `every`, and ask it once more at the end of the time
/// given (each sleep is cut short there), so a result always rests on a call of `pred`:
/// - `eventually` returns true as soon as `pred` returns true; false only after a call made
///   at or after the deadline returned false. With `limit` 0 it asks exactly once.
/// - `throughout` returns false as soon as `pred` returns false; true only after a call made
///   at or after the end of `span` returned true.
/// `pred` is called on the caller's thread and may have side effects (record what it saw).

#include <algorithm>
#include <chrono>
#include <thread>

namespace raft::testing {

/// How often `eventually` asks by default: fine enough for timers of 100 ms and up, coarse
/// enough that a condition that reads log files or runs raftctl does not load the machine.
inline constexpr std::chrono::milliseconds eventually_every{20};

/// How often `throughout` asks by default.
inline constexpr std::chrono::milliseconds throughout_every{50};

/// Asks `pred` every `every` until it returns true (true) or `limit` has passed (false).
template <class Pred>
bool eventually(Pred&& pred, std::chrono::milliseconds limit,
                std::chrono::milliseconds every = eventually_every) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + limit;
  for (;;) {
    if (pred())
      return true;
    const auto now = clock::now();
    if (now >= deadline)
      return false;
    std::this_thread::sleep_for(
      std::min<clock::duration>(every, deadline - now));
  }
}

/// Asks `pred` every `every` for the whole of `span`: false as soon as it returns false.
template <class Pred>
bool throughout(Pred&& pred, std::chrono::milliseconds span,
                std::chrono::milliseconds every = throughout_every) {
  using clock = std::chrono::steady_clock;
  const auto end = clock::now() + span;
  for (;;) {
    if (!pred())
      return false;
    const auto now = clock::now();
    if (now >= end)
      return true;
    std::this_thread::sleep_for(std::min<clock::duration>(every, end - now));
  }
}

} // namespace raft::testing

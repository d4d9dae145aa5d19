#pragma once
/// Helpers shared by the cluster tests: waiting for a condition with a deadline.

#include <chrono>
#include <thread>

namespace raft::testing {

/// Polls `pred` every 10 ms until it holds (true) or `limit` has passed (false).
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (pred())
      return true;
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

/// Checks `pred` every 50 ms for the whole of `span`; false as soon as it fails once.
template <class Pred>
bool throughout(Pred pred, std::chrono::milliseconds span) {
  auto deadline = std::chrono::steady_clock::now() + span;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!pred())
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

} // namespace raft::testing

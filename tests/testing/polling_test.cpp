/// The polling loops of testing/polling.hpp: when they ask, when they stop, and what a
/// result rests on.

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <utility>
#include <vector>

#include "testing/polling.hpp"

using namespace raft::testing;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

/// A condition that records when it was asked and answers from a script, then `rest`.
struct scripted {
  std::vector<bool> answers;
  bool rest;
  std::vector<steady::time_point> asked;

  explicit scripted(std::vector<bool> script = {}, bool then = false)
    : answers(std::move(script)), rest(then) {}

  bool operator()() {
    asked.push_back(steady::now());
    return asked.size() <= answers.size() ? answers[asked.size() - 1] : rest;
  }
};

} // namespace

TEST_CASE("eventually returns true at the first call of the condition that returns true") {
  scripted cond{{false, false, true}};
  CHECK(eventually(std::ref(cond), 10s, 1ms));
  CHECK(cond.asked.size() == 3);
}

TEST_CASE("eventually gives up only after a call at or after the deadline returned false") {
  scripted cond;
  auto start = steady::now();
  CHECK_FALSE(eventually(std::ref(cond), 100ms, 30ms));
  REQUIRE(cond.asked.size() >= 2);
  CHECK(cond.asked.back() - start >= 100ms);
  // It slept between calls: at most at 0, 30, 60, 90 and 100 ms (the last sleep is cut short
  // at the deadline; a sleep may last longer, never shorter).
  CHECK(cond.asked.size() <= 5);
  // So a condition that comes true at the deadline is seen.
  start = steady::now();
  CHECK(eventually([&] { return steady::now() - start >= 100ms; }, 100ms, 30ms));
}

TEST_CASE("eventually with no time given asks the condition exactly once") {
  scripted cond;
  CHECK_FALSE(eventually(std::ref(cond), 0ms));
  CHECK(cond.asked.size() == 1);
  scripted yes{{true}};
  CHECK(eventually(std::ref(yes), 0ms));
  CHECK(yes.asked.size() == 1);
}

TEST_CASE("throughout returns false at the first call of the condition that returns false") {
  scripted cond{{true, true, false}, true};
  CHECK_FALSE(throughout(std::ref(cond), 10s, 1ms));
  CHECK(cond.asked.size() == 3);
}

TEST_CASE("throughout holds only after a call at or after the end of the span returned true") {
  scripted cond{{}, true};
  auto start = steady::now();
  CHECK(throughout(std::ref(cond), 100ms, 30ms));
  REQUIRE(cond.asked.size() >= 2);
  CHECK(cond.asked.back() - start >= 100ms);
  CHECK(cond.asked.size() <= 5);
  // So a condition that turns false at the end of the span fails it.
  start = steady::now();
  CHECK_FALSE(throughout([&] { return steady::now() - start < 100ms; }, 100ms, 30ms));
}

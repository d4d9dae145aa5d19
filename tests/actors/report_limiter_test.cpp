/// The rate limit of the endpoint's reports about refused messages (actors/report_limiter.hpp).

#include "actors/report_limiter.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <string>

using namespace std::chrono_literals;
using raft::peer_id;
using raft::time_point;

namespace {

using limiter = raft::report_limiter<std::string>;

time_point at(std::chrono::milliseconds ms) {
  return std::chrono::duration_cast<time_point>(ms);
}

/// Sums 1 + suppressed over reports, per sender ("-" for the untracked senders).
struct ledger {
  std::map<std::string, std::uint64_t> covered;
  std::map<std::string, time_point> last;
  int reports = 0;
  void add(const limiter::report& r, time_point now) {
    auto key = r.from ? std::to_string(*r.from) : std::string("-");
    auto prev = last.find(key);
    if (prev != last.end()) {
      INFO("sender " << key);
      CHECK(now - prev->second >= 1s);
    }
    last[key] = now;
    covered[key] += 1 + r.suppressed;
    ++reports;
  }
};

} // namespace

TEST_CASE("a sender is reported at once, then at most once per second with the count of the "
          "rest") {
  limiter l{64, 1s};
  ledger book;
  // 50 rejections from sender 7, one every 100 ms over 5 s, with flushes every 250 ms.
  for (int i = 0; i < 50; ++i) {
    auto now = at(std::chrono::milliseconds(i * 100));
    if (auto r = l.rejected(7, "kind " + std::to_string(i), now))
      book.add(*r, now);
    if (i % 2 == 0 || i % 5 == 0)
      for (auto& r : l.flush(now))
        book.add(r, now);
  }
  for (int ms = 5000; ms <= 8000; ms += 250)
    for (auto& r : l.flush(at(std::chrono::milliseconds(ms))))
      book.add(r, at(std::chrono::milliseconds(ms)));
  CHECK(book.covered["7"] == 50);
  CHECK(book.reports >= 5);
  CHECK(book.reports <= 6);
  CHECK(l.tracked() == 0); // forgotten once a window passed with nothing to report
}

TEST_CASE("the latest rejection is the subject of a delayed report") {
  limiter l{64, 1s};
  auto first = l.rejected(3, "a", at(0ms));
  REQUIRE(first);
  CHECK(first->from == peer_id{3});
  CHECK(first->detail == "a");
  CHECK(first->suppressed == 0);
  CHECK_FALSE(l.rejected(3, "b", at(100ms)));
  CHECK_FALSE(l.rejected(3, "c", at(200ms)));
  CHECK(l.flush(at(999ms)).empty());
  auto due = l.flush(at(1000ms));
  REQUIRE(due.size() == 1);
  CHECK(due[0].detail == "c");
  CHECK(due[0].suppressed == 1); // "c" is the subject, "b" is counted
  CHECK_FALSE(l.rejected(3, "d", at(1500ms))); // within a second of the delayed report
}

TEST_CASE("ten thousand invented sender ids keep the bookkeeping bounded and every rejection "
          "counted") {
  limiter l{64, 1s};
  ledger book;
  std::size_t most_tracked = 0;
  for (peer_id id = 1; id <= 10'000; ++id) {
    auto now = at(std::chrono::milliseconds(id / 20)); // 20 per millisecond: 0.5 s in all
    if (auto r = l.rejected(id, "x", now))
      book.add(*r, now);
    most_tracked = std::max(most_tracked, l.tracked());
  }
  CHECK(most_tracked <= 65);
  // 64 senders of their own and one report for all the others, within the first window.
  CHECK(book.reports == 65);
  for (int ms = 500; ms <= 3000; ms += 250)
    for (auto& r : l.flush(at(std::chrono::milliseconds(ms))))
      book.add(r, at(std::chrono::milliseconds(ms)));
  std::uint64_t total = 0;
  for (auto& [key, n] : book.covered)
    total += n;
  CHECK(total == 10'000);
  CHECK(book.covered["-"] == 10'000 - 64);
  CHECK(l.tracked() == 0);
  // Once forgotten, new senders get entries of their own again.
  auto again = l.rejected(20'000, "y", at(4000ms));
  REQUIRE(again);
  CHECK(again->from == peer_id{20'000});
}

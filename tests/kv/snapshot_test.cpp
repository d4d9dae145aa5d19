#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace kvt;

namespace {

/// A replica with data and sessions in several states (fresh, with a cached result).
replica populated() {
  store_options o;
  o.session_timeout_ms = 1000;
  replica r(o);
  client a{r, r.open(10)};
  client b{r, r.open(20)};
  a.time_ms = 30;
  a.put("x", "1");
  a.put(bytes("\0bin", 4), bytes(300, '\x80'));
  a.cas("lock", std::nullopt, "a");
  b.time_ms = 40;
  b.cas("x", bytes("0"), "2");  // fails: its cached result carries the value seen
  r.open(50);
  return r;
}

} // namespace

TEST_CASE("snapshot then restore gives an identical state and identical answers, sessions included") {
  replica r = populated();
  const bytes snap = r.store.snapshot();
  store_options o;
  o.session_timeout_ms = 1000;
  replica copy(o);
  copy.index = r.index;
  copy.store.restore(snap);
  CHECK(copy.store.snapshot() == snap);
  CHECK(copy.store.sessions() == 3);
  CHECK(copy.store.now_ms() == 50);

  // The same log continued on both gives the same answers: duplicates from the cache,
  // fresh requests, and expiry by the log's clock.
  const std::vector<request> more = {
      make(op::cas, 2, 1, 60, "x", "2", bytes("0")),   // duplicate of b's failed cas
      make(op::put, 1, 3, 60, "x", "dup"),             // duplicate of a's cas on lock
      make(op::put, 1, 2, 60, "x", "stale"),           // stale
      make(op::get, 1, 4, 60, "x"),
      make(op::del, 2, 2, 200, bytes("\0bin", 4)),
      make(op::get, 7, 1, 1100, "x"),                  // a and session 7 expire, b stays
      make(op::get, 2, 3, 1100, "lock"),
  };
  for (const auto& m : more) {
    const auto want = r.submit(m);
    CHECK(copy.submit(m) == want);
    CHECK(copy.store.snapshot() == r.store.snapshot());
  }
  CHECK(r.store.sessions() == 1);
}

TEST_CASE("restore replaces the state wholly") {
  replica r = populated();
  const bytes snap = r.store.snapshot();
  replica other;
  client c{other, other.open()};
  c.put("only-here", "v");
  other.store.restore(snap);
  CHECK(other.store.snapshot() == snap);
  CHECK(other.store.size() == r.store.size());
}

TEST_CASE("a corrupt snapshot is refused with a clear error and the state is unchanged") {
  const bytes snap = populated().store.snapshot();
  replica target;
  client c{target, target.open()};
  c.put("mine", "kept");
  const bytes before = target.store.snapshot();

  // Every single flipped byte, every truncation, and an appended byte.
  for (std::size_t i = 0; i < snap.size(); ++i) {
    bytes bad = snap;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    REQUIRE_THROWS_AS(target.store.restore(bad), snapshot_error);
  }
  for (std::size_t n = 0; n < snap.size(); ++n)
    REQUIRE_THROWS_AS(target.store.restore(snap.substr(0, n)), snapshot_error);
  REQUIRE_THROWS_AS(target.store.restore(snap + "x"), snapshot_error);
  CHECK(target.store.snapshot() == before);
  CHECK(c.get("mine").value == bytes("kept"));

  bytes flipped = snap;
  flipped[10] = static_cast<char>(flipped[10] ^ 1);
  CHECK_THROWS_WITH(target.store.restore(flipped), "kv snapshot: checksum mismatch (corrupt)");
  CHECK_THROWS_WITH(target.store.restore("garbage that is long enough"),
                    "kv snapshot: not a KV snapshot (bad magic)");
}

TEST_CASE("a snapshot with more sessions than this store allows is refused") {
  const bytes snap = populated().store.snapshot();
  store_options small;
  small.max_sessions = 2;
  kv_store s(small);
  CHECK_THROWS_WITH(s.restore(snap), "kv snapshot: 3 sessions exceed max_sessions 2");
  CHECK(s.sessions() == 0);
}

TEST_CASE("an empty store's snapshot restores to an empty store") {
  kv_store a;
  kv_store b;
  b.restore(a.snapshot());
  CHECK(b.snapshot() == a.snapshot());
  CHECK(b.size() == 0);
}

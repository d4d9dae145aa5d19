#include <catch2/catch.hpp>

#include <random>

#include "helpers.hpp"

using namespace kvt;

TEST_CASE("put writes a value that get then returns") {
  replica r;
  client c{r, r.open()};
  CHECK(c.get("k").found == false);
  CHECK(c.put("k", "v1").code == status::ok);
  auto g = c.get("k");
  CHECK(g.code == status::ok);
  CHECK(g.found);
  CHECK(g.value == bytes("v1"));
  CHECK(c.put("k", "v2").code == status::ok);
  CHECK(c.get("k").value == bytes("v2"));
}

TEST_CASE("get of a missing key answers not found") {
  replica r;
  client c{r, r.open()};
  auto g = c.get("nothing");
  CHECK(g.code == status::ok);
  CHECK_FALSE(g.found);
  CHECK_FALSE(g.value);
}

TEST_CASE("delete removes the key and says whether it existed") {
  replica r;
  client c{r, r.open()};
  c.put("k", "v");
  auto d1 = c.del("k");
  CHECK(d1.code == status::ok);
  CHECK(d1.found);
  CHECK_FALSE(c.get("k").found);
  auto d2 = c.del("k");
  CHECK(d2.code == status::ok);
  CHECK_FALSE(d2.found);
}

TEST_CASE("cas swaps only when the key holds the expected value and otherwise reports what it holds") {
  replica r;
  client c{r, r.open()};
  c.put("k", "a");
  auto wrong = c.cas("k", bytes("b"), "c");
  CHECK(wrong.code == status::cas_failed);
  CHECK(wrong.found);
  CHECK(wrong.value == bytes("a"));
  CHECK(c.get("k").value == bytes("a"));
  CHECK(c.cas("k", bytes("a"), "c").code == status::ok);
  CHECK(c.get("k").value == bytes("c"));
  // Expecting absence fails on a present key and reports its value.
  auto present = c.cas("k", std::nullopt, "d");
  CHECK(present.code == status::cas_failed);
  CHECK(present.value == bytes("c"));
  // Expecting a value fails on an absent key and reports absence.
  auto missing = c.cas("gone", bytes("x"), "y");
  CHECK(missing.code == status::cas_failed);
  CHECK_FALSE(missing.found);
  CHECK_FALSE(missing.value);
  CHECK_FALSE(c.get("gone").found);
}

TEST_CASE("cas on absence creates the key once and fails once it exists") {
  replica r;
  client c{r, r.open()};
  CHECK(c.cas("lock", std::nullopt, "owner-1").code == status::ok);
  CHECK(c.get("lock").value == bytes("owner-1"));
  auto second = c.cas("lock", std::nullopt, "owner-2");
  CHECK(second.code == status::cas_failed);
  CHECK(second.value == bytes("owner-1"));
  c.del("lock");
  CHECK(c.cas("lock", std::nullopt, "owner-2").code == status::ok);
}

TEST_CASE("keys and values are byte strings, empty and binary included") {
  replica r;
  client c{r, r.open()};
  const bytes key("\0\xff\n", 3);
  const bytes value("\0\0\x80", 3);
  c.put(key, value);
  c.put("", "");
  CHECK(c.get(key).value == value);
  auto e = c.get("");
  CHECK(e.found);
  CHECK(e.value == bytes(""));
}

TEST_CASE("an oversize key or value is refused with a clear error and changes nothing") {
  replica r;
  client c{r, r.open()};
  c.put("k", "v");
  const bytes before = r.store.snapshot();

  const bytes big_key(max_key_bytes + 1, 'k');
  const bytes big_value(max_value_bytes + 1, 'v');
  auto pk = c.put(big_key, "v");
  CHECK(pk.code == status::too_large);
  CHECK(pk.message == "key of 1025 bytes exceeds the limit of 1024");
  auto pv = c.put("k", big_value);
  CHECK(pv.code == status::too_large);
  CHECK(pv.message == "value of 65537 bytes exceeds the limit of 65536");
  CHECK(c.cas("k", bytes("v"), big_value).code == status::too_large);
  CHECK(c.cas("k", big_value, "w").code == status::too_large);
  CHECK(c.get(big_key).code == status::too_large);
  CHECK(c.del(big_key).code == status::too_large);
  // Even a later clock on the refused request moved nothing: the snapshot is the same bytes.
  c.time_ms = 999999999;
  CHECK(c.put(big_key, "v").code == status::too_large);
  CHECK(r.store.snapshot() == before);
  c.time_ms = 0;
  CHECK(c.get("k").value == bytes("v"));

  // At the limits exactly, both are accepted.
  const bytes max_key(max_key_bytes, 'k');
  CHECK(c.put(max_key, bytes(max_value_bytes, 'v')).code == status::ok);
  CHECK(c.get(max_key).value->size() == max_value_bytes);
}

TEST_CASE("random bytes as commands never crash and give a bad request result that changes nothing") {
  replica r;
  client c{r, r.open()};
  c.put("k", "v");
  const bytes before = r.store.snapshot();
  std::mt19937_64 rng(5);
  for (int i = 0; i < 50000; ++i) {
    bytes b(rng() % 48, '\0');
    for (auto& ch : b) ch = static_cast<char>(rng());
    if (i % 2 == 0 && b.size() >= 2) {
      b[0] = 1;
      b[1] = static_cast<char>(rng() % 5);
    }
    if (std::holds_alternative<request>(decode_request(b))) continue;  // vanishingly rare
    auto out = decoded(r.store.apply(++r.index, b));
    REQUIRE(out.code == status::bad_request);
    REQUIRE_FALSE(out.message.empty());
  }
  CHECK(r.store.snapshot() == before);
  CHECK(decoded(r.store.apply(++r.index, "")).message == "command: empty");
}

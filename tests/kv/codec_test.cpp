#include <catch2/catch.hpp>

#include <random>

#include "helpers.hpp"

using namespace kvt;

TEST_CASE("every command survives encoding and decoding unchanged") {
  const std::vector<request> all = {
      make(op::open_session, 0, 0, 7),
      make(op::get, 3, 1, 8, "k"),
      make(op::put, 3, 2, 9, std::string("k\0y", 3), std::string(1000, '\xff')),
      make(op::del, 3, 3, 10, ""),
      make(op::cas, 3, 4, 11, "k", "new", bytes("old")),
      make(op::cas, 3, 5, 12, "k", "new", std::nullopt),
      make(op::cas, 3, 6, 13, "k", "new", bytes("")),
  };
  for (const auto& r : all) {
    auto d = decode_request(encode(r));
    REQUIRE(std::holds_alternative<request>(d));
    const auto& back = std::get<request>(d);
    CHECK(back.kind == r.kind);
    CHECK(back.client == r.client);
    CHECK(back.seq == r.seq);
    CHECK(back.time_ms == r.time_ms);
    CHECK(back.key == r.key);
    CHECK(back.value == r.value);
    CHECK(back.expected == r.expected);
  }
}

TEST_CASE("every result survives encoding and decoding unchanged") {
  response a;
  response b;
  b.found = true;
  b.value = "v";
  response c;
  c.client = 42;
  response d;
  d.code = status::session_expired;
  d.message = "session 5 is not open";
  response e;
  e.code = status::cas_failed;
  for (const auto& r : {a, b, c, d, e}) {
    CHECK(decoded(encode(r)) == r);
    CHECK(encode(decoded(encode(r))) == encode(r));
  }
}

TEST_CASE("the decoder refuses truncations, trailing bytes and unknown fields with a clear error") {
  const bytes good = encode(make(op::cas, 3, 4, 11, "key", "new", bytes("old")));
  for (std::size_t n = 0; n < good.size(); ++n) {
    auto d = decode_request(good.substr(0, n));
    REQUIRE(std::holds_alternative<decode_error>(d));
    CHECK_FALSE(std::get<decode_error>(d).message.empty());
  }
  auto trailing = decode_request(good + "x");
  REQUIRE(std::holds_alternative<decode_error>(trailing));
  CHECK(std::get<decode_error>(trailing).message == "command: 1 trailing bytes");

  bytes bad_version = good;
  bad_version[0] = 2;
  CHECK(std::get<decode_error>(decode_request(bad_version)).message ==
        "command: unknown version 2 (expected 1)");
  bytes bad_op = good;
  bad_op[1] = 9;
  CHECK(std::get<decode_error>(decode_request(bad_op)).message ==
        "command: field \"op\": unknown operation 9");
  CHECK(std::get<decode_error>(decode_request(encode(make(op::put, 3, 0, 1, "k", "v")))).message ==
        "command: field \"seq\": must be at least 1");
  CHECK(std::holds_alternative<decode_error>(decode_request(encode(make(op::open_session, 5, 0, 1)))));
}

TEST_CASE("random bytes never crash the decoders and are refused unless they form a valid message") {
  std::mt19937_64 rng(11);
  std::size_t accepted = 0;
  for (int i = 0; i < 200000; ++i) {
    bytes b(rng() % 64, '\0');
    for (auto& c : b) c = static_cast<char>(rng());
    // Half the time start like a real command, so the fuzz reaches past the first bytes.
    if (i % 2 == 0 && b.size() >= 2) {
      b[0] = 1;
      b[1] = static_cast<char>(rng() % 5);
    }
    auto d = decode_request(b);
    if (auto* r = std::get_if<request>(&d)) {
      ++accepted;
      CHECK(encode(*r) == b);  // only canonical encodings are accepted
    }
    auto e = decode_response(b);
    if (auto* r = std::get_if<response>(&e)) CHECK(encode(*r) == b);
  }
  CHECK(accepted < 200000);
}

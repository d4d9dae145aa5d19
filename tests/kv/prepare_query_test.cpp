/// What the leader does with a client's command before the log (kv_store::prepare) and the
/// reads that never enter it (kv_store::query).

#include <catch2/catch.hpp>

#include <variant>

#include "tests/kv/helpers.hpp"

using namespace kvt;

namespace {

bytes appended(const prepared& p) {
  REQUIRE(std::holds_alternative<to_append>(p));
  return std::get<to_append>(p).command;
}

response refusal(const prepared& p) {
  REQUIRE(std::holds_alternative<refused>(p));
  return decoded(std::get<refused>(p).result);
}

} // namespace

TEST_CASE("prepare stamps a write with the leader's clock and leaves the rest as it was") {
  kv_store s;
  auto r = make(op::put, 7, 3, 0, "k", "v");
  auto out = decode_request(appended(s.prepare(encode(r), 123456)));
  REQUIRE(std::holds_alternative<request>(out));
  auto stamped = std::get<request>(out);
  CHECK(stamped.time_ms == 123456);
  r.time_ms = 123456;
  CHECK(encode(stamped) == encode(r));
}

TEST_CASE("prepare refuses undecodable and oversize commands before they reach the log") {
  kv_store s;
  CHECK(refusal(s.prepare("garbage", 1)).code == status::bad_request);
  auto big = make(op::put, 7, 1, 0, "k", bytes(max_value_bytes + 1, 'x'));
  auto r = refusal(s.prepare(encode(big), 1));
  CHECK(r.code == status::too_large);
  CHECK_THAT(r.message, Catch::Contains("exceeds the limit of 65536"));
  auto long_key = make(op::cas, 7, 1, 0, bytes(max_key_bytes + 1, 'k'), "v", bytes("e"));
  CHECK(refusal(s.prepare(encode(long_key), 1)).code == status::too_large);
  CHECK(s.size() == 0);
}

TEST_CASE("prepare refuses a get: reads are queries, not log entries") {
  kv_store s;
  auto r = refusal(s.prepare(encode(make(op::get, 7, 1, 0, "k")), 1));
  CHECK(r.code == status::bad_request);
  CHECK_THAT(r.message, Catch::Contains("query"));
}

TEST_CASE("a query answers a get from the current data without a session and changes nothing") {
  kv_store s;
  auto open = decoded(s.apply(1, encode(make(op::open_session, 0, 0, 10))));
  REQUIRE(open.client);
  s.apply(2, encode(make(op::put, *open.client, 1, 20, "k", "v1")));
  auto before = s.snapshot();
  auto q = make(op::get, 0, 0, 0, "k");
  auto hit = decoded(s.query(encode(q)));
  CHECK(hit.code == status::ok);
  CHECK(hit.found);
  CHECK(hit.value == bytes("v1"));
  auto miss = decoded(s.query(encode(make(op::get, 0, 0, 0, "absent"))));
  CHECK_FALSE(miss.found);
  CHECK(s.snapshot() == before);
}

TEST_CASE("a query that is not a get, or does not decode, is refused") {
  kv_store s;
  CHECK(decoded(s.query(encode(make(op::put, 7, 1, 0, "k", "v")))).code == status::bad_request);
  CHECK(decoded(s.query("\x01")).code == status::bad_request);
  CHECK(decoded(s.query(encode(make(op::get, 0, 0, 0, bytes(max_key_bytes + 1, 'k'))))).code ==
        status::too_large);
}

TEST_CASE("a get without a session decodes as a query but is refused through the log") {
  kv_store s;
  auto r = decoded(s.apply(1, encode(make(op::get, 0, 0, 0, "k"))));
  CHECK(r.code == status::bad_request);
  CHECK(decoded(s.apply(2, encode(make(op::put, 0, 0, 0, "k", "v")))).code ==
        status::bad_request);
}

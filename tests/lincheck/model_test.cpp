#include <catch2/catch.hpp>

#include "lincheck/register_model.hpp"
#include "ops.hpp"

using namespace lt;

namespace {

basic_step<bytes> at(const register_state& s, const operation& op) { return step(s, op); }

} // namespace

TEST_CASE("a put is legal in every state and leaves the key holding its value") {
  for (const register_state& s : {register_state{}, register_state{"a"}}) {
    auto r = at(s, put(1, 0, 1, "k", "b"));
    CHECK(r.legal);
    CHECK(r.next == register_state{"b"});
  }
}

TEST_CASE("a get is legal only when it observed the state and changes nothing") {
  CHECK(at(register_state{"a"}, get(1, 0, 1, "k", "a")).legal);
  CHECK(at(register_state{"a"}, get(1, 0, 1, "k", "a")).next == register_state{"a"});
  CHECK_FALSE(at(register_state{"a"}, get(1, 0, 1, "k", "b")).legal);
  CHECK_FALSE(at(register_state{"a"}, get(1, 0, 1, "k", absent)).legal);
  CHECK(at(absent, get(1, 0, 1, "k", absent)).legal);
  CHECK_FALSE(at(absent, get(1, 0, 1, "k", "a")).legal);
}

TEST_CASE("a delete is legal only when it says whether the key existed and leaves it absent") {
  CHECK(at(register_state{"a"}, del(1, 0, 1, "k", true)).legal);
  CHECK_FALSE(at(register_state{"a"}, del(1, 0, 1, "k", false)).legal);
  CHECK(at(absent, del(1, 0, 1, "k", false)).legal);
  CHECK_FALSE(at(absent, del(1, 0, 1, "k", true)).legal);
  CHECK(at(register_state{"a"}, del(1, 0, 1, "k", true)).next == absent);
}

TEST_CASE("a cas succeeds only on a matching value or on absence when it expects absence") {
  CHECK(at(register_state{"a"}, cas_ok(1, 0, 1, "k", "a", "b")).legal);
  CHECK(at(register_state{"a"}, cas_ok(1, 0, 1, "k", "a", "b")).next == register_state{"b"});
  CHECK_FALSE(at(register_state{"x"}, cas_ok(1, 0, 1, "k", "a", "b")).legal);
  CHECK_FALSE(at(absent, cas_ok(1, 0, 1, "k", "a", "b")).legal);
  CHECK(at(absent, cas_ok(1, 0, 1, "k", absent, "b")).legal);
  CHECK_FALSE(at(register_state{"a"}, cas_ok(1, 0, 1, "k", absent, "b")).legal);
}

TEST_CASE("a failed cas is legal only on a mismatch it observed and changes nothing") {
  auto r = at(register_state{"x"}, cas_failed(1, 0, 1, "k", "a", "b", "x"));
  CHECK(r.legal);
  CHECK(r.next == register_state{"x"});
  CHECK_FALSE(at(register_state{"x"}, cas_failed(1, 0, 1, "k", "a", "b", "y")).legal);
  CHECK_FALSE(at(register_state{"a"}, cas_failed(1, 0, 1, "k", "a", "b", "a")).legal);
  CHECK(at(absent, cas_failed(1, 0, 1, "k", "a", "b", absent)).legal);
  CHECK_FALSE(at(absent, cas_failed(1, 0, 1, "k", absent, "b", absent)).legal);
  CHECK(at(register_state{"x"}, cas_failed(1, 0, 1, "k", absent, "b", "x")).legal);
}

TEST_CASE("an operation with an unknown outcome is legal anywhere and has its command's effect") {
  CHECK(at(absent, unknown_put(1, 0, "k", "a")).next == register_state{"a"});
  CHECK(at(register_state{"a"}, unknown_del(1, 0, "k")).next == absent);
  CHECK(at(register_state{"a"}, unknown_cas(1, 0, "k", "a", "b")).next == register_state{"b"});
  auto miss = at(register_state{"x"}, unknown_cas(1, 0, "k", "a", "b"));
  CHECK(miss.legal);
  CHECK(miss.next == register_state{"x"});
  CHECK(at(register_state{"x"}, unknown_get(1, 0, "k")).legal);
}

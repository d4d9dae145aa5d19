#include <catch2/catch.hpp>

#include "ops.hpp"

using namespace lt;

TEST_CASE("an empty history is linearizable") {
  check_result r = check({});
  CHECK(r.result == verdict::linearizable);
  CHECK(r.keys == 0);
}

TEST_CASE("a sequential put then get of the written value is linearizable") {
  CHECK(linearizable({put(1, 0, 10, "x", "a"), get(2, 20, 30, "x", "a")}));
  CHECK(linearizable({get(1, 0, 10, "x", absent), put(1, 20, 30, "x", "a")}));
}

TEST_CASE("a stale read after a later put completed is not linearizable") {
  history h{put(1, 0, 10, "x", "a"), put(1, 20, 30, "x", "b"), get(2, 40, 50, "x", "a")};
  check_result r = check(h);
  REQUIRE(r.result == verdict::not_linearizable);
  CHECK(r.key == bytes("x"));
  // The contradiction needs only the later put and the read, whatever x held before.
  CHECK(r.operations == std::vector<std::size_t>{1, 2});
  CHECK_THAT(r.explanation, Catch::Contains("up to time 50"));
  CHECK_THAT(r.explanation, Catch::Contains("whatever \"x\" held at time 20"));
  CHECK_THAT(r.explanation, Catch::Contains("client 2 [40, 50] get(\"x\") -> \"a\"   <- the first return"));
}

TEST_CASE("a read concurrent with a put may return the old or the new value") {
  CHECK(linearizable({put(1, 0, 10, "x", "a"), put(1, 20, 60, "x", "b"), get(2, 30, 40, "x", "a")}));
  CHECK(linearizable({put(1, 0, 10, "x", "a"), put(1, 20, 60, "x", "b"), get(2, 30, 40, "x", "b")}));
}

TEST_CASE("two cas from the same expected value cannot both succeed") {
  // The lost update: both clients read 0 and both swaps claim to have applied.
  history h{put(1, 0, 10, "n", "0"), cas_ok(1, 20, 40, "n", "0", "1"), cas_ok(2, 25, 45, "n", "0", "2")};
  check_result r = check(h);
  REQUIRE(r.result == verdict::not_linearizable);
  CHECK(r.operations == std::vector<std::size_t>{1, 2});
  // One of them failing, having seen the other's value, is fine.
  CHECK(linearizable({put(1, 0, 10, "n", "0"), cas_ok(1, 20, 40, "n", "0", "1"),
                      cas_failed(2, 25, 45, "n", "0", "2", "1")}));
}

TEST_CASE("a read of a value never written is not linearizable") {
  check_result r = check({put(1, 0, 10, "x", "a"), get(2, 20, 30, "x", "z")});
  REQUIRE(r.result == verdict::not_linearizable);
  CHECK(r.operations == std::vector<std::size_t>{1});
  CHECK_THAT(r.explanation, Catch::Contains("starting from \"x\" absent"));
  CHECK_FALSE(linearizable({get(1, 0, 10, "x", "z")}));
}

TEST_CASE("reads going backwards between two clients are not linearizable") {
  // While the put of b runs, client 2 sees b; client 3, starting after that read returned,
  // must not see a again.
  history h{put(1, 0, 10, "x", "a"), put(1, 15, 100, "x", "b"), get(2, 20, 30, "x", "b"),
            get(3, 40, 50, "x", "a")};
  check_result r = check(h);
  REQUIRE(r.result == verdict::not_linearizable);
  CHECK(r.operations.back() == 3);
  // In the other order (old value first, then new) the reads are fine.
  CHECK(linearizable({put(1, 0, 10, "x", "a"), put(1, 15, 100, "x", "b"), get(2, 20, 30, "x", "a"),
                      get(3, 40, 50, "x", "b")}));
}

TEST_CASE("three concurrent writes that fit only one order are accepted and a read ruling it out is caught") {
  // put 1, cas 1->2 and a delete that found the key, all concurrent: the cas needs 1 and the
  // delete needs a value, so the only order is put, cas, delete, which leaves x absent.
  history h{put(1, 0, 100, "x", "1"), cas_ok(2, 0, 100, "x", "1", "2"), del(3, 0, 100, "x", true)};
  history fine = h;
  fine.push_back(get(4, 110, 120, "x", absent));
  CHECK(linearizable(fine));
  history bad = h;
  bad.push_back(get(4, 110, 120, "x", "1"));
  check_result r = check(bad);
  REQUIRE(r.result == verdict::not_linearizable);
  CHECK(r.operations.back() == 3);
}

TEST_CASE("a delete reports whether the key existed and leaves it absent") {
  CHECK(linearizable({del(1, 0, 10, "x", false)}));
  CHECK_FALSE(linearizable({del(1, 0, 10, "x", true)}));
  CHECK(linearizable({put(1, 0, 10, "x", "a"), del(1, 20, 30, "x", true), get(2, 40, 50, "x", absent)}));
  CHECK_FALSE(linearizable({put(1, 0, 10, "x", "a"), del(1, 20, 30, "x", false)}));
  CHECK_FALSE(linearizable({put(1, 0, 10, "x", "a"), del(1, 20, 30, "x", true), get(2, 40, 50, "x", "a")}));
  // Two deletes of the same value cannot both have found it.
  CHECK_FALSE(linearizable({put(1, 0, 10, "x", "a"), del(1, 20, 40, "x", true), del(2, 20, 40, "x", true)}));
}

TEST_CASE("a cas on absence succeeds only while the key is absent") {
  CHECK(linearizable({cas_ok(1, 0, 10, "x", absent, "a"), get(1, 20, 30, "x", "a")}));
  CHECK_FALSE(linearizable({put(1, 0, 10, "x", "a"), cas_ok(1, 20, 30, "x", absent, "b")}));
  CHECK(linearizable({put(1, 0, 10, "x", "a"), cas_failed(1, 20, 30, "x", absent, "b", "a")}));
  CHECK(linearizable({put(1, 0, 10, "x", "a"), del(1, 20, 30, "x", true),
                      cas_ok(1, 40, 50, "x", absent, "b")}));
}

TEST_CASE("a failed cas must report the value it saw") {
  CHECK(linearizable({put(1, 0, 10, "x", "a"), cas_failed(2, 20, 30, "x", "b", "c", "a")}));
  CHECK_FALSE(linearizable({put(1, 0, 10, "x", "a"), cas_failed(2, 20, 30, "x", "b", "c", "z")}));
  CHECK_FALSE(linearizable({put(1, 0, 10, "x", "a"), cas_failed(2, 20, 30, "x", "b", "c", absent)}));
  // A cas that failed although the value matched is a violation.
  CHECK_FALSE(linearizable({put(1, 0, 10, "x", "a"), cas_failed(2, 20, 30, "x", "a", "c", "a")}));
}

TEST_CASE("each key is checked independently of the others") {
  // As one register this would be a stale read; as two keys it is fine.
  history h{put(1, 0, 10, "x", "a"), put(1, 20, 30, "y", "b"), get(2, 40, 50, "x", "a")};
  check_result r = check(h);
  CHECK(r.result == verdict::linearizable);
  CHECK(r.keys == 2);
  // A violation on y is reported on y, whatever x does.
  h.push_back(get(3, 60, 70, "y", "never"));
  r = check(h);
  REQUIRE(r.result == verdict::not_linearizable);
  CHECK(r.key == bytes("y"));
  CHECK(r.operations == std::vector<std::size_t>{3});
}

TEST_CASE("operations whose intervals touch at one instant count as concurrent") {
  CHECK(linearizable({put(1, 0, 10, "x", "a"), get(2, 10, 20, "x", absent)}));
  CHECK_FALSE(linearizable({put(1, 0, 10, "x", "a"), get(2, 11, 20, "x", absent)}));
}

TEST_CASE("an operation returning before its call is rejected") {
  CHECK_THROWS_AS(check({put(1, 10, 5, "x", "a")}), std::invalid_argument);
}

TEST_CASE("a search that runs out of its step budget reports unknown") {
  history h;
  for (int i = 0; i < 20; ++i) h.push_back(put(static_cast<client_id>(i), 0, 100, "x", std::to_string(i)));
  h.push_back(get(99, 200, 210, "x", "7"));
  check_options o;
  o.max_steps = 5;
  check_result r = check(h, o);
  CHECK(r.result == verdict::unknown);
  CHECK(r.key == bytes("x"));
  CHECK_THAT(r.explanation, Catch::Contains("ran out of its budget (5 steps)"));
  CHECK(check(h).result == verdict::linearizable);
}

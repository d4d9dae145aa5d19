#include <catch2/catch.hpp>

#include "lincheck/generate.hpp"
#include "ops.hpp"

using namespace lt;

TEST_CASE("an unknown put that took effect is accepted") {
  CHECK(linearizable({put(1, 0, 10, "x", "a"), unknown_put(2, 20, "x", "b"), get(3, 30, 40, "x", "b"),
                      get(3, 50, 60, "x", "b")}));
}

TEST_CASE("an unknown put that never took effect is accepted") {
  CHECK(linearizable({put(1, 0, 10, "x", "a"), unknown_put(2, 20, "x", "b"), get(3, 30, 40, "x", "a"),
                      get(3, 50, 60, "x", "a")}));
}

TEST_CASE("an unknown put may take effect long after its call") {
  // Client 2 timed out; its put arrived after client 1's later put and a read of it.
  CHECK(linearizable({unknown_put(2, 0, "x", "b"), put(1, 10, 20, "x", "a"), get(3, 30, 40, "x", "a"),
                      get(3, 50, 60, "x", "b")}));
}

TEST_CASE("an unknown put cannot take effect before its call") {
  check_result r = check({put(1, 0, 10, "x", "a"), get(3, 20, 30, "x", "b"), unknown_put(2, 40, "x", "b")});
  REQUIRE(r.result == verdict::not_linearizable);
  CHECK(r.operations == std::vector<std::size_t>{1});
}

TEST_CASE("an unknown write observed by a read and then un-observed is not linearizable") {
  history h{put(1, 0, 10, "x", "a"), unknown_put(2, 20, "x", "b"), get(3, 30, 40, "x", "b"),
            get(3, 50, 60, "x", "a")};
  check_result r = check(h);
  REQUIRE(r.result == verdict::not_linearizable);
  CHECK(r.operations.back() == 3);
}

TEST_CASE("an unknown cas that succeeded and one that failed are both accepted") {
  history h{put(1, 0, 10, "x", "a"), unknown_cas(2, 20, "x", "a", "b")};
  history took = h, did_not = h;
  took.push_back(get(3, 30, 40, "x", "b"));
  did_not.push_back(get(3, 30, 40, "x", "a"));
  CHECK(linearizable(took));
  CHECK(linearizable(did_not));
}

TEST_CASE("an unknown cas cannot take effect once its expected value is gone") {
  CHECK_FALSE(linearizable({put(1, 0, 10, "x", "a"), put(1, 20, 30, "x", "c"),
                            unknown_cas(2, 40, "x", "a", "b"), get(3, 50, 60, "x", "b")}));
  // Until the expected value comes back.
  CHECK(linearizable({put(1, 0, 10, "x", "a"), put(1, 20, 30, "x", "c"), unknown_cas(2, 40, "x", "a", "b"),
                      put(1, 50, 60, "x", "a"), get(3, 70, 80, "x", "b")}));
}

TEST_CASE("an unknown cas takes effect at most once") {
  // b is seen, a is written again, and b cannot come back: the cas applied once, before the
  // first read of b.
  CHECK_FALSE(linearizable({put(1, 0, 10, "x", "a"), unknown_cas(2, 20, "x", "a", "b"),
                            get(3, 30, 40, "x", "b"), put(1, 50, 60, "x", "a"), get(3, 70, 80, "x", "b")}));
}

TEST_CASE("an unknown delete may or may not have removed the key") {
  history h{put(1, 0, 10, "x", "a"), unknown_del(2, 20, "x")};
  history gone = h, kept = h;
  gone.push_back(get(3, 30, 40, "x", absent));
  kept.push_back(get(3, 30, 40, "x", "a"));
  CHECK(linearizable(gone));
  CHECK(linearizable(kept));
  kept.push_back(get(3, 50, 60, "x", absent));
  kept.push_back(get(3, 70, 80, "x", "a"));
  CHECK_FALSE(linearizable(kept));
}

TEST_CASE("an unknown get constrains nothing") {
  CHECK(linearizable({unknown_get(1, 0, "x"), put(2, 10, 20, "x", "a")}));
}

TEST_CASE("unknown writes whose values nobody read are checked without a blow-up") {
  // 30 unknown puts all in flight together, then reads that see none of them: the search
  // must not try every subset of them.
  history h{put(1, 0, 10, "x", "a")};
  for (int i = 0; i < 30; ++i) h.push_back(unknown_put(static_cast<client_id>(i + 2), 20, "x", "u" + std::to_string(i)));
  for (int i = 0; i < 30; ++i) h.push_back(get(99, 30 + 20 * i, 40 + 20 * i, "x", "a"));
  check_result r = check(h);
  CHECK(r.result == verdict::linearizable);
  CHECK(r.steps < 1000);
}

TEST_CASE("generated histories with a fifth of outcomes unknown are linearizable") {
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    generator_options o;
    o.operations = 300;
    o.keys = 2;
    o.clients = 5;
    o.unknown = 0.2;
    o.seed = seed;
    check_result r = check(generate_linearizable(o));
    INFO("seed " << seed << ": " << r.explanation);
    CHECK(r.result == verdict::linearizable);
  }
}

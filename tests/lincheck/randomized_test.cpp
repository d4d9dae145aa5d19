#include <catch2/catch.hpp>

#include "lincheck/generate.hpp"
#include "ops.hpp"

using namespace lt;

namespace {

generator_options options(std::size_t ops, std::size_t keys, std::size_t clients, std::uint64_t seed) {
  generator_options o;
  o.operations = ops;
  o.keys = keys;
  o.clients = clients;
  o.seed = seed;
  return o;
}

} // namespace

TEST_CASE("histories generated from a real register with random overlapping intervals are linearizable") {
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    for (std::size_t keys : {1, 5}) {
      history h = generate_linearizable(options(400, keys, 8, seed));
      check_result r = check(h);
      INFO("seed " << seed << ", " << keys << " keys: " << r.explanation);
      CHECK(r.result == verdict::linearizable);
    }
  }
}

TEST_CASE("one stale read injected into a generated history is always caught") {
  std::size_t injected = 0;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    for (double unknown : {0.0, 0.1}) {
      generator_options o = options(400, 3, 8, seed);
      o.unknown = unknown;
      history h = generate_linearizable(o);
      std::optional<std::size_t> g = inject_stale_read(h, seed);
      if (!g) continue;
      ++injected;
      check_result r = check(h);
      INFO("seed " << seed << ", unknown " << unknown << ", stale get " << *g << ": " << r.explanation);
      REQUIRE(r.result == verdict::not_linearizable);
      CHECK(r.key == h[*g].key);
      // The first return no order explains is the stale get itself: everything before it
      // is the generated, linearizable history.
      CHECK(r.operations.back() == *g);
      // And the reason is small: the read, the write that replaced the value, and little
      // else.
      CHECK(r.operations.size() <= 4);
    }
  }
  CHECK(injected >= 190);
}

TEST_CASE("10000 operations over 50 keys from 10 clients are checked within a small step bound") {
  // A bound on search steps, not on time: each operation has two events, and a search that
  // never backtracks visits each about once per lift.
  history h = generate_linearizable(options(10'000, 50, 10, 7));
  check_result r = check(h);
  CHECK(r.result == verdict::linearizable);
  CHECK(r.keys == 50);
  CHECK(r.steps < 30'000);  // measured: 10,470
}

TEST_CASE("10000 operations on one key from 10 clients with unknown outcomes stay within a step bound") {
  generator_options o = options(10'000, 1, 10, 11);
  o.unknown = 0.05;
  history h = generate_linearizable(o);
  check_result r = check(h);
  CHECK(r.result == verdict::linearizable);
  CHECK(r.steps < 2'000'000);  // measured: 850,728
}

/// lincheck-bench: how long the linearizability checker takes on generated histories
/// (lincheck/generate.hpp), in wall time and search steps, over many seeds per case.
///
///   lincheck-bench [--trials N]      (default 20)
///
/// Prints one JSON document: per case the median, p90 and maximum milliseconds (steady
/// clock, the check alone, generation excluded) and steps, and how many trials ended with
/// the expected verdict. Run it on an idle machine; figures from a loaded one are slower.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <cmath>

#include <nlohmann/json.hpp>

#include "apps/cli.hpp"
#include "bench/bench_stats.hpp"
#include "lincheck/checker.hpp"
#include "lincheck/generate.hpp"

/// Keys in the order written, as before.
using json = nlohmann::ordered_json;

namespace {

using namespace raft::lincheck;

struct bench_case {
  const char* name;
  std::size_t operations, keys, clients;
  double unknown;
  bool stale;  ///< inject one stale read: the expected verdict is "not linearizable"
};

/// p50, p90 and max (nearest rank) of `v`, each through `f`.
template <class T, class F>
json spread(std::vector<T> v, F f) {
  std::sort(v.begin(), v.end());
  return {{"p50", f(raft::bench::percentile(v, 50))},
          {"p90", f(raft::bench::percentile(v, 90))},
          {"max", f(raft::bench::percentile(v, 100))}};
}

} // namespace

int main(int argc, char** argv) {
  int trials = 20;
  CLI::App app{"The linearizability checker's speed on generated histories, as JSON.",
               "lincheck-bench"};
  app.option_defaults()->always_capture_default();
  app.add_option("--trials", trials, "histories per case")->check(CLI::Range(1, 100000));
  if (auto status = raft::parse_command_line(app, argc, argv))
    return *status;
  const std::vector<bench_case> cases{
      {"10000 ops, 50 keys, 10 clients", 10000, 50, 10, 0.0, false},
      {"10000 ops, 50 keys, 10 clients, 5% unknown", 10000, 50, 10, 0.05, false},
      {"10000 ops, 50 keys, 10 clients, one stale read", 10000, 50, 10, 0.0, true},
      {"10000 ops, 50 keys, 10 clients, 5% unknown, one stale read", 10000, 50, 10, 0.05, true},
      {"10000 ops, 1 key, 10 clients", 10000, 1, 10, 0.0, false},
      {"10000 ops, 1 key, 10 clients, 5% unknown", 10000, 1, 10, 0.05, false},
      {"10000 ops, 1 key, 10 clients, 20% unknown", 10000, 1, 10, 0.2, false},
      {"2000 ops, 1 key, 10 clients, one stale read", 2000, 1, 10, 0.0, true},
      {"1000 ops, 1 key, 10 clients, 5% unknown, one stale read", 1000, 1, 10, 0.05, true},
  };
  // Rounded as before: milliseconds to one decimal.
  auto ms1 = [](double x) { return raft::bench::rounded(x, 1); };
  json out = {{"trials", trials}, {"cases", json::array()}};
  for (std::size_t c = 0; c < cases.size(); ++c) {
    const bench_case& bc = cases[c];
    std::vector<double> ms;
    std::vector<std::uint64_t> steps, explain_steps;
    int expected = 0, unknown = 0;
    for (int t = 1; t <= trials; ++t) {
      generator_options o;
      o.operations = bc.operations;
      o.keys = bc.keys;
      o.clients = bc.clients;
      o.unknown = bc.unknown;
      o.seed = static_cast<std::uint64_t>(t);
      history h = generate_linearizable(o);
      if (bc.stale && !inject_stale_read(h, o.seed)) continue;
      const auto start = std::chrono::steady_clock::now();
      check_result r = check(h);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      steps.push_back(r.steps);
      explain_steps.push_back(r.explain_steps);
      expected += r.result == (bc.stale ? verdict::not_linearizable : verdict::linearizable);
      unknown += r.result == verdict::unknown;
      std::fprintf(stderr, "lincheck-bench: %s, seed %d: %s, %.1f ms\n", bc.name, t, to_string(r.result), ms.back());
    }
    if (ms.empty()) continue;
    out["cases"].push_back(
      {{"case", bc.name},
       {"runs", ms.size()},
       {"expected_verdict", expected},
       {"unknown", unknown},
       {"ms",
        spread(ms, [&](double x) { return ms1(x); })},
       {"steps",
        spread(steps, [](double x) { return static_cast<std::uint64_t>(x); })},
       {"explain_steps",
        spread(explain_steps, [](double x) { return static_cast<std::uint64_t>(x); })}});
  }
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

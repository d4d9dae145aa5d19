#pragma once
/// Percentiles of latency samples for kv-bench's JSON (nearest rank, as the other
/// benchmarks compute them).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace raft::bench {

/// Nearest-rank percentile `p` (0–100) of sorted `v`; 0 when empty.
template <class T>
double percentile(const std::vector<T>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto rank = static_cast<std::size_t>(
    std::max(1.0, std::ceil(p / 100.0 * static_cast<double>(sorted.size()))));
  return static_cast<double>(sorted[std::min(rank, sorted.size()) - 1]);
}

/// `x` rounded to `digits` decimals.
inline double rounded(double x, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(x * scale) / scale;
}

/// n, mean, p50, p90, p99, p99.9 and max of latencies given in microseconds, in
/// milliseconds (three decimals).
inline nlohmann::ordered_json latency_ms(std::vector<std::uint32_t> us) {
  std::sort(us.begin(), us.end());
  double sum = 0;
  for (auto x : us)
    sum += x;
  auto ms = [](double x) { return rounded(x / 1000.0, 3); };
  return {{"n", us.size()},
          {"mean_ms", ms(us.empty() ? 0.0 : sum / static_cast<double>(us.size()))},
          {"p50_ms", ms(percentile(us, 50))},
          {"p90_ms", ms(percentile(us, 90))},
          {"p99_ms", ms(percentile(us, 99))},
          {"p999_ms", ms(percentile(us, 99.9))},
          {"max_ms", ms(us.empty() ? 0.0 : us.back())}};
}

} // namespace raft::bench

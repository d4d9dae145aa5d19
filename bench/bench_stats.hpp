#pragma once
/// What the benchmarks share for reporting: nearest-rank percentiles, a latency summary in
/// microseconds or milliseconds for the JSON, medians over trials, and the process's CPU use
/// (the machine's load: bench/machine_load.hpp).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <sys/resource.h>

#include <nlohmann/json.hpp>

namespace raft::bench {

/// Keys in the order written.
using json = nlohmann::ordered_json;

/// Nearest-rank percentile `p` (0–100) of `sorted` (ascending); 0 when empty. The one
/// definition every benchmark reports with.
template <class T>
double percentile(const std::vector<T>& sorted, double p) {
  if (sorted.empty())
    return 0;
  const auto rank = static_cast<std::size_t>(
    std::max(1.0, std::ceil(p / 100.0 * static_cast<double>(sorted.size()))));
  return static_cast<double>(sorted[std::min(rank, sorted.size()) - 1]);
}

/// `x` rounded to `digits` decimals (what the JSON shows).
inline double rounded(double x, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(x * scale) / scale;
}

/// `x` to one decimal, as the results show microseconds.
inline double us1(double x) { return rounded(x, 1); }

/// The median of `v` (nearest rank); 0 when empty.
inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return percentile(v, 50);
}

/// Count, p50, p90, p99, p99.9 and max of latencies in microseconds.
inline json latency_summary(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  return {{"n", us.size()},
          {"p50_us", us1(percentile(us, 50))},
          {"p90_us", us1(percentile(us, 90))},
          {"p99_us", us1(percentile(us, 99))},
          {"p999_us", us1(percentile(us, 99.9))},
          {"max_us", us1(us.empty() ? 0 : us.back())}};
}

/// n, mean, p50, p90, p99, p99.9 and max of latencies given in microseconds, in
/// milliseconds (three decimals): kv-bench's and etcd-latency's form.
inline json latency_ms(std::vector<std::uint32_t> us) {
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

/// CPU time (user + system, all threads) and context switches (voluntary + involuntary) of
/// this process so far.
struct process_usage {
  double cpu_us = 0;
  double context_switches = 0;

  static process_usage now() {
    struct rusage ru {};
    ::getrusage(RUSAGE_SELF, &ru);
    auto us = [](const timeval& tv) {
      return static_cast<double>(tv.tv_sec) * 1e6 + static_cast<double>(tv.tv_usec);
    };
    return {us(ru.ru_utime) + us(ru.ru_stime),
            static_cast<double>(ru.ru_nvcsw) + static_cast<double>(ru.ru_nivcsw)};
  }
};

} // namespace raft::bench

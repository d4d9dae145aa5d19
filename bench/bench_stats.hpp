#pragma once
/// What the benchmarks share for reporting: nearest-rank percentiles, a latency summary in
/// microseconds for the JSON, medians over trials, and the machine's load average.

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <sys/resource.h>

#include <nlohmann/json.hpp>

namespace raft::bench {

/// Keys in the order written.
using json = nlohmann::ordered_json;

/// Nearest-rank percentile `p` (0–100) of `sorted` (ascending); 0 when empty.
inline double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty())
    return 0;
  const auto rank = static_cast<std::size_t>(
    std::max(1.0, std::ceil(p / 100.0 * static_cast<double>(sorted.size()))));
  return sorted[std::min(rank, sorted.size()) - 1];
}

/// `x` to one decimal, as the results show microseconds.
inline double us1(double x) { return std::round(x * 10) / 10; }

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

/// The 1-, 5- and 15-minute load averages, as /proc/loadavg shows them ("" if unreadable).
inline std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  if (!(in >> one >> five >> fifteen))
    return "";
  return one + " " + five + " " + fifteen;
}

} // namespace raft::bench

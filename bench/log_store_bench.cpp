/// log-store-bench: what durability costs on this disk, as JSON on stdout.
///
/// 1. fdatasync latency: append 100 bytes to a file and fdatasync it, many times; the time of
///    the fdatasync alone (the figure replication latency should be read against).
/// 2. disk_log_store append + sync: batches of 1, 16 and 64 entries of 100 bytes, each batch
///    appended and synced (one fdatasync per batch: group commit); latency per batch and
///    entries per second.
///
/// Usage: log-store-bench [--dir DIR] [--trials N] [--batches N]
/// DIR (default: a new directory under $TMPDIR or /var/tmp) must be on the disk to measure;
/// the benchmark creates a subdirectory there and removes it at the end.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "apps/cli.hpp"
#include "bench/fdatasync_probe.hpp"
#include "storage/disk_log_store.hpp"
#include "storage/posix_fs.hpp"

/// Keys in the order written, as before.
using json = nlohmann::ordered_json;

namespace {

using clock_type = std::chrono::steady_clock;

double micros(clock_type::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

/// Nearest-rank percentile of sorted `v`.
double percentile(const std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::max(1.0, std::ceil(p / 100.0 * static_cast<double>(v.size()))));
  return v[std::min(rank, v.size()) - 1];
}

/// Microseconds to one decimal, as the results have always shown them.
double us1(double x) { return std::round(x * 10) / 10; }

json summary(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {{"n", v.size()},
          {"p50_us", us1(percentile(v, 50))},
          {"p90_us", us1(percentile(v, 90))},
          {"p99_us", us1(percentile(v, 99))},
          {"max_us", us1(v.empty() ? 0 : v.back())}};
}

} // namespace

int main(int argc, char** argv) {
  std::string base;
  std::size_t trials = 2000;
  std::size_t batches = 1000;
  CLI::App app{"fdatasync latency and the log store's append + sync throughput, as JSON.",
               "log-store-bench"};
  app.option_defaults()->always_capture_default();
  app.add_option("--dir", base, "where to make the scratch directory (default: $TMPDIR or /var/tmp)");
  app.add_option("--trials", trials, "fdatasync samples")->check(CLI::Range(1, 10000000));
  app.add_option("--batches", batches, "appends per batch size")->check(CLI::Range(1, 10000000));
  if (auto status = raft::parse_command_line(app, argc, argv))
    return *status;
  if (base.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    base = tmp != nullptr ? tmp : "/var/tmp";
  }
  std::string dir = base + "/log-store-bench-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    std::perror(("log-store-bench: mkdtemp in " + base).c_str());
    return 1;
  }

  try {
    // 1. fdatasync latency after appending 100 bytes (20 warm-up trials first).
    const auto datasync_us = raft::bench::fdatasync_after_append(dir + "/datasync", trials);

    // 2. append + sync through the log store.
    json runs = json::array();
    auto files = std::make_shared<raft::posix_fs>();
    for (const std::size_t batch : {std::size_t{1}, std::size_t{16}, std::size_t{64}}) {
      const std::string data_dir = dir + "/store-" + std::to_string(batch);
      files->make_dir(data_dir);
      raft::disk_log_store::init(*files, data_dir);
      raft::disk_log_store store{files, data_dir, std::make_shared<raft::memory_store>()};
      store.load();
      store.save_hard_state(1, std::nullopt);
      std::vector<raft::log_entry> entries(batch, raft::log_entry{1, std::string(100, 'e')});
      std::vector<double> latency_us;
      raft::log_index next = 1;
      const auto begin = clock_type::now();
      for (std::size_t b = 0; b < batches; ++b) {
        const auto start = clock_type::now();
        store.append(next, entries);
        store.sync();
        latency_us.push_back(micros(clock_type::now() - start));
        next += batch;
      }
      const double seconds = std::chrono::duration<double>(clock_type::now() - begin).count();
      runs.push_back({{"batch", batch},
                      {"entry_bytes", 100},
                      {"batches", batches},
                      {"entries_per_second",
                       static_cast<long long>(static_cast<double>(batches * batch) / seconds)},
                      {"append_sync_latency", summary(latency_us)}});
    }

    struct statfs sfs {};
    ::statfs(dir.c_str(), &sfs);
    struct utsname un {};
    ::uname(&un);
    char fs_type[32];
    std::snprintf(fs_type, sizeof fs_type, "0x%lx", static_cast<unsigned long>(sfs.f_type));
    const json out = {{"dir", dir},
                      {"fs_magic", fs_type},
                      {"kernel", un.release},
                      {"fdatasync_after_100_byte_append", summary(datasync_us)},
                      {"log_store_append_sync", runs}};
    std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "log-store-bench: " << e.what() << "\n";
    std::filesystem::remove_all(dir);
    return 1;
  }
  std::filesystem::remove_all(dir);
  return 0;
}

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

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "apps/cli.hpp"
#include "bench/bench_stats.hpp"
#include "bench/fdatasync_probe.hpp"
#include "bench/machine_load.hpp"
#include "storage/disk_log_store.hpp"
#include "storage/posix_fs.hpp"

/// Keys in the order written, as before.
using json = nlohmann::ordered_json;

namespace {

using clock_type = std::chrono::steady_clock;

double micros(clock_type::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
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
                      {"append_sync_latency", raft::bench::latency_summary(latency_us)}});
    }

    const auto facts = raft::bench::disk_facts_of(dir);
    const json out = {{"dir", dir},
                      {"fs_magic", facts.fs_magic},
                      {"kernel", facts.kernel},
                      {"fdatasync_after_100_byte_append", raft::bench::latency_summary(datasync_us)},
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

#include "bench/fdatasync_probe.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

#include "storage/posix_io.hpp"

namespace raft::bench {

std::vector<double> fdatasync_after_append(const std::string& path, std::size_t samples,
                                           std::size_t warmup, std::size_t record_bytes) {
  using clock_type = std::chrono::steady_clock;
  std::vector<double> us;
  us.reserve(samples);
  {
    raft::unique_fd fd{::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
                              0644)};
    if (!fd)
      raft::throw_errno(path, "cannot create");
    const std::string record(record_bytes, 'x');
    for (std::size_t t = 0; t < warmup + samples; ++t) {
      raft::write_all(fd.get(), record, path);
      const auto start = clock_type::now();
      if (::fdatasync(fd.get()) != 0)
        raft::throw_errno(path, "cannot fdatasync");
      if (t >= warmup)
        us.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - start).count());
    }
  }
  ::unlink(path.c_str());
  return us;
}

std::vector<double> fdatasync_after_append_concurrent(const std::string& path_prefix,
                                                      std::size_t writers, std::size_t samples,
                                                      std::size_t warmup,
                                                      std::size_t record_bytes) {
  std::vector<std::vector<double>> each(writers);
  std::vector<std::string> errors(writers);
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < writers; ++w)
    threads.emplace_back([&, w] {
      try {
        each[w] = fdatasync_after_append(path_prefix + std::to_string(w), samples, warmup,
                                         record_bytes);
      } catch (const std::exception& e) {
        errors[w] = e.what();
      }
    });
  for (auto& t : threads)
    t.join();
  std::vector<double> all;
  for (std::size_t w = 0; w < writers; ++w) {
    if (!errors[w].empty())
      throw std::runtime_error(errors[w]);
    all.insert(all.end(), each[w].begin(), each[w].end());
  }
  return all;
}

} // namespace raft::bench

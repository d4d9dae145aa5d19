#pragma once
/// What the ports of the course's 2B–2D tests share (../shared/TESTER-2BCD.md): the course's
/// random values as commands, its `(x + k) % servers` on our peer ids, and collecting the
/// failures of the tests' own goroutines (client threads) for the test's thread to report.

#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "testing/test_cluster.hpp"

namespace raft::testing {

/// The course's `(x + k) % servers` for peer ids 1..servers (the course counts from 0).
inline peer_id plus(peer_id x, std::size_t k, std::size_t servers) {
  return static_cast<peer_id>((x - 1 + k) % servers + 1);
}

/// The course's random values, drawn from the cluster's seed so a run can be told apart by
/// it. Commands are strings: the decimal form of the course's ints.
class course_random {
public:
  explicit course_random(std::uint64_t seed) : rng_(seed ^ 0x5bd1e9955bd1e995ULL) {}

  /// Go's rand.Int(): a non-negative 63-bit int.
  std::int64_t int63() { return static_cast<std::int64_t>(next() >> 1); }
  /// Go's rand.Int31().
  std::int32_t int31() { return static_cast<std::int32_t>(next() >> 33); }
  /// rand.Int() % n.
  std::uint64_t below(std::uint64_t n) { return static_cast<std::uint64_t>(int63()) % n; }
  /// A command: std::to_string(rand.Int()).
  std::string command() { return std::to_string(int63()); }
  /// randstring(n): n characters of base64url-encoded random bytes.
  std::string randstring(std::size_t n);

private:
  std::uint64_t next() {
    std::lock_guard<std::mutex> guard{mtx_};
    return rng_();
  }
  std::mutex mtx_; ///< client threads draw too
  std::mt19937_64 rng_;
};

/// Start(command) on a live peer: its answer. Throws cluster_check_failed when it gives none
/// within a second (the course's Start() always returns at once).
test_cluster::start_result must_start(test_cluster& c, peer_id id, const std::string& command);

/// "peer 1: 12, peer 2: 10, peer 3: 11": the course's rpcCount(i) of every peer.
std::string rpc_counts(const test_cluster& c);

/// The integer a command stands for, if it is the decimal form of one (the course's
/// `cmd.(int)`).
std::optional<std::int64_t> as_int(const std::string& command);

/// The first failure of any of a test's own threads (Catch2's assertions belong to the test's
/// thread): threads record, the test's thread reports after joining them.
class thread_failures {
public:
  /// Runs `body`, recording what it throws.
  template <class F>
  void guard(F&& body) noexcept {
    try {
      body();
    } catch (const std::exception& e) {
      record(e.what());
    } catch (...) {
      record("unknown exception");
    }
  }
  void record(std::string what);
  /// The first failure recorded, if any.
  std::optional<std::string> first() const;
  bool any() const { return first().has_value(); }

private:
  mutable std::mutex mtx_;
  std::optional<std::string> first_;
};

/// A test's own threads, joined when it goes out of scope (also when the test fails before
/// joining them): declared after the cluster, they stop using it before it goes.
class joined_threads {
public:
  joined_threads() = default;
  joined_threads(const joined_threads&) = delete;
  joined_threads& operator=(const joined_threads&) = delete;
  ~joined_threads() { join(); }
  template <class F>
  void spawn(F&& body) {
    threads_.emplace_back(std::forward<F>(body));
  }
  void join() {
    for (auto& t : threads_)
      if (t.joinable())
        t.join();
    threads_.clear();
  }

private:
  std::vector<std::thread> threads_;
};

} // namespace raft::testing

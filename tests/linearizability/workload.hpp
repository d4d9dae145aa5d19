#pragma once
/// Concurrent clients of the replicated key-value store for linearizability tests: K
/// threads, each with its own kv_client (and so its own session) and its own lincheck client
/// id (1 … K), doing random put, get, delete and cas over a few keys, so that operations on
/// one key contend. Every call and its outcome go to one lincheck::recorder:
/// - done: the outcome the client was told;
/// - unknown (the request left and no answer came): recorded as unknown, so the checker
///   may place it anywhere after its call or leave it out;
/// - refused or unavailable: known not to have taken effect (kv_client_options: the store
///   refused it before or without executing it, or no member ever received it), so it is
///   settled with `not_done` and left out of the history. Recording it as unknown would be
///   sound too, but every open unknown write multiplies the orders the checker must try.
///
/// Values are unique per write (`c<client>.<n>`), which keeps the checker's search small and
/// makes a stale read name the write it saw.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "client/kv_client.hpp"
#include "lincheck/recorder.hpp"

namespace caf {
class actor_system;
}

namespace raft::linearizability {

struct workload_options {
  std::size_t clients = 4;
  std::size_t keys = 3;               ///< keys `k0` … `k<keys-1>`
  kv_client_options client{std::chrono::milliseconds{3000}, std::chrono::milliseconds{1000},
                           read_consistency::linearizable};
  std::uint64_t seed = 1;             ///< client c draws from seed + c
  // The mix, in percent: gets, puts, cas; the rest are deletes.
  unsigned get_percent = 40;
  unsigned put_percent = 25;
  unsigned cas_percent = 25;
};

/// What the clients did so far (any thread may read it at any time).
struct workload_counts {
  std::uint64_t done = 0;      ///< known outcomes
  std::uint64_t unknown = 0;   ///< unknown outcomes
  std::uint64_t not_done = 0;  ///< refused or unavailable: left out of the history
  std::vector<std::uint64_t> done_by_client; ///< known outcomes, client by client

  /// The fewest known outcomes any one client had.
  std::uint64_t fewest_done() const;
};

class workload {
public:
  /// Starts the client threads at once. `sys`, `rec` and the members must outlive this.
  workload(caf::actor_system& sys, std::vector<peer_address> members, workload_options opts,
           lincheck::recorder& rec);
  /// Stops (see stop).
  ~workload();
  workload(const workload&) = delete;
  workload& operator=(const workload&) = delete;

  /// Lets every client finish the operation it is in (at most the client timeout), then
  /// joins the threads. Idempotent.
  void stop();

  workload_counts counts() const;

private:
  struct per_client {
    std::atomic<std::uint64_t> done{0};
    std::atomic<std::uint64_t> unknown{0};
    std::atomic<std::uint64_t> not_done{0};
  };

  void run_client(std::size_t index);

  caf::actor_system& sys_;
  std::vector<peer_address> members_;
  workload_options opts_;
  lincheck::recorder& rec_;
  std::atomic<bool> stopping_{false};
  std::vector<std::unique_ptr<per_client>> stats_;
  std::vector<std::thread> threads_;
};

} // namespace raft::linearizability

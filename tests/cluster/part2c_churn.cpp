/// TestUnreliableAgree2C and internalChurn (part2c_scenarios.hpp): the 2C tests whose
/// clients run concurrently with the test.

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "course_harness.hpp"
#include "part2c_scenarios.hpp"

namespace raft::testing {

using namespace std::chrono_literals;

void unreliable_agreement(bool long_reordering) {
  const std::size_t servers = 5;
  auto opts = options_for(network_mode::unreliable, servers);
  opts.long_reordering = long_reordering;
  test_cluster c{opts};
  INFO("cluster seed " << c.seed());
  thread_failures failures;
  joined_threads clients;
  for (int iters = 1; iters < 50; ++iters) {
    for (int j = 0; j < 4; ++j)
      clients.spawn([&, iters, j] {
        failures.guard([&] { c.one(std::to_string(100 * iters + j), 1, true); });
      });
    c.one(std::to_string(iters), 1, true);
  }
  c.set_unreliable(false);
  clients.join();
  if (auto f = failures.first())
    FAIL(*f);
  c.one("100", servers, true);
  c.check_safety();
}

void churn(bool unreliable, bool long_reordering) {
  const std::size_t servers = 5;
  auto opts = options_for(unreliable ? network_mode::unreliable : network_mode::reliable, servers);
  opts.long_reordering = long_reordering;
  test_cluster c{opts};
  INFO("cluster seed " << c.seed());
  course_random rnd{c.seed()};
  std::atomic<bool> stop{false};
  thread_failures failures;
  const int ncli = 3;
  // What each client saw committed as its own value, and where.
  std::vector<std::vector<std::pair<log_index, std::string>>> values(ncli);
  joined_threads clients;
  for (int me = 0; me < ncli; ++me)
    clients.spawn([&, me] {
      failures.guard([&] {
        std::vector<std::pair<log_index, std::string>> mine;
        while (!stop) {
          auto x = rnd.command();
          std::optional<log_index> index;
          // Try them all, maybe one of them is a leader; a peer that crashes meanwhile
          // answers nothing.
          for (peer_id id = 1; id <= servers; ++id)
            if (c.alive(id))
              if (auto r = c.start(id, x); r && r->is_leader)
                index = r->index;
          if (index) {
            // Maybe the leader will commit our value, maybe not, but don't wait forever.
            for (int to : {10, 20, 50, 100, 200}) {
              auto [nd, cmd] = c.n_committed(*index);
              if (nd > 0) {
                if (!as_int(*cmd))
                  throw cluster_check_failed("wrong command type: " + *cmd + " at index " +
                                             std::to_string(*index));
                if (*cmd == x)
                  mine.emplace_back(*index, x);
                break;
              }
              std::this_thread::sleep_for(std::chrono::milliseconds(to));
            }
          } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(79 + me * 17));
          }
        }
        values[me] = std::move(mine);
      });
    });
  for (int iters = 0; iters < 20; ++iters) {
    if (rnd.below(1000) < 200) {
      auto i = static_cast<peer_id>(rnd.below(servers) + 1);
      c.disconnect(i);
    }
    if (rnd.below(1000) < 500) {
      auto i = static_cast<peer_id>(rnd.below(servers) + 1);
      if (!c.alive(i))
        c.start1(i);
      c.connect(i);
    }
    if (rnd.below(1000) < 200) {
      auto i = static_cast<peer_id>(rnd.below(servers) + 1);
      if (c.alive(i))
        c.crash1(i);
    }
    // The course's pace: crashes and restarts infrequent enough that the peers can still
    // make progress (RaftElectionTimeout * 7 / 10).
    std::this_thread::sleep_for(700ms);
  }
  std::this_thread::sleep_for(1s); // the course's RaftElectionTimeout
  c.set_unreliable(false);
  for (peer_id id = 1; id <= servers; ++id) {
    if (!c.alive(id))
      c.start1(id);
    c.connect(id);
  }
  stop = true;
  clients.join();
  if (auto f = failures.first())
    FAIL("client failed: " << *f);
  std::this_thread::sleep_for(1s); // the course's RaftElectionTimeout
  auto last_index = c.one(rnd.command(), servers, true);
  std::set<std::string> really;
  for (log_index index = 1; index <= last_index; ++index) {
    auto v = c.wait(index, servers, std::nullopt);
    if (!v || !as_int(*v))
      FAIL("not an int: " << v.value_or("nothing") << " at index " << index);
    really.insert(*v);
  }
  for (int me = 0; me < ncli; ++me)
    for (auto& [index, v1] : values[me])
      if (!really.count(v1))
        FAIL("didn't find a value: client " << me << " saw " << v1 << " committed at index "
                                            << index << ", but no index up to " << last_index
                                            << " holds it (" << c.describe_index(index) << ")");
  c.check_safety();
}

} // namespace raft::testing

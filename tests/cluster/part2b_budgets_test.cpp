/// The course's two Part 2B message budgets (../shared/TESTER-2BCD.md): RPC bytes and RPC
/// counts. They run on the reliable network only, as the course's do. A budget counts every
/// message sent or delivered, so on the unreliable network each lost request or reply must be
/// sent again, and with long reordering a leader whose replies come late resends what it
/// takes as lost: the numbers would measure the network, not the peers.

#include <catch2/catch.hpp>

#include <sstream>
#include <thread>
#include <vector>

#include "course_harness.hpp"
#include "network_mode.hpp"

using namespace raft;
using namespace raft::testing;
using namespace std::chrono_literals;

TEST_CASE("RPC byte count (2B)", "[cluster][2B][budget]") {
  const std::size_t servers = 3;
  test_cluster c{options_for(network_mode::reliable, servers)};
  INFO("cluster seed " << c.seed());
  course_random rnd{c.seed()};
  c.one("99", servers, false);
  auto bytes0 = c.total_bytes();
  const log_index iters = 10;
  std::uint64_t sent = 0;
  for (log_index index = 2; index < iters + 2; ++index) {
    auto cmd = rnd.randstring(5000);
    auto xindex = c.one(cmd, servers, false);
    if (xindex != index)
      FAIL("got index " << xindex << " but expected " << index << " for the command of "
                        << cmd.size() << " chars starting " << cmd.substr(0, 16) << " ("
                        << c.describe_index(xindex) << ")");
    sent += cmd.size();
  }
  auto bytes1 = c.total_bytes();
  auto got = bytes1 - bytes0;
  auto expected = servers * sent;
  // Each command may go to each peer about once.
  if (got > expected + 50000)
    FAIL("too many RPC bytes; got " << got << ", expected " << expected << " (limit "
                                    << expected + 50000 << ", for " << iters
                                    << " commands of 5000 chars at indices 2.." << iters + 1
                                    << ")");
  c.check_safety();
}

TEST_CASE("RPC counts aren't too high (2B)", "[cluster][2B][budget]") {
  const std::size_t servers = 3;
  test_cluster c{options_for(network_mode::reliable, servers)};
  INFO("cluster seed " << c.seed());
  course_random rnd{c.seed()};
  // The sum of the per-server incoming RPC counts (requests that reached each peer).
  auto rpcs = [&] {
    std::uint64_t n = 0;
    for (peer_id id = 1; id <= servers; ++id)
      n += c.rpc_count(id);
    return n;
  };
  auto leader = c.check_one_leader();
  auto total1 = rpcs();
  if (total1 > 30 || total1 < 1)
    FAIL("too many or few RPCs (" << total1 << ") to elect initial leader (leader " << leader
                                  << "; " << rpc_counts(c) << ")");
  std::uint64_t total2 = 0;
  bool success = false;
  std::ostringstream tries; // why each try was given up, for "term changed too often"
  const log_index iters = 10;
  // The course's own five tries: a term may change under the Start()s, and then the budget
  // cannot be expected to hold.
  for (int attempt = 0; attempt < 5 && !success; ++attempt) {
    if (attempt > 0)
      std::this_thread::sleep_for(3s); // the course's pause: give the peers time to settle
    leader = c.check_one_leader();
    total1 = rpcs();
    auto first = must_start(c, leader, "1");
    tries << "\n  try " << attempt + 1 << ": leader " << leader << " in term " << first.term;
    if (!first.is_leader) {
      tries << " refused Start(1)";
      continue; // leader moved on really quickly
    }
    auto starti = first.index;
    auto term = first.term;
    std::vector<std::string> cmds;
    bool moved_on = false;
    for (log_index i = 1; i < iters + 2 && !moved_on; ++i) {
      auto x = std::to_string(rnd.int31());
      cmds.push_back(x);
      auto r = must_start(c, leader, x);
      if (r.term != term || !r.is_leader) {
        tries << ", Start(" << x << ") answered term " << r.term
              << (r.is_leader ? "" : ", not leader");
        moved_on = true; // term changed while starting
        break;
      }
      if (starti + i != r.index)
        FAIL("Start() failed (leader " << leader << " put " << x << " at index " << r.index
                                       << ", expected " << starti + i << ")");
    }
    if (moved_on)
      continue;
    for (log_index i = 1; i < iters + 1 && !moved_on; ++i) {
      auto cmd = c.wait(starti + i, servers, term);
      if (!cmd) {
        tries << ", a peer moved on while index " << starti + i << " was awaited";
        moved_on = true; // term changed: try again
        break;
      }
      if (!as_int(*cmd) || *cmd != cmds[i - 1])
        FAIL("wrong value " << *cmd << " committed for index " << starti + i << "; expected "
                            << cmds[i - 1] << " (" << c.describe_index(starti + i) << ")");
    }
    if (moved_on)
      continue;
    bool failed = false;
    total2 = 0;
    for (peer_id id = 1; id <= servers; ++id) {
      auto st = c.get_state(id);
      if (!st)
        FAIL("peer " << id << " did not answer GetState()");
      // Term changed: can't expect low RPC counts; keep going to update total2.
      if (st->term != term)
        tries << ", peer " << id << " moved on to term " << st->term;
      failed = failed || st->term != term;
      total2 += c.rpc_count(id);
    }
    if (failed)
      continue;
    if (total2 - total1 > (iters + 1 + 3) * 3)
      FAIL("too many RPCs (" << total2 - total1 << ") for " << iters << " entries (indices "
                             << starti + 1 << ".." << starti + iters + 1 << ", leader " << leader
                             << ", term " << term << "; " << rpc_counts(c) << ")");
    success = true;
  }
  if (!success)
    FAIL("term changed too often" << tries.str());
  std::this_thread::sleep_for(1s); // the course's RaftElectionTimeout of idleness
  auto total3 = rpcs();
  if (total3 - total2 > 3 * 20)
    FAIL("too many RPCs (" << total3 - total2 << ") for 1 second of idleness (leader " << leader
                           << "; " << rpc_counts(c) << ")");
  c.check_safety();
}

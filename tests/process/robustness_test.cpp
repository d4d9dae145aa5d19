/// Hostile input on a node's port, and raftctl with nodes down or frozen.

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>
#include <thread>

#include "testing/node_harness.hpp"

using namespace raft::process;

namespace {

void send_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    auto n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0)
      return; // the node may close the connection as soon as it sees garbage
    done += static_cast<std::size_t>(n);
  }
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng{seed};
  std::string out(n, '\0');
  for (auto& c : out)
    c = static_cast<char>(rng() & 0xff);
  return out;
}

} // namespace

TEST_CASE("garbage bytes, an HTTP request, and a half-open connection on a node's port do not "
          "crash it") {
  cluster_dir c{3};
  c.start_all();
  auto leader = c.wait_for_leader(10s);
  REQUIRE(leader);
  auto before = c.status();
  REQUIRE(before.run.exit_code == 0);
  auto term = before.peers.front().term;
  auto since = wall_now_us();

  std::vector<int> open_fds;
  for (auto id : c.ids()) {
    // A connection that never sends anything, held open through the checks below.
    int idle = connect_loopback(c.port(id));
    REQUIRE(idle >= 0);
    open_fds.push_back(idle);
    // Random bytes, several times (different seeds), and all-ones (huge length fields).
    for (unsigned seed = 1; seed <= 3; ++seed) {
      int fd = connect_loopback(c.port(id));
      REQUIRE(fd >= 0);
      send_all(fd, random_bytes(4096, seed * 7919u + static_cast<unsigned>(id)));
      ::close(fd);
    }
    int ones = connect_loopback(c.port(id));
    REQUIRE(ones >= 0);
    send_all(ones, std::string(256, '\xff'));
    open_fds.push_back(ones); // left open after its garbage
    // An HTTP request.
    int http = connect_loopback(c.port(id));
    REQUIRE(http >= 0);
    send_all(http, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    ::close(http);
  }

  for (int round = 0; round < 4; ++round) {
    auto s = c.status();
    INFO("round " << round << "\n" << s.run.out << c.logs());
    CHECK(s.run.exit_code == 0);
    CHECK(s.reachable() == 3);
    CHECK(s.leaders() == std::vector<std::uint64_t>{*leader});
    for (auto& p : s.peers)
      CHECK(p.term == term);
    for (auto id : c.ids()) {
      CHECK(c.node(id).running());
      CHECK_FALSE(c.node(id).wait_exit(0ms));
    }
    std::this_thread::sleep_for(200ms);
  }
  for (int fd : open_fds)
    ::close(fd);
  // No node changed its role after the garbage arrived, and none reported an error.
  for (auto id : c.ids())
    for (auto& ev : c.node(id).events())
      if (ev.ts_us > since) {
        INFO(ev.raw);
        CHECK(ev.name != "role");
        CHECK(ev.name != "error");
      }
}

TEST_CASE("raftctl status answers within two seconds when some nodes are down, and exits 1 "
          "without a majority") {
  cluster_dir c{5};
  c.start_all();
  auto leader = c.wait_for_leader(10s);
  REQUIRE(leader);
  std::vector<std::uint64_t> followers;
  for (auto id : c.ids())
    if (id != *leader)
      followers.push_back(id);

  auto check_timely = [&](const status_result& s, std::size_t reachable, int exit_code) {
    INFO(s.run.out << s.run.err);
    CHECK(s.run.took < 2000ms);
    CHECK(s.run.exit_code == exit_code);
    CHECK(s.parsed);
    CHECK(s.peers.size() == 5);
    CHECK(s.reachable() == reachable);
    for (auto& p : s.peers)
      if (!p.reachable)
        CHECK((!p.term && !p.role && !p.leader));
  };

  c.node(followers[0]).kill_now();
  check_timely(c.status(), 4, 0);
  c.node(followers[1]).signal(SIGSTOP); // accepts TCP connections but never answers
  check_timely(c.status(), 3, 0);
  c.node(followers[2]).kill_now();
  auto s = c.status();
  check_timely(s, 2, 1);
  WARN("raftctl without a majority answered in " << s.run.took.count() << " ms");
  c.node(*leader).signal(SIGSTOP);
  check_timely(c.status(), 1, 1);
  c.node(*leader).signal(SIGCONT);
  c.node(followers[1]).signal(SIGCONT);
}

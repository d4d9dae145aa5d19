/// Checks of the test network itself, so that a hosts test failure is never a harness bug:
/// what it adds to the root namespace (nothing), that it is removed in every case, and that
/// its faults do what they claim (packets vanish; one direction only).

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "availability.hpp"
#include "bridge_network.hpp"
#include "netns_socket.hpp"
#include "testing/node_harness.hpp"
#include "system_command.hpp"

using namespace raft::hosts;
using raft::testing::eventually;
using namespace std::chrono_literals;

namespace {

/// The first word after "N: " of every line of `ip -o link show` / the device and address
/// of every line of `ip -o addr show`, run in the root namespace.
std::set<std::string> root_lines(const std::vector<std::string>& what, std::size_t fields) {
  std::vector<std::string> argv{require_tool("ip"), "-o"};
  argv.insert(argv.end(), what.begin(), what.end());
  std::istringstream lines{run_checked(argv)};
  std::set<std::string> out;
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words{line};
    std::string w, key;
    for (std::size_t i = 0; i < fields && words >> w; ++i)
      key += w + " ";
    out.insert(key);
  }
  return out;
}

std::set<std::string> root_links() {
  return root_lines({"link", "show"}, 2); // "4: eth0:"
}

std::set<std::string> root_addresses() {
  return root_lines({"addr", "show"}, 4); // "4: eth0 inet 10.0.0.5/24"
}

std::string root_routes() {
  return run_checked({require_tool("ip"), "route", "show", "table", "all"});
}

std::vector<std::string> ours() {
  std::vector<std::string> out;
  for (auto& n : test_namespaces())
    if (n.rfind(run_prefix(), 0) == 0)
      out.push_back(n);
  return out;
}

bool exists(const std::string& name) {
  auto all = test_namespaces();
  return std::find(all.begin(), all.end(), name) != all.end();
}

/// A namespace made by hand (as a leftover would be), deleted at the end of the test if it
/// is still there, whatever happened.
struct hand_made {
  std::string name;
  explicit hand_made(std::string n) : name(std::move(n)) {
    run_checked({require_tool("ip"), "netns", "add", name});
  }
  hand_made(const hand_made&) = delete;
  hand_made& operator=(const hand_made&) = delete;
  ~hand_made() {
    try {
      if (exists(name))
        remove_namespace(name);
    } catch (const std::exception&) {
    }
  }
};

/// `sleep 60` started inside namespace `ns` (its output to /dev/null, so no test runner
/// waits for it); killed and reaped at the end of the test if it still runs.
struct child_in {
  pid_t pid = -1;
  bool reaped = false;
  explicit child_in(const std::string& ns) {
    auto ip = require_tool("ip");
    auto sleep_path = require_tool("sleep");
    pid = ::fork();
    if (pid < 0)
      throw std::runtime_error("fork failed");
    if (pid == 0) {
      int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execl(ip.c_str(), ip.c_str(), "netns", "exec", ns.c_str(), sleep_path.c_str(), "60",
              static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  child_in(const child_in&) = delete;
  child_in& operator=(const child_in&) = delete;
  /// Its wait status once it has ended, nullopt when it still runs after `limit`.
  std::optional<int> wait(std::chrono::milliseconds limit) {
    int st = 0;
    if (!eventually([&] { return ::waitpid(pid, &st, WNOHANG) == pid; }, limit))
      return std::nullopt;
    reaped = true;
    return st;
  }
  ~child_in() {
    if (reaped)
      return;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
};

constexpr std::uint16_t probe_port = 9000;

/// Whether a datagram from host `from` reaches host `to` (each given a bound socket).
bool reaches(const socket_fd& from, unsigned to, const socket_fd& on, const std::string& text,
             std::chrono::milliseconds limit = 300ms) {
  send_datagram(from, bridge_network::address(to), probe_port, text);
  return receive_datagram(on, text, limit);
}

} // namespace

TEST_CASE("the test network adds no interface, address or route to the root namespace and "
          "removes its namespaces when it goes",
          "[hosts][harness]") {
  require_netns();
  auto links = root_links();
  auto addresses = root_addresses();
  auto routes = root_routes();
  std::vector<std::string> made;
  {
    bridge_network net;
    net.add_host(1);
    net.add_host(2);
    made = ours();
    CHECK(made.size() == 3); // the bridge's and two hosts'
    CHECK(root_links() == links);
    CHECK(root_addresses() == addresses);
    CHECK(root_routes() == routes);
    CHECK(root_routes().find("10.199.") == std::string::npos);
    for (auto& a : root_addresses())
      CHECK(a.find("10.199.") == std::string::npos);
    auto inside = run_checked({require_tool("ip"), "-n", net.host(2).name(), "-o", "addr",
                               "show", "dev", "eth0"});
    CHECK(inside.find("inet 10.199.0.2/24") != std::string::npos);
  }
  for (auto& n : made)
    CHECK_FALSE(exists(n));
  CHECK(root_links() == links);
}

TEST_CASE("the test network's namespaces are removed when a test throws half-way, and a "
          "failing command says which and why",
          "[hosts][harness]") {
  require_netns();
  std::vector<std::string> made;
  auto build_and_fail = [&] {
    bridge_network net;
    net.add_host(1);
    made = ours();
    net.host(1).ip({"link", "set", "no-such-device", "up"});
  };
  CHECK_THROWS_WITH(build_and_fail(), Catch::Contains("link set no-such-device up` exited "
                                                      "with status 1") &&
                                        Catch::Contains("no-such-device"));
  CHECK(made.size() == 2);
  for (auto& n : made)
    CHECK_FALSE(exists(n));
}

TEST_CASE("a new test network removes the leftovers of this process and of dead test "
          "processes, with the processes inside them, and leaves live ones alone",
          "[hosts][harness]") {
  require_netns();
  auto ip = require_tool("ip");
  // A leftover of this process: a namespace no live object owns, with a process inside.
  hand_made leaked{run_prefix() + "leak"};
  child_in inside{leaked.name};
  REQUIRE(eventually(
    [&] {
      return run_checked({ip, "netns", "pids", leaked.name}).find(std::to_string(inside.pid)) !=
             std::string::npos;
    },
    5s));
  // A leftover of a test process that is gone: a child that has exited and was reaped.
  pid_t gone = ::fork();
  REQUIRE(gone >= 0);
  if (gone == 0)
    _exit(0);
  ::waitpid(gone, nullptr, 0);
  hand_made dead{"rafth-" + std::to_string(gone) + "-1br"};
  // A namespace of a live test process (pid 1 is always alive) must survive.
  hand_made live{"rafth-1-" + std::to_string(::getpid()) + "live"};

  {
    bridge_network net;
    CHECK_FALSE(exists(leaked.name));
    CHECK_FALSE(exists(dead.name));
    CHECK(exists(live.name));
  }
  auto st = inside.wait(5s);
  REQUIRE(st);
  CHECK(WIFSIGNALED(*st));
  CHECK(WTERMSIG(*st) == SIGKILL);
}

TEST_CASE("a host whose bridge port is down neither sends nor receives, with no reset or "
          "unreachable reply, until the port is up again",
          "[hosts][harness]") {
  require_netns();
  bridge_network net;
  net.add_host(1);
  net.add_host(2);
  auto s1 = bound_socket(net.host(1), SOCK_DGRAM, bridge_network::address(1), probe_port);
  auto s2 = bound_socket(net.host(2), SOCK_DGRAM, bridge_network::address(2), probe_port);
  auto listener = bound_socket(net.host(2), SOCK_STREAM, bridge_network::address(2), 7101);
  CHECK(eventually([&] { return reaches(s1, 2, s2, "1 to 2"); }, 5s));
  CHECK(reaches(s2, 1, s1, "2 to 1"));
  CHECK(tcp_connect_from(net.host(1), bridge_network::address(2), 7101, 1s) ==
        connect_outcome::connected);

  net.port_down(2);
  CHECK_FALSE(reaches(s1, 2, s2, "1 to 2, port down"));
  CHECK_FALSE(reaches(s2, 1, s1, "2 to 1, port down"));
  auto outcome = tcp_connect_from(net.host(1), bridge_network::address(2), 7101, 1s);
  INFO("TCP connect to the host behind the port that is down: " << to_string(outcome));
  CHECK(outcome == connect_outcome::timed_out);

  // The host's own link comes back when the kernel handles the carrier change (linkwatch
  // may take up to a second): until then it cannot send.
  net.port_up(2);
  CHECK(eventually([&] { return reaches(s1, 2, s2, "1 to 2, back"); }, 5s));
  CHECK(eventually([&] { return reaches(s2, 1, s1, "2 to 1, back"); }, 5s));
}

TEST_CASE("a one-way drop loses the packets from one host to another and no others",
          "[hosts][harness]") {
  require_netns_and_nft();
  bridge_network net;
  for (unsigned h : {1u, 2u, 3u})
    net.add_host(h);
  auto s1 = bound_socket(net.host(1), SOCK_DGRAM, bridge_network::address(1), probe_port);
  auto s2 = bound_socket(net.host(2), SOCK_DGRAM, bridge_network::address(2), probe_port);
  auto s3 = bound_socket(net.host(3), SOCK_DGRAM, bridge_network::address(3), probe_port);
  CHECK(eventually([&] { return reaches(s1, 2, s2, "1 to 2"); }, 5s));
  CHECK(net.dropped_packets() == 0);

  net.drop(1, 2);
  CHECK_FALSE(reaches(s1, 2, s2, "1 to 2, dropped"));
  CHECK(reaches(s2, 1, s1, "2 to 1"));
  CHECK(reaches(s1, 3, s3, "1 to 3"));
  CHECK(reaches(s3, 2, s2, "3 to 2"));
  CHECK(net.dropped_packets() >= 1);

  net.undrop(1, 2);
  CHECK(reaches(s1, 2, s2, "1 to 2, restored"));
  net.drop(2, 3);
  net.heal();
  CHECK(reaches(s2, 3, s3, "2 to 3, healed"));
}

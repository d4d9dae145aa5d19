/// raft-node's refusals and its shutdown: config errors, corrupt state files, a data
/// directory in use, and SIGTERM while peers are refused or black-holed.

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <regex>
#include <sstream>
#include <thread>

#include "testing/node_harness.hpp"

using namespace raft::process;

namespace {

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

/// Lines of the standard two-peer config used by the config error cases: the offending
/// item's line and column are known.
std::string base_config(const std::string& data_dir) {
  return "[node]\n"                   // 1
         "id = 1\n"                   // 2
         "data_dir = \"" + data_dir + "\"\n" // 3
         "\n"                         // 4
         "[[peer]]\n"                 // 5
         "id = 1\n"                   // 6
         "host = \"127.0.0.1\"\n"     // 7
         "port = 7101\n"              // 8
         "\n"                         // 9
         "[[peer]]\n"                 // 10
         "id = 2\n"                   // 11
         "host = \"127.0.0.1\"\n"     // 12
         "port = 7102\n";             // 13
}

struct bad_config {
  const char* what;
  std::string text;
  std::string position; // "LINE:COL" of the first error
  std::string message;  // part of the first error's message
};

/// A socket the test holds on 127.0.0.1:port: bound only (connects are refused) or
/// listening with a full accept queue (connects hang: a black hole on loopback).
class held_socket {
public:
  held_socket(std::uint16_t port, bool black_hole) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    if (black_hole) {
      REQUIRE(::listen(fd_, 0) == 0);
      // The accept queue holds backlog + 1 connections: fill it, so that every further SYN
      // is dropped and a connect hangs as if the host did not exist.
      filler_ = connect_loopback(port);
      REQUIRE(filler_ >= 0);
    }
  }
  held_socket(const held_socket&) = delete;
  held_socket& operator=(const held_socket&) = delete;
  ~held_socket() {
    if (filler_ >= 0)
      ::close(filler_);
    ::close(fd_);
  }

private:
  int fd_ = -1;
  int filler_ = -1;
};

} // namespace

TEST_CASE("every config error class gives exit status 2 and a FILE:LINE:COL message") {
  cluster_dir d{1};
  auto base = base_config(d.path("data"));
  std::vector<bad_config> cases = {
    {"syntax error", replace(base, "[[peer]]\nid = 2", "[[peer\nid = 2"), "10:7",
     "expected ']'"},
    {"missing field", replace(base, "port = 7102\n", ""), "10:1",
     "missing required key 'peer.port'"},
    {"ill-typed field", replace(base, "port = 7101", "port = \"7101\""), "8:8",
     "peer.port must be an integer, not a string"},
    {"unknown key", base + "\n[timing]\nhearbeat_ms = 100\n", "16:1",
     "unknown key 'hearbeat_ms' in [timing]"},
    {"duplicate id", replace(base, "id = 2", "id = 1"), "11:6", "duplicate peer id 1"},
    {"duplicate host:port", replace(base, "port = 7102", "port = 7101"), "12:8",
     "duplicate address 127.0.0.1:7101"},
    {"node id not a peer", replace(base, "[node]\nid = 1", "[node]\nid = 4"), "2:6",
     "node.id 4 is not among the [[peer]] ids"},
    {"port out of range", replace(base, "port = 7102", "port = 65536"), "13:8",
     "peer.port must be between 1 and 65535, got 65536"},
    {"port zero", replace(base, "port = 7102", "port = 0"), "13:8",
     "peer.port must be between 1 and 65535, got 0"},
    {"bad timing",
     base + "\n[timing]\nheartbeat_ms = 200\nelection_timeout_min_ms = 300\n"
            "election_timeout_max_ms = 600\n",
     "15:1", "minimum election timeout must be at least twice the heartbeat interval"},
    {"bad timing order",
     base + "\n[timing]\nelection_timeout_min_ms = 700\nelection_timeout_max_ms = 600\n",
     "15:1", "[timing]"},
  };
  for (auto& c : cases) {
    DYNAMIC_SECTION(c.what) {
      auto file = d.path("bad.toml");
      write_file(file, c.text);
      auto r = run_program({raft_node_path(), "--config", file}, 5s);
      INFO("stderr: " << r.err);
      INFO("stdout: " << r.out);
      CHECK(r.exit_code == 2);
      CHECK(r.out.empty()); // no event: the node never started
      std::istringstream lines{r.err};
      std::string first, line;
      std::getline(lines, first);
      CHECK(first.rfind(file + ":" + c.position + ": ", 0) == 0);
      CHECK(first.find(c.message) != std::string::npos);
      std::istringstream all{r.err};
      std::regex shape{"^" + std::regex_replace(file, std::regex{R"([.^$|()\[\]{}*+?\\])"},
                                                R"(\$&)") +
                       R"(:[0-9]+:[0-9]+: .+$)"};
      while (std::getline(all, line))
        CHECK(std::regex_match(line, shape));
      CHECK_FALSE(read_file(d.path("data") + "/state")); // nothing was created
    }
  }
}

TEST_CASE("usage errors give exit status 2 and a message on stderr") {
  cluster_dir d{1};
  for (auto& args : std::vector<std::vector<std::string>>{
         {raft_node_path()},
         {raft_node_path(), "--config"},
         {raft_node_path(), "--config", d.config(1), "--log-format", "xml"},
         {raft_node_path(), "--bogus"},
         {raft_node_path(), "--config", d.path("missing.toml")},
         {raftctl_path()},
         {raftctl_path(), "status"},
         {raftctl_path(), "status", "--config", d.path("missing.toml")},
       }) {
    auto r = run_program(args, 5s);
    INFO(args.size() << " args; stderr: " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_FALSE(r.err.empty());
    CHECK(r.out.empty());
  }
}

TEST_CASE("a corrupt state file stops the node with exit status 2 and a clear message, and "
          "the file is left untouched") {
  cluster_dir d{3};
  struct corruption {
    const char* what;
    std::string content;
    std::string message;
  };
  std::vector<corruption> cases = {
    {"empty file", "", "state:1: empty file"},
    {"truncated last line", "raft-state v1\nterm 8", "does not end with a newline"},
    {"unknown version", "raft-state v2\nterm 8\nvote 2\ncrc32 00000000\n",
     "unsupported format version"},
    {"checksum mismatch", "raft-state v1\nterm 9\nvote 2\ncrc32 1a2b3c4d\n",
     "state:4: checksum mismatch"},
    {"garbage", std::string("\x7f" "ELF\x01\x02\x00\xff garbage\n", 16), "state:"},
  };
  for (auto& c : cases) {
    DYNAMIC_SECTION(c.what) {
      auto dir = d.data_dir(1); // initialised by cluster_dir
      auto state = dir + "/state";
      write_file(state, c.content);
      struct stat before{};
      REQUIRE(::stat(state.c_str(), &before) == 0);
      auto r = run_program({raft_node_path(), "--config", d.config(1)}, 5s);
      INFO("stderr: " << r.err);
      CHECK(r.exit_code == 2);
      CHECK(r.err.find(state) != std::string::npos);
      CHECK(r.err.find(c.message) != std::string::npos);
      CHECK(r.out.find("\"listening\"") == std::string::npos);
      CHECK(read_file(state) == std::optional<std::string>{c.content});
      struct stat after{};
      REQUIRE(::stat(state.c_str(), &after) == 0);
      CHECK(after.st_ino == before.st_ino);
      CHECK(after.st_mtim.tv_sec == before.st_mtim.tv_sec);
      CHECK(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
    }
  }
  SECTION("state is a directory") {
    auto dir = d.data_dir(1);
    REQUIRE(::unlink((dir + "/state").c_str()) == 0); // the file --init wrote
    REQUIRE(::mkdir((dir + "/state").c_str(), 0755) == 0);
    auto r = run_program({raft_node_path(), "--config", d.config(1)}, 5s);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(dir + "/state") != std::string::npos);
  }
}

TEST_CASE("a second raft-node with the same data_dir is refused with exit status 2") {
  cluster_dir c{2};
  c.node(1).start();
  REQUIRE(c.node(1).wait_event([](const event& ev) { return ev.name == "listening"; }, 5s));
  // The same config, and another node's config pointing at node 1's data directory.
  auto other = c.path("node2-same-dir.toml");
  write_file(other, c.config_text(2, c.data_dir(1)));
  for (auto& config : {c.config(1), other}) {
    auto r = run_program({raft_node_path(), "--config", config}, 5s);
    INFO(config << " stderr: " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(c.data_dir(1)) != std::string::npos);
    CHECK(r.out.find("\"listening\"") == std::string::npos);
  }
  // The first node was not disturbed.
  CHECK(c.node(1).running());
  CHECK_FALSE(c.node(1).wait_exit(0ms));
  c.node(1).signal(SIGTERM);
  CHECK(c.node(1).wait_exit(2s) == std::optional<int>{0});
}

TEST_CASE("raft-node exits 0 within two seconds of SIGTERM, also while one configured peer "
          "is a black hole") {
  SECTION("a leader of a healthy cluster") {
    cluster_dir c{3};
    c.start_all();
    auto leader = c.wait_for_leader(10s);
    REQUIRE(leader);
    for (auto id : {*leader, *leader % 3 + 1}) {
      auto t0 = clock::now();
      c.node(id).signal(SIGTERM);
      auto st = c.node(id).wait_exit(2s);
      INFO(c.logs());
      CHECK(st == std::optional<int>{0});
      CHECK(clock::now() - t0 < 2s);
      auto evs = c.node(id).events_of_this_run();
      // Link events may come between the two (connections close during shutdown).
      CHECK(std::any_of(evs.begin(), evs.end(),
                        [](const event& ev) { return ev.name == "stopping"; }));
      REQUIRE_FALSE(evs.empty());
      CHECK(evs.back().name == "stopped");
      CHECK(evs.back().num("status") == std::optional<std::uint64_t>{0});
    }
  }
  SECTION("a node whose peers are refused and black-holed") {
    cluster_dir c{3};
    held_socket refused{c.port(2), false};
    held_socket hole{c.port(3), true};
    int round = 0;
    for (auto delay : {0ms, 150ms, 400ms, 1200ms, 2500ms}) {
      ++round;
      c.node(1).start();
      REQUIRE(c.node(1).wait_event([](const event& ev) { return ev.name == "listening"; }, 5s));
      std::this_thread::sleep_for(delay); // vary the phase of the links' probes
      auto sig = round % 2 == 0 ? SIGINT : SIGTERM;
      auto t0 = clock::now();
      c.node(1).signal(sig);
      auto st = c.node(1).wait_exit(2s);
      auto took = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t0);
      INFO("round " << round << " after " << delay.count() << " ms, exit in " << took.count()
                    << " ms\n"
                    << c.logs());
      CHECK(st == std::optional<int>{0});
      if (!st)
        c.node(1).kill_now();
      auto evs = c.node(1).events_of_this_run();
      REQUIRE_FALSE(evs.empty());
      CHECK(evs.back().name == "stopped");
      CHECK(evs.back().num("status") == std::optional<std::uint64_t>{0});
    }
  }
}

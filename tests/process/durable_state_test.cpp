/// Durable state is never created by a normal start: `raft-node --init` makes a new node, a
/// start without a state refuses, `--init` never overwrites, and a state file beyond the term
/// ceiling is refused like a corrupt one.

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "testing/node_harness.hpp"
#include "storage/state_file.hpp"

using namespace raft::process;
namespace fs = std::filesystem;

namespace {

/// The lines of `text` (a last line without '\n' counts).
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line))
    out.push_back(line);
  return out;
}

/// The names in `dir`, sorted.
std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

/// Content, inode and modification time: a file left untouched keeps all three.
struct file_snapshot {
  std::optional<std::string> bytes;
  ino_t inode = 0;
  timespec mtime{};
  explicit file_snapshot(const std::string& path) : bytes(read_file(path)) {
    struct stat st{};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    inode = st.st_ino;
    mtime = st.st_mtim;
  }
  bool operator==(const file_snapshot& o) const {
    return bytes == o.bytes && inode == o.inode && mtime.tv_sec == o.mtime.tv_sec &&
           mtime.tv_nsec == o.mtime.tv_nsec;
  }
};

} // namespace

TEST_CASE("a node without --init refuses to start") {
  cluster_dir d{1};
  SECTION("its data directory is missing") {
    fs::remove_all(d.data_dir(1));
    auto r = run_program({raft_node_path(), "--config", d.config(1)}, 5s);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 2);
    auto lines = lines_of(r.err);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].rfind(d.data_dir(1) + ": data directory does not exist; ", 0) == 0);
    CHECK(lines[0].find("run 'raft-node --config " + d.config(1) + " --init'") !=
          std::string::npos);
    CHECK(r.out.empty()); // no event: the node never started
    CHECK_FALSE(fs::exists(d.data_dir(1)));
  }
  SECTION("its data directory has no state file (an empty mount point)") {
    fs::remove_all(d.data_dir(1));
    fs::create_directory(d.data_dir(1));
    auto r = run_program({raft_node_path(), "--config", d.config(1)}, 5s);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 2);
    auto lines = lines_of(r.err);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].rfind(d.data_dir(1) + "/state: no state file; ", 0) == 0);
    CHECK(lines[0].find("--init") != std::string::npos);
    CHECK(r.out.empty());
    CHECK(entries(d.data_dir(1)).empty()); // nothing created, not even the lock file
  }
}

TEST_CASE("raft-node --init creates a term-0 state that a start then reports") {
  cluster_dir d{3};
  // A data directory whose parents do not exist yet either.
  auto data = d.path("volumes/node1/data");
  auto config = d.path("node1-fresh.toml");
  write_file(config, d.config_text(1, data));
  auto r = run_program({raft_node_path(), "--config", config, "--init"}, 5s);
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find(data + "/state") != std::string::npos);
  CHECK(lines[0].find("term 0") != std::string::npos);
  CHECK(read_file(data + "/state") == std::optional<std::string>{raft::encode_state(0, {})});

  node_process node{1, config, d.path("node1-fresh.log"), d.path("node1-fresh.err")};
  node.start();
  auto started = node.wait_event([](const event& ev) { return ev.name == "started"; }, 5s);
  REQUIRE(started);
  CHECK(started->num("term") == std::optional<std::uint64_t>{0});
  CHECK(started->fields.count("voted_for") == 1);
  CHECK_FALSE(started->str("voted_for"));
  CHECK(node.wait_event([](const event& ev) { return ev.name == "listening"; }, 5s));
  node.signal(SIGTERM);
  CHECK(node.wait_exit(2s) == std::optional<int>{0});
}

TEST_CASE("raft-node --init refuses to overwrite an existing state file") {
  cluster_dir c{3};
  c.start_all();
  auto leader = c.wait_for_leader(10s);
  REQUIRE(leader);
  SECTION("while the node runs") {
    auto r = c.init(*leader);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 2);
    auto lines = lines_of(r.err);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find(c.data_dir(*leader)) != std::string::npos);
    CHECK(r.out.empty());
    CHECK(c.node(*leader).running());
    CHECK_FALSE(c.node(*leader).wait_exit(0ms));
  }
  SECTION("after the node stopped, with a term and vote stored") {
    for (auto id : c.ids()) {
      c.node(id).signal(SIGTERM);
      REQUIRE(c.node(id).wait_exit(2s) == std::optional<int>{0});
    }
    auto state = c.data_dir(*leader) + "/state";
    auto stored = read_state_file(c.data_dir(*leader));
    REQUIRE(stored);
    REQUIRE(stored->term >= 1);
    REQUIRE(stored->vote);
    file_snapshot before{state};
    auto r = c.init(*leader);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 2);
    auto lines = lines_of(r.err);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == state + ": a state file already exists (left untouched); --init is only "
                              "for a new node");
    CHECK(r.out.empty());
    CHECK(file_snapshot{state} == before);
    CHECK_FALSE(fs::exists(state + ".tmp"));
    // And the node starts from what it stored.
    c.node(*leader).start();
    auto started =
      c.node(*leader).wait_event([](const event& ev) { return ev.name == "started"; }, 5s);
    REQUIRE(started);
    CHECK(started->num("term") == std::optional<std::uint64_t>{stored->term});
    CHECK(started->num("voted_for") == stored->vote);
  }
}

TEST_CASE("raft-node --init with --fault-file is a usage error") {
  cluster_dir d{1};
  auto r = run_program(
    {raft_node_path(), "--config", d.config(1), "--init", "--fault-file", d.fault_file(1)}, 5s);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--init") != std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE("a state file holding a term at or above 2^63 stops the node with exit status 2, "
          "naming the file and the term, and is left untouched") {
  cluster_dir d{3};
  auto state = d.data_dir(1) + "/state";
  for (raft::term_t term : {raft::max_term, raft::term_t{18446744073709551615u}}) {
    DYNAMIC_SECTION("term " << term) {
      write_file(state, raft::encode_state(term, 2)); // intact: its checksum matches
      file_snapshot before{state};
      auto r = run_program({raft_node_path(), "--config", d.config(1)}, 5s);
      INFO("stderr: " << r.err);
      CHECK(r.exit_code == 2);
      auto lines = lines_of(r.err);
      REQUIRE(lines.size() == 1);
      CHECK(lines[0] == state + ":2: term " + std::to_string(term) +
                          " is at or above the term ceiling 2^63 (9223372036854775808)");
      CHECK(r.out.find("\"listening\"") == std::string::npos);
      CHECK(file_snapshot{state} == before);
    }
  }
}

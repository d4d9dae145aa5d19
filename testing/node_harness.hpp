#pragma once
/// Test harness for process-level tests of raft-node and raftctl (no CAF).
///
/// A `cluster_dir` owns a fresh temporary directory with one generated TOML config per node
/// (ports chosen at random and checked free, so tests can run concurrently), the nodes'
/// data directories and their logs. A `node_process` is one raft-node child process, started
/// with fork/exec, its stdout appended to a per-node log file that `events()` parses.
/// Every wait polls a condition against a deadline (`eventually`, testing/polling.hpp).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "testing/polling.hpp"

namespace raft::process {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
/// Every wait of the harness and of the tests that use it (testing/polling.hpp).
using testing::eventually;

/// Paths of the programs under test (compile definitions set by CMake). The environment
/// variable RAFT_NODE_BINARY, when set, names another raft-node (e.g. to compare two builds
/// in one benchmark session).
const std::string& raft_node_path();
const std::string& raftctl_path();

/// Microseconds since the Unix epoch, now (the clock the event timestamps use).
std::int64_t wall_now_us();

/// Parses a flat JSON object `{"k":v,...}` whose values are strings, numbers, true, false
/// or null (nlohmann-json). Values are kept as text: strings unescaped (every JSON escape,
/// `\u` ones to UTF-8), numbers and booleans as written, `null` as nullopt. Nothing for text
/// that is not such an object.
std::optional<std::map<std::string, std::optional<std::string>>>
parse_flat_json(const std::string& line);

/// Parses an RFC 3339 UTC timestamp with microseconds (`2026-01-02T03:04:05.123456Z`).
std::optional<std::int64_t> parse_rfc3339_us(const std::string& ts);

/// One event line of raft-node's JSON log.
struct event {
  std::string raw;
  std::int64_t ts_us = 0;
  std::uint64_t node = 0;
  std::string name;
  std::map<std::string, std::optional<std::string>> fields;

  /// The field as an unsigned number, nullopt when absent, null or not a number.
  std::optional<std::uint64_t> num(const std::string& key) const;
  /// The field as text, nullopt when absent or null.
  std::optional<std::string> str(const std::string& key) const;
};

/// Parses one log line; nullopt when it is not an event object.
std::optional<event> parse_event(const std::string& line);

/// The outcome of a program run to completion.
struct run_result {
  int exit_code = -1; ///< exit status, or 128 + signal, or -1 when killed at the time limit
  std::string out;
  std::string err;
  std::chrono::milliseconds took{0};
};

/// Forks and execs argv (stdin /dev/null, no signal blocked) with stdout and stderr to the
/// given files, appended to when `append`; returns the child's pid.
pid_t spawn(const std::vector<std::string>& argv, const std::string& out_path,
            const std::string& err_path, bool append);
/// Waits up to `limit` for child `pid` to exit: its exit status (128 + signal when killed by
/// one), or nullopt when it is still running.
std::optional<int> reap(pid_t pid, std::chrono::milliseconds limit);

/// Runs argv to completion, killing it after `limit`.
run_result run_program(const std::vector<std::string>& argv, std::chrono::milliseconds limit);

/// One line of `raftctl status`.
struct status_line {
  std::uint64_t id = 0;
  std::string address;
  bool reachable = false;
  std::optional<std::uint64_t> term;
  std::optional<std::string> role;
  std::optional<std::uint64_t> leader;
};

/// The outcome of `raftctl status`.
struct status_result {
  run_result run;
  std::vector<status_line> peers;
  bool parsed = false; ///< every stdout line was a well-formed status line

  /// Ids of the reachable peers that report role leader.
  std::vector<std::uint64_t> leaders() const;
  std::size_t reachable() const;
};

/// Runs `raftctl status --config FILE` (time limit 10 s) and parses its lines. `launcher`
/// (e.g. `ip netns exec NAME`) is put before raftctl's own arguments when not empty.
status_result raftctl_status(const std::string& config_file,
                             const std::vector<std::string>& launcher = {});

/// Reads a whole file; nullopt when it cannot be read.
std::optional<std::string> read_file(const std::string& path);
/// Writes a whole file (truncating); throws on failure.
void write_file(const std::string& path, const std::string& text);

/// A term and vote as stored in a state file (storage/README.md).
struct stored_state {
  std::uint64_t term = 0;
  std::optional<std::uint64_t> vote;
};
/// Reads `DIR/state`; nullopt when missing or not in the expected format.
std::optional<stored_state> read_state_file(const std::string& data_dir);

/// A port on 127.0.0.1 that could be bound just now (random in 20000–32767, below the
/// kernel's ephemeral range, so outgoing connections never occupy it).
std::uint16_t free_port();

/// One raft-node child process.
class node_process {
public:
  node_process(std::uint64_t id, std::string config, std::string log, std::string err_log);
  node_process(const node_process&) = delete;
  node_process& operator=(const node_process&) = delete;
  ~node_process();

  /// Starts raft-node; its stdout is appended to the log, stderr to the error log.
  void start();
  /// Arguments added after `--config FILE` at every start.
  void set_extra_args(std::vector<std::string> args) { extra_args_ = std::move(args); }
  /// A command that runs raft-node, put before it at every start (e.g. `ip netns exec
  /// NAME`, which execs raft-node in place, so pid() stays raft-node's own pid).
  void set_launcher(std::vector<std::string> prefix) { launcher_ = std::move(prefix); }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  std::uint64_t id() const { return id_; }
  /// Sends a signal to the running process (no-op when not running).
  void signal(int sig);
  /// Waits for the process to exit; returns its exit status (128 + signal when killed by
  /// one) or nullopt on time-out.
  std::optional<int> wait_exit(std::chrono::milliseconds limit);
  /// SIGKILL and reap.
  void kill_now();
  /// The events of every run so far, in order.
  std::vector<event> events() const;
  /// The events of the current (latest) run only.
  std::vector<event> events_of_this_run() const;
  /// Waits until an event of the latest run satisfies `pred`; returns it.
  std::optional<event> wait_event(const std::function<bool(const event&)>& pred,
                                  std::chrono::milliseconds limit) const;
  /// Asks the running node for its message counters (SIGUSR1) and waits for the `stats`
  /// event it logs in answer (`sent_KIND`, `received_KIND`); nullopt when none comes in time.
  std::optional<event> stats(std::chrono::milliseconds limit = 2s);
  const std::string& log_path() const { return log_; }
  const std::string& err_path() const { return err_log_; }
  /// Text of the stderr log.
  std::string stderr_text() const;

private:
  /// The events of the log file from line `first` (0-based) on.
  std::vector<event> events_from_line(std::size_t first) const;

  std::uint64_t id_;
  std::string config_;
  std::string log_;
  std::string err_log_;
  pid_t pid_ = -1;
  std::size_t first_line_of_run_ = 0;
  std::vector<std::string> extra_args_;
  std::vector<std::string> launcher_;
};

/// Timing of the generated configs.
struct timing_config {
  unsigned heartbeat_ms = 100;
  unsigned election_timeout_min_ms = 300;
  unsigned election_timeout_max_ms = 600;
};

/// A temporary directory with an n-node loopback cluster's configs, data and logs.
class cluster_dir {
public:
  /// Writes every node's config and initialises every node's data directory with
  /// `raft-node --init`, as an operator does once for a new node (throws if that fails).
  /// With `fault_files`, every node runs with `--fault-file fault_file(id)` (see
  /// apps/raft_node.cpp): writing peer ids or `all` there cuts the node off from them.
  explicit cluster_dir(std::size_t nodes, timing_config timing = {}, bool fault_files = false);
  cluster_dir(const cluster_dir&) = delete;
  cluster_dir& operator=(const cluster_dir&) = delete;
  /// Kills every node still running and removes the directory (kept when the environment
  /// variable RAFT_KEEP_TEST_DIRS is set).
  ~cluster_dir();

  const std::string& dir() const { return dir_; }
  std::size_t size() const { return ports_.size(); }
  std::uint16_t port(std::uint64_t id) const { return ports_.at(id - 1); }
  std::string config(std::uint64_t id) const;
  std::string data_dir(std::uint64_t id) const;
  std::string fault_file(std::uint64_t id) const;
  node_process& node(std::uint64_t id) { return *nodes_.at(id - 1); }
  const node_process& node(std::uint64_t id) const { return *nodes_.at(id - 1); }
  /// Ids 1 … n.
  std::vector<std::uint64_t> ids() const;

  void start_all();
  /// Runs `raft-node --config config(id) --init` to completion (time limit 10 s).
  run_result init(std::uint64_t id) const;
  /// raftctl status against node 1's config.
  status_result status() const;
  /// Waits until raftctl exits 0 (a majority up and one leader of the top term) with all
  /// live nodes agreeing on that leader; returns the leader's id.
  std::optional<std::uint64_t> wait_for_leader(std::chrono::milliseconds limit,
                                               std::vector<status_result>* seen = nullptr) const;
  /// Writes `text` (peer ids or `all`; empty: no fault) to node `id`'s fault file and waits
  /// until the node logs the `fault` event saying the switch now cuts exactly `cut` (sorted
  /// peer ids; empty when healed): from that event on, the node drops every message to and
  /// from those peers. Returns the event; nullopt when it does not come within `limit` (the
  /// node logs `fault` only when the set changes). Needs a cluster made with fault files.
  std::optional<event> set_fault(std::uint64_t id, const std::string& text,
                                 const std::vector<std::uint64_t>& cut,
                                 std::chrono::milliseconds limit = 2s);
  /// Every id but `id`.
  std::vector<std::uint64_t> others(std::uint64_t id) const;

  /// A file in the directory (for extra generated configs).
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  /// Every node's log and stderr, for failure messages.
  std::string logs() const;

  /// The TOML text of a config for node `self` listing every peer of this cluster.
  std::string config_text(std::uint64_t self, const std::string& data_dir) const;

private:
  std::string dir_;
  std::vector<std::uint16_t> ports_;
  timing_config timing_;
  std::vector<std::unique_ptr<node_process>> nodes_;
};

/// A plain TCP client socket connected to 127.0.0.1:port (-1 on failure).
int connect_loopback(std::uint16_t port);

} // namespace raft::process

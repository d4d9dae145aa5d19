#include "testing/node_harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace raft::process {

namespace fs = std::filesystem;

const std::string& raft_node_path() {
  static const std::string p = [] {
    const char* other = std::getenv("RAFT_NODE_BINARY");
    return std::string(other && *other ? other : RAFT_NODE_PATH);
  }();
  return p;
}

const std::string& raftctl_path() {
  static const std::string p = RAFTCTL_PATH;
  return p;
}

std::int64_t wall_now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

// ---- JSON -------------------------------------------------------------------------------

std::optional<std::map<std::string, std::optional<std::string>>>
parse_flat_json(const std::string& line) {
  auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object())
    return std::nullopt; // also what parse gives for text that is not JSON (discarded)
  std::map<std::string, std::optional<std::string>> out;
  for (auto& [key, value] : j.items()) {
    if (value.is_null())
      out[key] = std::nullopt;
    else if (value.is_string())
      out[key] = value.get<std::string>();
    else if (value.is_number() || value.is_boolean())
      out[key] = value.dump();
    else
      return std::nullopt; // not flat
  }
  return out;
}

std::optional<std::int64_t> parse_rfc3339_us(const std::string& ts) {
  // 2026-01-02T03:04:05.123456Z
  if (ts.size() != 27 || ts[4] != '-' || ts[7] != '-' || ts[10] != 'T' || ts[13] != ':' ||
      ts[16] != ':' || ts[19] != '.' || ts[26] != 'Z')
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = std::atoi(ts.substr(0, 4).c_str()) - 1900;
  tm.tm_mon = std::atoi(ts.substr(5, 2).c_str()) - 1;
  tm.tm_mday = std::atoi(ts.substr(8, 2).c_str());
  tm.tm_hour = std::atoi(ts.substr(11, 2).c_str());
  tm.tm_min = std::atoi(ts.substr(14, 2).c_str());
  tm.tm_sec = std::atoi(ts.substr(17, 2).c_str());
  auto secs = static_cast<std::int64_t>(timegm(&tm));
  return secs * 1'000'000 + std::atoll(ts.substr(20, 6).c_str());
}

std::optional<std::uint64_t> event::num(const std::string& key) const {
  auto it = fields.find(key);
  if (it == fields.end() || !it->second || it->second->empty() ||
      it->second->find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoull(*it->second);
}

std::optional<std::string> event::str(const std::string& key) const {
  auto it = fields.find(key);
  if (it == fields.end())
    return std::nullopt;
  return it->second;
}

std::optional<event> parse_event(const std::string& line) {
  auto obj = parse_flat_json(line);
  if (!obj)
    return std::nullopt;
  event ev;
  ev.raw = line;
  ev.fields = std::move(*obj);
  auto ts = ev.str("ts");
  auto name = ev.str("event");
  auto node = ev.num("node");
  if (!ts || !name || !node)
    return std::nullopt;
  auto us = parse_rfc3339_us(*ts);
  if (!us)
    return std::nullopt;
  ev.ts_us = *us;
  ev.name = *name;
  ev.node = *node;
  return ev;
}

// ---- programs ---------------------------------------------------------------------------

pid_t spawn(const std::vector<std::string>& argv, const std::string& out_path,
            const std::string& err_path, bool append) {
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  int out = ::open(out_path.c_str(), flags, 0644);
  int err = ::open(err_path.c_str(), flags, 0644);
  if (out < 0 || err < 0)
    throw std::runtime_error("cannot open log files in " + out_path);
  pid_t pid = ::fork();
  if (pid < 0)
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0)
      ::dup2(devnull, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execv(args[0], args.data());
    _exit(127);
  }
  ::close(out);
  ::close(err);
  return pid;
}

namespace {

int decode_status(int st) {
  if (WIFEXITED(st))
    return WEXITSTATUS(st);
  if (WIFSIGNALED(st))
    return 128 + WTERMSIG(st);
  return -1;
}

} // namespace

std::optional<int> reap(pid_t pid, std::chrono::milliseconds limit) {
  std::optional<int> status;
  eventually(
    [&] {
      int st = 0;
      pid_t r = ::waitpid(pid, &st, WNOHANG);
      if (r == pid)
        status = decode_status(st);
      else if (r < 0 && errno != EINTR)
        status = -1;
      return status.has_value();
    },
    limit, 5ms);
  return status;
}

namespace {

std::string temp_base() {
  const char* t = std::getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

} // namespace

run_result run_program(const std::vector<std::string>& argv, std::chrono::milliseconds limit) {
  char tmpl[256];
  std::snprintf(tmpl, sizeof tmpl, "%s/raft-proc-run-XXXXXX", temp_base().c_str());
  if (!::mkdtemp(tmpl))
    throw std::runtime_error("mkdtemp failed");
  std::string dir = tmpl;
  run_result r;
  auto t0 = clock::now();
  pid_t pid = spawn(argv, dir + "/out", dir + "/err", false);
  auto st = reap(pid, limit);
  if (!st) {
    ::kill(pid, SIGKILL);
    reap(pid, 5s);
    r.exit_code = -1;
  } else {
    r.exit_code = *st;
  }
  r.took = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t0);
  r.out = read_file(dir + "/out").value_or("");
  r.err = read_file(dir + "/err").value_or("");
  std::error_code ec;
  fs::remove_all(dir, ec);
  return r;
}

std::vector<std::uint64_t> status_result::leaders() const {
  std::vector<std::uint64_t> out;
  for (auto& p : peers)
    if (p.reachable && p.role == std::optional<std::string>{"leader"})
      out.push_back(p.id);
  return out;
}

std::size_t status_result::reachable() const {
  std::size_t n = 0;
  for (auto& p : peers)
    n += p.reachable ? 1 : 0;
  return n;
}

status_result raftctl_status(const std::string& config_file,
                             const std::vector<std::string>& launcher) {
  status_result s;
  auto argv = launcher;
  argv.insert(argv.end(), {raftctl_path(), "status", "--config", config_file});
  s.run = run_program(argv, 10s);
  std::istringstream in{s.run.out};
  std::string line;
  s.parsed = true;
  while (std::getline(in, line)) {
    auto obj = parse_flat_json(line);
    if (!obj || !obj->count("id") || !obj->count("reachable") || !(*obj)["id"]) {
      s.parsed = false;
      continue;
    }
    status_line p;
    p.id = std::stoull(*(*obj)["id"]);
    p.address = (*obj)["address"].value_or("");
    p.reachable = (*obj)["reachable"] == std::optional<std::string>{"true"};
    if (auto t = (*obj)["term"])
      p.term = std::stoull(*t);
    p.role = (*obj)["role"];
    if (auto l = (*obj)["leader"])
      p.leader = std::stoull(*l);
    s.peers.push_back(p);
  }
  return s;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out << text;
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

std::optional<stored_state> read_state_file(const std::string& data_dir) {
  auto text = read_file(data_dir + "/state");
  if (!text)
    return std::nullopt;
  std::istringstream in{*text};
  std::string magic, version, kw_term, kw_vote, vote;
  stored_state s;
  if (!(in >> magic >> version >> kw_term >> s.term >> kw_vote >> vote) ||
      magic != "raft-state" || kw_term != "term" || kw_vote != "vote")
    return std::nullopt;
  if (vote != "none") {
    if (vote.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    s.vote = std::stoull(vote);
  }
  return s;
}

std::uint16_t free_port() {
  static std::mt19937 rng{std::random_device{}() ^ static_cast<unsigned>(::getpid())};
  static std::set<std::uint16_t> handed_out; // never twice from one test process
  std::uniform_int_distribution<int> pick{20000, 32767};
  for (int attempt = 0; attempt < 1000; ++attempt) {
    auto port = static_cast<std::uint16_t>(pick(rng));
    if (handed_out.count(port))
      continue;
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
      continue;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    if (ok) {
      handed_out.insert(port);
      return port;
    }
  }
  throw std::runtime_error("no free port found");
}

int connect_loopback(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// ---- node_process -----------------------------------------------------------------------

node_process::node_process(std::uint64_t id, std::string config, std::string log,
                           std::string err_log)
  : id_(id), config_(std::move(config)), log_(std::move(log)), err_log_(std::move(err_log)) {
}

node_process::~node_process() {
  kill_now();
}

void node_process::start() {
  if (running())
    throw std::logic_error("node " + std::to_string(id_) + " is already running");
  first_line_of_run_ = 0;
  if (auto text = read_file(log_)) {
    std::istringstream in{*text};
    std::string line;
    while (std::getline(in, line))
      ++first_line_of_run_;
  }
  auto argv = launcher_;
  argv.insert(argv.end(), {raft_node_path(), "--config", config_});
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  pid_ = spawn(argv, log_, err_log_, true);
}

void node_process::signal(int sig) {
  if (running())
    ::kill(pid_, sig);
}

std::optional<int> node_process::wait_exit(std::chrono::milliseconds limit) {
  if (!running())
    return std::nullopt;
  auto st = reap(pid_, limit);
  if (st)
    pid_ = -1;
  return st;
}

void node_process::kill_now() {
  if (!running())
    return;
  ::kill(pid_, SIGKILL);
  ::kill(pid_, SIGCONT);
  reap(pid_, 10s);
  pid_ = -1;
}

std::vector<event> node_process::events() const {
  return events_from_line(0);
}

std::vector<event> node_process::events_of_this_run() const {
  return events_from_line(first_line_of_run_);
}

std::vector<event> node_process::events_from_line(std::size_t first) const {
  std::vector<event> out;
  auto text = read_file(log_);
  if (!text)
    return out;
  std::istringstream in{*text};
  std::string line;
  for (std::size_t n = 0; std::getline(in, line); ++n)
    if (n >= first)
      if (auto ev = parse_event(line))
        out.push_back(std::move(*ev));
  return out;
}

std::optional<event> node_process::wait_event(const std::function<bool(const event&)>& pred,
                                              std::chrono::milliseconds limit) const {
  std::optional<event> found;
  eventually(
    [&] {
      for (auto& ev : events_of_this_run())
        if (pred(ev)) {
          found = ev;
          return true;
        }
      return false;
    },
    limit);
  return found;
}

std::optional<event> node_process::stats(std::chrono::milliseconds limit) {
  auto asked = wall_now_us();
  signal(SIGUSR1);
  return wait_event([&](const event& e) { return e.name == "stats" && e.ts_us >= asked; },
                    limit);
}

std::string node_process::stderr_text() const {
  return read_file(err_log_).value_or("");
}

// ---- cluster_dir ------------------------------------------------------------------------

cluster_dir::cluster_dir(std::size_t nodes, timing_config timing, bool fault_files)
  : timing_(timing) {
  char tmpl[256];
  std::snprintf(tmpl, sizeof tmpl, "%s/raft-proc-XXXXXX", temp_base().c_str());
  if (!::mkdtemp(tmpl))
    throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  dir_ = tmpl;
  for (std::size_t i = 0; i < nodes; ++i)
    ports_.push_back(free_port());
  for (std::uint64_t id = 1; id <= nodes; ++id) {
    write_file(config(id), config_text(id, data_dir(id)));
    nodes_.push_back(std::make_unique<node_process>(
      id, config(id), path("node" + std::to_string(id) + ".log"),
      path("node" + std::to_string(id) + ".err")));
    if (fault_files)
      nodes_.back()->set_extra_args({"--fault-file", fault_file(id)});
  }
  for (std::uint64_t id = 1; id <= nodes; ++id) {
    auto r = init(id);
    if (r.exit_code != 0) {
      std::error_code ec;
      fs::remove_all(dir_, ec); // the destructor does not run for a throwing constructor
      throw std::runtime_error("raft-node --init of node " + std::to_string(id) + " exited " +
                               std::to_string(r.exit_code) + ": " + r.err);
    }
  }
}

run_result cluster_dir::init(std::uint64_t id) const {
  return run_program({raft_node_path(), "--config", config(id), "--init"}, 10s);
}

std::string cluster_dir::fault_file(std::uint64_t id) const {
  return dir_ + "/fault" + std::to_string(id);
}

std::optional<event> cluster_dir::set_fault(std::uint64_t id, const std::string& text,
                                            const std::vector<std::uint64_t>& cut,
                                            std::chrono::milliseconds limit) {
  std::string expected;
  for (auto p : cut)
    expected += (expected.empty() ? "" : " ") + std::to_string(p);
  auto written = wall_now_us();
  write_file(fault_file(id), text);
  return node(id).wait_event(
    [&](const event& e) {
      return e.name == "fault" && e.ts_us >= written && e.str("cut") == expected;
    },
    limit);
}

std::vector<std::uint64_t> cluster_dir::others(std::uint64_t id) const {
  std::vector<std::uint64_t> out;
  for (auto other : ids())
    if (other != id)
      out.push_back(other);
  return out;
}

cluster_dir::~cluster_dir() {
  for (auto& n : nodes_)
    n->kill_now();
  if (!std::getenv("RAFT_KEEP_TEST_DIRS")) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

std::string cluster_dir::config(std::uint64_t id) const {
  return path("node" + std::to_string(id) + ".toml");
}

std::string cluster_dir::data_dir(std::uint64_t id) const {
  return path("data" + std::to_string(id));
}

std::vector<std::uint64_t> cluster_dir::ids() const {
  std::vector<std::uint64_t> out;
  for (std::uint64_t id = 1; id <= ports_.size(); ++id)
    out.push_back(id);
  return out;
}

std::string cluster_dir::config_text(std::uint64_t self, const std::string& data) const {
  std::ostringstream s;
  s << "[node]\nid = " << self << "\ndata_dir = \"" << data << "\"\n";
  for (std::size_t i = 0; i < ports_.size(); ++i)
    s << "\n[[peer]]\nid = " << i + 1 << "\nhost = \"127.0.0.1\"\nport = " << ports_[i]
      << "\n";
  s << "\n[timing]\nheartbeat_ms = " << timing_.heartbeat_ms
    << "\nelection_timeout_min_ms = " << timing_.election_timeout_min_ms
    << "\nelection_timeout_max_ms = " << timing_.election_timeout_max_ms << "\n";
  return s.str();
}

std::string cluster_dir::logs() const {
  std::string out = "test directory " + dir_ + "\n";
  for (auto& n : nodes_) {
    out += "--- node " + std::to_string(n->id()) + " stdout ---\n" +
           read_file(n->log_path()).value_or("") + "--- node " + std::to_string(n->id()) +
           " stderr ---\n" + n->stderr_text();
  }
  return out;
}

void cluster_dir::start_all() {
  for (auto& n : nodes_)
    n->start();
}

status_result cluster_dir::status() const {
  return raftctl_status(config(1));
}

std::optional<std::uint64_t> cluster_dir::wait_for_leader(std::chrono::milliseconds limit,
                                                          std::vector<status_result>* seen) const {
  std::optional<std::uint64_t> leader;
  eventually(
    [&] {
      auto s = status();
      if (seen)
        seen->push_back(s);
      if (s.run.exit_code != 0)
        return false;
      auto ls = s.leaders();
      if (ls.size() != 1)
        return false;
      for (auto& p : s.peers)
        if (p.reachable && p.leader != ls.front())
          return false;
      leader = ls.front();
      return true;
    },
    limit, 50ms);
  return leader;
}

} // namespace raft::process

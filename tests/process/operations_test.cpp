/// The operator's surface on real raft-node processes: /metrics, [hooks], raftctl watch and
/// the status table.

#include <signal.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <map>
#include <regex>
#include <sstream>

#include <httplib.h>

#include "testing/node_harness.hpp"
#include "tls_test_util.hpp"

using namespace raft::process;

namespace {

/// Adds TOML tables at the end of node `id`'s config (before it starts).
void append_config(cluster_dir& cd, std::uint64_t id, const std::string& toml) {
  write_file(cd.config(id), read_file(cd.config(id)).value_or("") + "\n" + toml);
}

/// One scrape of http://127.0.0.1:port/metrics: sample name (with labels) → value.
std::optional<std::map<std::string, double>> scrape(std::uint16_t port) {
  httplib::Client client{"127.0.0.1", port};
  client.set_connection_timeout(2);
  client.set_read_timeout(2);
  auto res = client.Get("/metrics");
  if (!res || res->status != 200)
    return std::nullopt;
  std::map<std::string, double> out;
  std::istringstream in{res->body};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    auto space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

double value(const std::map<std::string, double>& m, const std::string& key) {
  auto i = m.find(key);
  INFO("metric " << key);
  REQUIRE(i != m.end());
  return i->second;
}

/// Lines of a file (empty when missing).
std::vector<std::string> lines_in(const std::string& path) {
  std::vector<std::string> out;
  std::istringstream in{read_file(path).value_or("")};
  std::string line;
  while (std::getline(in, line))
    out.push_back(line);
  return out;
}

/// True while a process (or zombie) with this pid exists.
bool alive(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

/// The hook events of a node's latest run.
std::vector<event> hook_events(const node_process& n) {
  std::vector<event> out;
  for (auto& e : n.events_of_this_run())
    if (e.name == "hook")
      out.push_back(e);
  return out;
}

/// A program running in the background with its output in files, ended by the test.
struct background {
  pid_t pid;
  std::string out, err;
  background(const std::vector<std::string>& argv, std::string out_path, std::string err_path)
      : pid(spawn(argv, out_path, err_path, false)), out(std::move(out_path)),
        err(std::move(err_path)) {}
  ~background() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      reap(pid, 5s);
    }
  }
  std::optional<int> stop(int sig) {
    ::kill(pid, sig);
    auto st = reap(pid, 5s);
    if (st)
      pid = -1;
    return st;
  }
};

/// The JSON lines of raftctl watch so far.
std::vector<std::map<std::string, std::optional<std::string>>> watch_lines(const background& w) {
  std::vector<std::map<std::string, std::optional<std::string>>> out;
  for (auto& l : lines_in(w.out))
    if (auto obj = parse_flat_json(l))
      out.push_back(*obj);
  return out;
}

bool has_line(const std::vector<std::map<std::string, std::optional<std::string>>>& lines,
              std::uint64_t id, const std::string& reachable, const std::string& role = "",
              std::optional<std::uint64_t> min_term = std::nullopt) {
  for (auto& l : lines) {
    auto get = [&](const char* k) { return l.count(k) ? l.at(k) : std::nullopt; };
    if (get("id") != std::to_string(id) || get("reachable") != reachable)
      continue;
    if (!role.empty() && get("role") != role)
      continue;
    if (min_term && (!get("term") || std::stoull(*get("term")) < *min_term))
      continue;
    return true;
  }
  return false;
}

/// Waits until watch has shown every member of a 3-node cluster reachable, `leader` as
/// leader and the two others as followers.
bool watch_shows_all(const background& w, const cluster_dir& cd, std::uint64_t leader) {
  return eventually(
    [&] {
      auto l = watch_lines(w);
      return has_line(l, leader, "true", "leader") &&
             has_line(l, cd.others(leader).front(), "true", "follower") &&
             has_line(l, cd.others(leader).back(), "true", "follower");
    },
    10s);
}

/// Starts every node and waits for one leader (raftctl agrees); fails the test without one.
std::optional<std::uint64_t> start_with_leader(cluster_dir& cd) {
  cd.start_all();
  auto leader = cd.wait_for_leader(10s);
  INFO(cd.logs());
  REQUIRE(leader);
  return leader;
}

} // namespace

TEST_CASE("metrics show term and role and leader of a real cluster and follow a change of leader") {
  cluster_dir cd{3};
  std::map<std::uint64_t, std::uint16_t> port;
  for (auto id : cd.ids()) {
    port[id] = free_port();
    append_config(cd, id, "[metrics]\nlisten = \"127.0.0.1:" + std::to_string(port[id]) + "\"\n");
  }
  auto leader = start_with_leader(cd);
  INFO(cd.logs());
  std::map<std::uint64_t, std::map<std::string, double>> m;
  // Every node agrees on the leader and reports its role; the leader has measured round
  // trips to both followers (it has sent heartbeats for a while by now).
  REQUIRE(eventually(
    [&] {
      for (auto id : cd.ids()) {
        auto s = scrape(port[id]);
        if (!s)
          return false;
        m[id] = *s;
      }
      for (auto f : cd.others(*leader))
        if (m[*leader]["raft_heartbeat_rtt_seconds_count{peer=\"" + std::to_string(f) + "\"}"] <
            5)
          return false;
      return true;
    },
    5s));
  const double term = value(m[*leader], "raft_term");
  for (auto id : cd.ids()) {
    CAPTURE(id);
    CHECK(value(m[id], "raft_leader_id") == static_cast<double>(*leader));
    CHECK(value(m[id], "raft_term") == term);
    CHECK(value(m[id], "raft_is_leader") == (id == *leader ? 1 : 0));
    CHECK(value(m[id], "raft_role{role=\"leader\"}") == (id == *leader ? 1 : 0));
    CHECK(value(m[id], "raft_role{role=\"follower\"}") == (id == *leader ? 0 : 1));
    CHECK(value(m[id], "raft_leader_changes_seen_total") >= 1);
    for (auto other : cd.others(id))
      CHECK(value(m[id], "raft_peer_connected{peer=\"" + std::to_string(other) + "\"}") == 1);
  }
  CHECK(value(m[*leader], "raft_elections_started_total") >= 1);
  CHECK(value(m[*leader], "raft_prevotes_started_total") >= 1);
  CHECK(value(m[*leader], "raft_messages_sent_total{kind=\"append_entries\"}") > 0);
  for (auto f : cd.others(*leader)) {
    CHECK(value(m[f], "raft_messages_received_total{kind=\"append_entries\"}") > 0);
    const std::string p = "{peer=\"" + std::to_string(f) + "\"";
    const double count = value(m[*leader], "raft_heartbeat_rtt_seconds_count" + p + "}");
    CHECK(value(m[*leader], "raft_heartbeat_rtt_seconds_bucket" + p + ",le=\"+Inf\"}") == count);
    // Loopback: every round trip well under a second, and the sum is of real time.
    CHECK(value(m[*leader], "raft_heartbeat_rtt_seconds_bucket" + p + ",le=\"1.000000\"}") ==
          count);
    CHECK(value(m[*leader], "raft_heartbeat_rtt_seconds_sum" + p + "}") > 0);
  }

  // The leader dies: the survivors' metrics name the new leader of a higher term, count the
  // change, and show the old leader disconnected.
  const auto old = *leader;
  const double changes_before = value(m[cd.others(old).front()], "raft_leader_changes_seen_total");
  cd.node(old).kill_now();
  std::optional<std::uint64_t> fresh;
  REQUIRE(eventually(
    [&] {
      for (auto id : cd.others(old)) {
        auto s = scrape(port[id]);
        if (!s)
          return false;
        m[id] = *s;
      }
      auto a = cd.others(old).front(), b = cd.others(old).back();
      auto la = static_cast<std::uint64_t>(m[a]["raft_leader_id"]);
      if (la == 0 || la == old || la != static_cast<std::uint64_t>(m[b]["raft_leader_id"]))
        return false;
      fresh = la;
      return m[a]["raft_peer_connected{peer=\"" + std::to_string(old) + "\"}"] == 0 &&
             m[b]["raft_peer_connected{peer=\"" + std::to_string(old) + "\"}"] == 0;
    },
    10s));
  CHECK(value(m[*fresh], "raft_is_leader") == 1);
  CHECK(value(m[*fresh], "raft_term") > term);
  CHECK(value(m[*fresh], "raft_elections_started_total") >= 1);
  for (auto id : cd.others(old)) {
    CHECK(value(m[id], "raft_term") > term);
    CHECK(value(m[id], "raft_leader_changes_seen_total") >= 1);
  }
  CHECK(value(m[cd.others(old).front()], "raft_leader_changes_seen_total") > changes_before);
}

TEST_CASE("the metrics server answers 404 off its path and a node without a metrics table logs no metrics address") {
  cluster_dir cd{1};
  auto p = free_port();
  append_config(cd, 1, "[metrics]\nlisten = \"127.0.0.1:" + std::to_string(p) + "\"\n");
  cd.start_all();
  REQUIRE(cd.node(1).wait_event([](const event& e) { return e.name == "metrics"; }, 5s));
  httplib::Client client{"127.0.0.1", p};
  auto res = client.Get("/");
  REQUIRE(res);
  CHECK(res->status == 404);
  REQUIRE(scrape(p));

  cluster_dir plain{1};
  plain.start_all();
  REQUIRE(plain.node(1).wait_event([](const event& e) { return e.name == "listening"; }, 5s));
  for (auto& e : plain.node(1).events_of_this_run())
    CHECK(e.name != "metrics");
}

TEST_CASE("a metrics port in use stops the node with exit status 1 and an error naming it") {
  cluster_dir cd{1};
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(s >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::uint16_t p = 0;
  for (int tries = 0; tries < 20 && p == 0; ++tries) {
    a.sin_port = htons(free_port());
    if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(s, 1) == 0)
      p = ntohs(a.sin_port);
  }
  REQUIRE(p != 0);
  append_config(cd, 1, "[metrics]\nlisten = \"127.0.0.1:" + std::to_string(p) + "\"\n");
  cd.start_all();
  auto st = cd.node(1).wait_exit(5s);
  ::close(s);
  INFO(cd.logs());
  REQUIRE(st);
  CHECK(*st == 1);
  auto err = cd.node(1).wait_event([](const event& e) { return e.name == "error"; }, 1s);
  REQUIRE(err);
  CHECK(err->str("message").value_or("").find("cannot serve metrics on 127.0.0.1:" +
                                               std::to_string(p)) != std::string::npos);
}

TEST_CASE("hooks run on every transition with the node id and the term as fencing token and the role and the leader") {
  cluster_dir cd{3};
  for (auto id : cd.ids()) {
    const auto file = cd.path("hooks" + std::to_string(id));
    append_config(cd, id,
                  "[hooks]\non_leader = \"echo leader $RAFT_NODE_ID $RAFT_TERM $RAFT_ROLE "
                  "$RAFT_LEADER >> " + file + "\"\non_follower = \"echo follower $RAFT_NODE_ID "
                  "$RAFT_TERM $RAFT_ROLE $RAFT_LEADER >> " + file + "\"\n");
  }
  auto leader = start_with_leader(cd);
  INFO(cd.logs());
  auto hooks = [&](std::uint64_t id) { return lines_in(cd.path("hooks" + std::to_string(id))); };
  auto term_of_leader = [&](std::uint64_t id) -> std::optional<std::uint64_t> {
    for (auto& e : cd.node(id).events_of_this_run())
      if (e.name == "role" && e.str("role") == std::string("leader"))
        return e.num("term");
    return std::nullopt;
  };
  auto t = term_of_leader(*leader);
  REQUIRE(t);
  const auto lid = std::to_string(*leader), ts = std::to_string(*t);
  // Every node ran on_follower at start (no leader known: an empty RAFT_LEADER), the leader
  // on_leader with its term, the followers on_follower naming the leader.
  REQUIRE(eventually(
    [&] {
      auto l = hooks(*leader);
      if (std::find(l.begin(), l.end(), "leader " + lid + " " + ts + " leader " + lid) == l.end())
        return false;
      for (auto f : cd.others(*leader)) {
        auto fl = hooks(f);
        const auto fid = std::to_string(f);
        if (std::find(fl.begin(), fl.end(), "follower " + fid + " " + ts + " follower " + lid) ==
            fl.end())
          return false;
      }
      return true;
    },
    5s));
  for (auto id : cd.ids()) {
    auto l = hooks(id);
    REQUIRE_FALSE(l.empty());
    // RAFT_LEADER is empty, so the unquoted word is gone from echo's arguments.
    CHECK(std::regex_match(l.front(), std::regex("follower " + std::to_string(id) +
                                                 " [0-9]+ follower")));
    for (auto& e : hook_events(cd.node(id))) {
      CHECK(e.str("outcome") == std::string("exited"));
      CHECK(e.num("status") == std::optional<std::uint64_t>{0});
    }
  }
  // A new leader runs on_leader with a higher term: the fencing token grows.
  const auto old = *leader;
  cd.node(old).kill_now();
  std::optional<std::uint64_t> fresh;
  REQUIRE(eventually(
    [&] {
      for (auto id : cd.others(old))
        for (auto& line : hooks(id)) {
          std::istringstream in{line};
          std::string what, role, leader_id;
          std::uint64_t node = 0, term = 0;
          in >> what >> node >> term >> role >> leader_id;
          if (what == "leader" && term > *t && role == "leader" && leader_id == std::to_string(id)) {
            fresh = id;
            return true;
          }
        }
      return false;
    },
    10s));
  auto survivor = cd.others(old).front() == *fresh ? cd.others(old).back() : cd.others(old).front();
  REQUIRE(eventually(
    [&] {
      for (auto& line : hooks(survivor))
        if (line.rfind("follower " + std::to_string(survivor) + " ", 0) == 0 &&
            line.size() > 2 && line.substr(line.rfind(' ') + 1) == std::to_string(*fresh))
          return true;
      return false;
    },
    5s));
}

TEST_CASE("a hook that hangs is killed with its whole process group after the timeout and logged") {
  cluster_dir cd{1};
  const auto pidfile = cd.path("bg.pid");
  append_config(cd, 1,
                "[hooks]\non_leader = \"sleep 60 & echo $! > " + pidfile +
                  "; sleep 60\"\ntimeout_ms = 300\n");
  cd.start_all();
  auto killed = cd.node(1).wait_event(
    [](const event& e) { return e.name == "hook" && e.str("outcome") == std::string("killed"); },
    10s);
  INFO(cd.logs());
  REQUIRE(killed);
  CHECK(killed->str("hook") == std::string("on_leader"));
  CHECK(killed->num("ms").value_or(0) >= 300);
  CHECK(killed->num("ms").value_or(0) < 2000);
  CHECK(killed->str("detail").value_or("").find("timeout_ms = 300") != std::string::npos);
  // The background sleep was in the hook's process group: it is gone too.
  auto text = read_file(pidfile);
  REQUIRE(text);
  const pid_t bg = static_cast<pid_t>(std::stol(*text));
  CHECK(eventually([&] { return !alive(bg); }, 5s));
  // The node itself carries on as leader.
  CHECK(cd.status().leaders() == std::vector<std::uint64_t>{1});
}

TEST_CASE("a newer transition cancels the running hook so hooks never overlap") {
  cluster_dir cd{1};
  const auto marks = cd.path("marks");
  // on_follower runs at start and hangs; a one-node cluster becomes leader within the
  // election timeout, and that transition must cancel it before on_leader starts.
  append_config(cd, 1,
                "[hooks]\non_follower = \"echo follower-start >> " + marks +
                  "; sleep 60; echo follower-end >> " + marks + "\"\non_leader = \"echo leader >> " +
                  marks + "\"\n");
  cd.start_all();
  INFO(cd.logs());
  REQUIRE(cd.node(1).wait_event(
    [](const event& e) { return e.name == "hook" && e.str("hook") == std::string("on_leader"); },
    10s));
  auto hooks = hook_events(cd.node(1));
  REQUIRE(hooks.size() == 2);
  CHECK(hooks[0].str("hook") == std::string("on_follower"));
  CHECK(hooks[0].str("outcome") == std::string("cancelled"));
  CHECK(hooks[0].str("detail").value_or("").find("a newer transition: on_leader in term 1") !=
        std::string::npos);
  CHECK(hooks[1].str("outcome") == std::string("exited"));
  CHECK(hooks[0].ts_us <= hooks[1].ts_us);
  CHECK(lines_in(marks) == std::vector<std::string>{"follower-start", "leader"});
}

TEST_CASE("raftctl watch streams every role change of every member and follows members that come and go until SIGINT") {
  cluster_dir cd{3};
  auto leader = start_with_leader(cd);
  INFO(cd.logs());
  background w{{raftctl_path(), "watch", "--config", cd.config(1)}, cd.path("watch.out"),
               cd.path("watch.err")};
  // stdout is a file: JSON lines. First every member as it is now.
  REQUIRE(watch_shows_all(w, cd, *leader));
  const auto old = *leader;
  auto t = cd.status().peers.at(old - 1).term;
  REQUIRE(t);
  cd.node(old).kill_now();
  // The old leader is reported unreachable, and a new leader of a higher term is pushed.
  REQUIRE(eventually(
    [&] {
      auto l = watch_lines(w);
      return has_line(l, old, "false") &&
             (has_line(l, cd.others(old).front(), "true", "leader", *t + 1) ||
              has_line(l, cd.others(old).back(), "true", "leader", *t + 1));
    },
    10s));
  // The old leader comes back: watch reconnects and shows it again, as a follower.
  const auto before = watch_lines(w).size();
  cd.node(old).start();
  REQUIRE(eventually(
    [&] {
      auto l = watch_lines(w);
      l.erase(l.begin(), l.begin() + static_cast<std::ptrdiff_t>(before));
      return has_line(l, old, "true", "follower", *t + 1);
    },
    10s));
  // Every line is a whole JSON object with a timestamp.
  for (auto& l : lines_in(w.out)) {
    auto obj = parse_flat_json(l);
    REQUIRE(obj);
    CHECK(parse_rfc3339_us(obj->at("ts").value_or("")));
  }
  auto st = w.stop(SIGINT);
  REQUIRE(st);
  CHECK(*st == 0);
  CHECK(read_file(w.err).value_or("x").empty());
}

TEST_CASE("raftctl watch follows a TLS cluster with the config's certificate") {
  cluster_dir cd{3};
  auto ca = test_identity::make_ca("cluster CA");
  secure(cd, ca);
  auto leader = start_with_leader(cd);
  INFO(cd.logs());
  background w{{raftctl_path(), "watch", "--config", cd.config(1)}, cd.path("watch.out"),
               cd.path("watch.err")};
  REQUIRE(watch_shows_all(w, cd, *leader));
  cd.node(*leader).kill_now();
  REQUIRE(eventually([&] { return has_line(watch_lines(w), *leader, "false"); }, 10s));
  auto st = w.stop(SIGINT);
  REQUIRE(st);
  CHECK(*st == 0);
}

TEST_CASE("raftctl watch exits 0 on SIGTERM and reports a member that is down as unreachable") {
  cluster_dir cd{3};
  cd.node(1).start();
  cd.node(2).start();
  background w{{raftctl_path(), "watch", "--config", cd.config(1), "--json"},
               cd.path("watch.out"), cd.path("watch.err")};
  REQUIRE(eventually([&] { return has_line(watch_lines(w), 3, "false"); }, 5s));
  auto st = w.stop(SIGTERM);
  REQUIRE(st);
  CHECK(*st == 0);
}

TEST_CASE("raftctl status prints an aligned table on a terminal and JSON lines with --json") {
  cluster_dir cd{3};
  auto leader = start_with_leader(cd);
  INFO(cd.logs());
  // `script` runs raftctl on a pseudo-terminal (util-linux, part of every Debian system).
  auto on_tty = [&](const std::string& extra) {
    return run_program({"/usr/bin/script", "-qec",
                        raftctl_path() + " status --config " + cd.config(1) + extra, "/dev/null"},
                       10s);
  };
  auto table = on_tty("");
  INFO(table.out << table.err);
  CHECK(table.exit_code == 0);
  std::vector<std::string> rows;
  {
    std::istringstream in{table.out};
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r')
        line.pop_back(); // the terminal's line ends
      if (!line.empty())
        rows.push_back(line);
    }
  }
  REQUIRE(rows.size() == 4);
  CHECK(std::regex_match(rows[0], std::regex("ID +ADDRESS +REACHABLE +TERM +ROLE +LEADER")));
  // Aligned: every column starts at the same offset in every row.
  for (const char* col : {"ADDRESS", "REACHABLE", "TERM", "ROLE", "LEADER"}) {
    auto at = rows[0].find(col);
    for (std::size_t r = 1; r < rows.size(); ++r) {
      CAPTURE(col, rows[r]);
      CHECK(rows[r][at - 1] == ' ');
      CHECK(rows[r][at] != ' ');
    }
  }
  for (auto id : cd.ids()) {
    auto& row = rows[id];
    CHECK(row.rfind(std::to_string(id) + " ", 0) == 0);
    CHECK(row.find("127.0.0.1:" + std::to_string(cd.port(id))) != std::string::npos);
    CHECK(row.find(id == *leader ? " leader " : " follower ") != std::string::npos);
  }
  auto json = on_tty(" --json");
  CHECK(json.exit_code == 0);
  std::istringstream in{json.out};
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.empty())
      continue;
    ++n;
    CHECK(parse_flat_json(line));
  }
  CHECK(n == 3);
}

TEST_CASE("every program prints its usage on --help and a bad command line as one line with exit status 2") {
  for (auto& prog : {raft_node_path(), raftctl_path()}) {
    auto help = run_program({prog, "--help"}, 5s);
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("Usage:") != std::string::npos);
    CHECK(help.err.empty());
  }
  for (auto& args : std::vector<std::vector<std::string>>{
         {raft_node_path(), "--bogus"},
         {raft_node_path(), "--config"},
         {raft_node_path(), "--config", "x", "--log-format", "xml"},
         {raft_node_path(), "--config", "x", "--init", "--fault-file", "y"},
         {raftctl_path()},
         {raftctl_path(), "bogus"},
         {raftctl_path(), "status"},
         {raftctl_path(), "watch", "--config", "x", "--bogus"},
       }) {
    auto r = run_program(args, 5s);
    INFO(args.size() << " args; stderr: " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    REQUIRE_FALSE(r.err.empty());
    CHECK(r.err.find('\n') == r.err.size() - 1); // exactly one line
  }
}

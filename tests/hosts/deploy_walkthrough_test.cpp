/// The deploy walkthrough (deploy/README.md, "From three fresh Debian 12 hosts to a running
/// cluster"), followed on three namespace hosts 10.199.0.1–3 with TLS: its commands run as
/// written, with three substitutions a test on one machine needs —
/// - the hosts' own directories: /etc/raft-caf and /var/lib/raft-caf become
///   SCRATCH/host<h>/etc/raft-caf and SCRATCH/host<h>/var/lib/raft-caf (the three hosts share
///   one file system), /usr/local/bin the build's apps directory;
/// - the example configs' addresses 10.0.0.h become 10.199.0.h;
/// - the service user `raft-caf` (useradd) is `nobody`, so the node runs without root and
///   with the walkthrough's file owners and modes;
/// and `systemctl start|stop raft-node@h` becomes the unit's own ExecStart line (read from
/// deploy/raft-node@.service) run in host h's namespace as that user, and its KillSignal.

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "availability.hpp"
#include "bridge_network.hpp"
#include "testing/cluster_events.hpp"
#include "testing/node_harness.hpp"
#include "testing/polling.hpp"
#include "scenario.hpp"
#include "scratch_dir.hpp"
#include "system_command.hpp"

using namespace raft::hosts;
using namespace raft::process;

namespace {

/// The service user of the walkthrough (`raft-caf`), played by `nobody`.
constexpr uid_t service_uid = 65534;
constexpr gid_t service_gid = 65534;

std::string source(const std::string& path) {
  return std::string(RAFT_SOURCE_DIR) + "/" + path;
}

/// `install -d -m MODE [-o/-g service user] DIR`, as the walkthrough does with sudo.
void install_dir(const std::string& dir, mode_t mode, bool service_owned = false) {
  run_checked({require_tool("mkdir"), "-p", dir});
  REQUIRE(::chmod(dir.c_str(), mode) == 0);
  if (service_owned)
    REQUIRE(::chown(dir.c_str(), service_uid, service_gid) == 0);
}

/// `install -m MODE [-o/-g service user] FROM TO`.
void install_file(const std::string& from, const std::string& to, mode_t mode,
                  bool service_owned = false) {
  std::ostringstream octal;
  octal << std::oct << mode;
  run_checked({require_tool("install"), "-m", octal.str(), from, to});
  if (service_owned)
    REQUIRE(::chown(to.c_str(), service_uid, service_gid) == 0);
}

std::string replaced_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

/// The unit's `KEY=` value (the first such line).
std::string unit_value(const std::string& unit, const std::string& key) {
  std::istringstream in{unit};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + "=", 0) == 0)
      return line.substr(key.size() + 1);
  return {};
}

/// One host of the walkthrough: its directories and its node.
struct walkthrough_host {
  unsigned h = 0;
  std::string etc;  ///< stands for /etc/raft-caf
  std::string lib;  ///< stands for /var/lib/raft-caf
  std::unique_ptr<node_process> node;
  std::string config() const { return etc + "/node" + std::to_string(h) + ".toml"; }
  std::string cluster_config() const { return etc + "/cluster.toml"; }
};

} // namespace

TEST_CASE("the deploy walkthrough's commands bring up a TLS cluster on three hosts, which "
          "fails over when the leader's unit stops and takes it back as a follower",
          "[hosts][deploy]") {
  require_netns();
  bridge_network net;
  for (unsigned h = 1; h <= 3; ++h)
    net.add_host(h);
  scratch_dir root;
  REQUIRE(::chmod(root.path().c_str(), 0755) == 0); // the service user reads below it
  const std::string bin = raft_node_path().substr(0, raft_node_path().rfind('/'));
  const std::string unit = *read_file(source("deploy/raft-node@.service"));

  // The unit itself: systemd accepts it (with the binary where this build has it).
  if (auto analyze = find_tool("systemd-analyze")) {
    install_dir(root / "systemd", 0755);
    write_file(root / "systemd/raft-node@.service",
               replaced_all(unit, "/usr/local/bin/raft-node", raft_node_path()));
    auto verified = run_program({*analyze, "verify", root / "systemd/raft-node@1.service"}, 30s);
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);
  } else {
    WARN("systemd-analyze not found: the unit file was not verified");
  }
  // Step 4 runs ExecStart as written but for the binary's and the config's directory.
  const std::string exec_start = unit_value(unit, "ExecStart");
  const std::string unit_prefix = "/usr/local/bin/raft-node --config /etc/raft-caf/node%i.toml";
  REQUIRE(exec_start.rfind(unit_prefix, 0) == 0);
  std::vector<std::string> unit_args;
  {
    std::istringstream words{exec_start.substr(unit_prefix.size())};
    for (std::string w; words >> w;)
      unit_args.push_back(w);
  }
  CHECK(unit_value(unit, "User") == "raft-caf");
  CHECK(unit_value(unit, "KillSignal") == "SIGTERM");
  CHECK(unit_value(unit, "TimeoutStopSec") == "5");

  // Step 1b: deploy/make-certs pki 1 2 3.
  require_tool("openssl");
  const std::string pki = root / "pki";
  auto certs = run_program({require_tool("bash"), source("deploy/make-certs"), pki, "1", "2", "3"},
                           60s);
  INFO(certs.out << certs.err);
  REQUIRE(certs.exit_code == 0);
  for (auto name : {"ca.pem", "ca.key", "node1.pem", "node1.key", "node2.pem", "node2.key",
                    "node3.pem", "node3.key", "raftctl.pem", "raftctl.key"})
    CHECK(read_file(pki + "/" + name));

  // Step 2 on every host.
  std::map<unsigned, walkthrough_host> hosts;
  for (unsigned h = 1; h <= 3; ++h) {
    auto& host = hosts[h];
    const auto hs = std::to_string(h);
    host.h = h;
    host.etc = root / ("host" + hs + "/etc/raft-caf");
    host.lib = root / ("host" + hs + "/var/lib/raft-caf");
    // install -d -o raft-caf -g raft-caf -m 0750 /var/lib/raft-caf
    install_dir(host.lib, 0750, true);
    // install -d -m 0755 /etc/raft-caf; the config, only [node] differing between hosts
    install_dir(host.etc, 0755);
    auto example = *read_file(source("deploy/example-3-hosts/node" + hs + ".toml"));
    example = replaced_all(example, "\"10.0.0.", "\"10.199.0.");
    example = replaced_all(example, "/etc/raft-caf/", host.etc + "/");
    example = replaced_all(example, "/var/lib/raft-caf/", host.lib + "/");
    write_file(root / ("host" + hs + "/node" + hs + ".toml"), example);
    install_file(root / ("host" + hs + "/node" + hs + ".toml"), host.config(), 0644);
    // the TLS files: CA and certificate 0644, the node's key 0600 for the service user,
    // raftctl's pair for root
    install_dir(host.etc + "/tls", 0755);
    install_file(pki + "/ca.pem", host.etc + "/tls/ca.pem", 0644);
    install_file(pki + "/node" + hs + ".pem", host.etc + "/tls/node" + hs + ".pem", 0644);
    install_file(pki + "/node" + hs + ".key", host.etc + "/tls/node" + hs + ".key", 0600, true);
    install_file(pki + "/raftctl.pem", host.etc + "/tls/raftctl.pem", 0644);
    install_file(pki + "/raftctl.key", host.etc + "/tls/raftctl.key", 0600);
    // cluster.toml: the walkthrough's sed over this node's file
    auto cluster = run_checked({require_tool("sed"), "-e",
                                "s|tls/node" + hs + ".pem|tls/raftctl.pem|", "-e",
                                "s|tls/node" + hs + ".key|tls/raftctl.key|", host.config()});
    write_file(host.cluster_config(), cluster);
    CHECK(cluster.find("tls/raftctl.pem") != std::string::npos);
    CHECK(cluster.find("tls/raftctl.key") != std::string::npos);
    CHECK(cluster.find("tls/node" + hs) == std::string::npos);

    // Check the config before starting: raftctl validates it and its TLS files; exit 1 (no
    // cluster is running yet), never 2.
    auto check = raftctl_status(host.config(), net.host(h).exec_prefix());
    INFO("host " << h << ": " << check.run.out << check.run.err);
    CHECK(check.run.exit_code == 1);
    CHECK(check.reachable() == 0);
    CHECK(check.run.err.empty());
  }

  // Step 3: sudo -u raft-caf raft-node --config /etc/raft-caf/node$h.toml --init
  const std::vector<std::string> as_service_user{
    require_tool("setpriv"), "--reuid=" + std::to_string(service_uid),
    "--regid=" + std::to_string(service_gid), "--clear-groups"};
  for (auto& [h, host] : hosts) {
    auto argv = as_service_user;
    argv.insert(argv.end(), {raft_node_path(), "--config", host.config(), "--init"});
    auto init = run_program(argv, 10s);
    INFO(init.out << init.err);
    REQUIRE(init.exit_code == 0);
    const auto data_dir = host.lib + "/" + std::to_string(h);
    CHECK(init.out == "node " + std::to_string(h) + ": initialised " + data_dir +
                        "/state: term 0, no vote, and an empty log in " + data_dir + "/log\n");
    struct stat st {};
    REQUIRE(::stat((host.lib + "/" + std::to_string(h) + "/state").c_str(), &st) == 0);
    CHECK(st.st_uid == service_uid);
  }

  // Step 4: systemctl enable --now raft-node@$h — ExecStart as the service user, in the
  // host's namespace; the journal is the node's log file.
  for (auto& [h, host] : hosts) {
    const auto hs = std::to_string(h);
    host.node = std::make_unique<node_process>(h, host.config(), root / ("journal" + hs + ".log"),
                                               root / ("journal" + hs + ".err"));
    auto launcher = net.host(h).exec_prefix();
    launcher.insert(launcher.end(), as_service_user.begin(), as_service_user.end());
    host.node->set_launcher(launcher);
    host.node->set_extra_args(unit_args);
    host.node->start();
  }
  // A failed REQUIRE from here on prints every host's journal.
  struct journals_on_failure {
    std::map<unsigned, walkthrough_host>& hosts;
    ~journals_on_failure() {
      if (std::uncaught_exceptions() == 0)
        return;
      for (auto& [h, host] : hosts)
        std::cerr << "--- host " << h << " journal ---\n"
                  << read_file(host.node->log_path()).value_or("") << host.node->stderr_text();
    }
  } journals{hosts};
  for (auto& [h, host] : hosts) {
    auto started = host.node->wait_event(
      [](const event& e) { return e.name == "started"; }, 10s);
    REQUIRE(started);
    CHECK(started->str("tls") == std::optional<std::string>{"true"});
    CHECK(started->str("address") ==
          std::optional<std::string>{bridge_network::address(h) + ":7101"});
  }

  // Step 5: raftctl status --config /etc/raft-caf/cluster.toml from any host (here host 2):
  // "three lines with reachable true, the same term, one leader and the same leader
  // everywhere, and exit status 0" — waited for: an election, a returning node learning the
  // term, and TLS connects on a loaded machine take a moment.
  auto verify_from = [&](unsigned h, std::size_t reachable) {
    status_result s;
    eventually(
      [&] {
        s = raftctl_status(hosts[h].cluster_config(), net.host(h).exec_prefix());
        if (s.run.exit_code != 0 || s.reachable() != reachable || s.leaders().size() != 1)
          return false;
        const auto leader_id = s.leaders().front();
        std::optional<std::uint64_t> leader_term;
        for (auto& p : s.peers)
          if (p.id == leader_id)
            leader_term = p.term;
        for (auto& p : s.peers)
          if (p.reachable &&
              (p.term != leader_term || p.leader != std::optional<std::uint64_t>{leader_id}))
            return false;
        return true;
      },
      10s, 100ms);
    return s;
  };
  auto s = verify_from(2, 3);
  INFO(s.run.out << s.run.err);
  // raftctl reads raftctl.key (root's, mode 0600): an operator without sudo gets exit 2
  // naming the file, which is why the walkthrough runs it with sudo.
  {
    auto argv = net.host(2).exec_prefix();
    argv.insert(argv.end(), as_service_user.begin(), as_service_user.end());
    argv.insert(argv.end(), {raftctl_path(), "status", "--config", hosts[2].cluster_config()});
    auto unprivileged = run_program(argv, 10s);
    INFO(unprivileged.out << unprivileged.err);
    CHECK(unprivileged.exit_code == 2);
    CHECK(unprivileged.err.find("raftctl.key: cannot read: Permission denied") !=
          std::string::npos);
  }
  REQUIRE(s.run.exit_code == 0);
  REQUIRE(s.reachable() == 3);
  REQUIRE(s.leaders().size() == 1);
  const auto leader = s.leaders().front();
  const auto term = s.peers.front().term;
  for (auto& p : s.peers) {
    CHECK(p.term == term);
    CHECK(p.leader == std::optional<std::uint64_t>{leader});
  }
  // Step 5, the key-value store: sudo raftctl put / get --config cluster.toml --json.
  auto raftctl_kv = [&](unsigned h, std::vector<std::string> args) {
    auto argv = net.host(h).exec_prefix();
    argv.push_back(raftctl_path());
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--config", hosts[h].cluster_config(), "--json"});
    return run_program(argv, 20s);
  };
  auto put = raftctl_kv(2, {"put", "greeting", "hello"});
  INFO(put.out << put.err);
  CHECK(put.exit_code == 0);
  CHECK(put.out == "{\"ok\":true}\n");

  // The failover test: systemctl stop raft-node@<leader> (SIGTERM; it exits 0 within 2 s),
  // a new leader of a higher term on the other two, then systemctl start: a follower.
  auto& old = *hosts[static_cast<unsigned>(leader)].node;
  old.signal(SIGTERM);
  auto stopped = old.wait_exit(5s); // TimeoutStopSec
  REQUIRE(stopped);
  CHECK(*stopped == 0);
  const unsigned other = leader == 1 ? 2 : 1;
  status_result after;
  eventually(
    [&] {
      after = raftctl_status(hosts[other].cluster_config(), net.host(other).exec_prefix());
      return after.run.exit_code == 0 && after.leaders().size() == 1 &&
             after.leaders().front() != leader;
    },
    10s, 100ms);
  INFO(after.run.out << after.run.err);
  REQUIRE(after.run.exit_code == 0);
  REQUIRE(after.leaders().size() == 1);
  const auto next = after.leaders().front();
  CHECK(next != leader);
  std::optional<std::uint64_t> next_term;
  for (auto& p : after.peers)
    if (p.id == next)
      next_term = p.term;
  REQUIRE(next_term);
  CHECK(*next_term > term.value_or(0));

  // The write acknowledged before the failover is read back through the new leader.
  auto got = raftctl_kv(other, {"get", "greeting"});
  INFO(got.out << got.err);
  CHECK(got.exit_code == 0);
  CHECK(got.out == "{\"found\":true,\"value\":\"hello\"}\n");

  old.start();
  auto back = verify_from(other, 3);
  INFO(back.run.out << back.run.err);
  CHECK(back.reachable() == 3);
  CHECK(back.leaders() == std::vector<std::uint64_t>{next});
  for (auto& p : back.peers) {
    CHECK(p.term == next_term);
    if (p.id == leader)
      CHECK(p.role == std::optional<std::string>{"follower"});
  }

  // Every node stops cleanly (exit 0), no term had two leaders, nothing was refused.
  std::vector<std::vector<event>> all;
  for (auto& [h, host] : hosts) {
    host.node->signal(SIGTERM);
    auto status = host.node->wait_exit(5s);
    REQUIRE(status);
    CHECK(*status == 0);
    all.push_back(host.node->events());
  }
  raft::testing::safety_monitor monitor;
  for (auto& events : all)
    observe_roles(monitor, events);
  CHECK(monitor.report() == "");
  for (auto& events : all) // members and raftctl never trip a node's guards
    for (auto& e : events) {
      INFO(e.raw);
      CHECK(e.name != "remote_refused");
    }
}

/// raftctl: asks the members of a cluster for their state, or watches it change.
///
///   raftctl status --config FILE [--json]
///   raftctl watch --config FILE [--json]
///
/// `status` asks every [[peer]] of FILE once and prints an aligned table when stdout is a
/// terminal, and one JSON line per member otherwise or with `--json`:
///   {"id":1,"address":"10.0.0.1:7101","reachable":true,"term":5,"role":"leader","leader":1}
/// It answers within 2 s in total, even when hosts are down or drop packets: every peer is
/// asked in parallel, each first through a time-limited TCP probe (a black-holed host must
/// not block CAF's middleman), and whatever has not answered by the deadline is reported
/// unreachable. Exit status: 0 when a majority is reachable and exactly one reachable peer
/// is leader of the highest term seen; 1 otherwise; 2 for usage or config errors.
///
/// `watch` subscribes to every member (actors/role_feed.hpp: the node pushes each role
/// change, nothing is polled) and prints one line per change as it arrives: the member's
/// state when it is first reached, every change of its term, role or known leader, and
/// `unreachable` when its connection drops or it cannot be reached. A member that is down is
/// tried again with backoff (100 ms doubling to 2 s), so members that come and go are
/// followed. Lines are text on a terminal, JSON (the status object with `ts` first)
/// otherwise or with `--json`. It runs until SIGINT or SIGTERM and then exits 0.

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "actors/node_system.hpp"
#include "actors/peer_interface.hpp"
#include "actors/role_feed.hpp"
#include "apps/cli.hpp"
#include "apps/event_log.hpp"
#include "apps/status_view.hpp"
#include "config/load_config.hpp"
#include "config/transport_timing.hpp"
#include "core/role.hpp"
#include "net/tcp_probe.hpp"
#include "tls/certificate_check.hpp"

using namespace raft;
using namespace std::chrono_literals;

namespace {

using steady = std::chrono::steady_clock;

struct answer {
  bool done = false;
  std::optional<node_status> status;
};

/// The member's published endpoint, connected within `deadline`; nothing when the host does
/// not answer in time or does not offer the raft node interface.
node_endpoint connect_endpoint(caf::actor_system& sys, caf::scoped_actor& self,
                               const peer_address& p, steady::time_point deadline) {
  node_endpoint remote;
  if (!tcp_reachable(p.host, p.port, 500ms))
    return remote;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
  if (left <= 0ms)
    return remote;
  self->request(transport_of(sys), left, caf::connect_atom::value, p.host, p.port)
    .receive(
      [&](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>& ifs) {
        if (ptr && ifs == sys.message_types<node_endpoint>())
          remote = caf::actor_cast<node_endpoint>(ptr);
      },
      [](caf::error&) {});
  return remote;
}

std::optional<node_status> ask(caf::actor_system& sys, const peer_address& p,
                               steady::time_point deadline) {
  caf::scoped_actor self{sys, true};
  auto remote = connect_endpoint(sys, self, p, deadline);
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
  if (!remote || left <= 0ms)
    return std::nullopt;
  std::optional<node_status> result;
  self->request(remote, left, status_atom::value)
    .receive([&](node_status& s) { result = s; }, [](caf::error&) {});
  return result;
}

int status_command(caf::actor_system& sys, const std::vector<peer_address>& peers, bool json) {
  auto deadline = steady::now() + 1800ms;
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<answer> answers(peers.size());
  for (std::size_t i = 0; i < peers.size(); ++i) {
    std::thread([&, i] {
      auto s = ask(sys, peers[i], deadline);
      std::lock_guard<std::mutex> guard{mtx};
      answers[i].done = true;
      answers[i].status = s;
      cv.notify_all();
    }).detach();
  }
  std::vector<member_view> seen;
  {
    std::unique_lock<std::mutex> guard{mtx};
    cv.wait_until(guard, deadline + 100ms, [&] {
      return std::all_of(answers.begin(), answers.end(), [](auto& a) { return a.done; });
    });
    for (std::size_t i = 0; i < peers.size(); ++i) // not answered by now: unreachable
      seen.push_back(member_view{peers[i], answers[i].status});
  }
  std::size_t reachable = 0;
  term_t top = 0;
  for (auto& m : seen) {
    if (m.status) {
      ++reachable;
      top = std::max(top, m.status->term);
    }
  }
  std::size_t leaders = 0;
  for (auto& m : seen)
    if (m.status && m.status->term == top &&
        m.status->role == static_cast<std::uint8_t>(role::leader))
      ++leaders;
  if (json) {
    for (auto& m : seen)
      std::printf("%s\n", json_line(m).c_str());
  } else {
    std::printf("%s", status_table(seen).c_str());
  }
  return reachable >= peers.size() / 2 + 1 && leaders == 1 ? 0 : 1;
}

/// Prints watch lines whole, one at a time, and only when a member's view changed.
class watch_printer {
public:
  explicit watch_printer(bool json) : json_(json) {}

  void show(const member_view& m) {
    std::lock_guard<std::mutex> guard{mtx_};
    auto& last = last_[m.address.id];
    if (last && *last == m.status)
      return;
    last = m.status;
    auto ts = event_log::timestamp();
    auto line = json_ ? json_line(m, ts) : watch_text_line(m, ts);
    std::fprintf(stdout, "%s\n", line.c_str());
    std::fflush(stdout);
  }

private:
  bool json_;
  std::mutex mtx_;
  std::map<peer_id, std::optional<std::optional<node_status>>> last_;
};

std::atomic<bool> stop_watching{false};

/// Follows one member until stop_watching: connect, subscribe, print what it pushes;
/// on a drop or refusal, report it unreachable and try again with backoff.
void watch_member(caf::actor_system& sys, const peer_address& p, watch_printer& out) {
  auto backoff = 100ms;
  caf::scoped_actor self{sys, true};
  auto pause = [&] {
    for (auto until = steady::now() + backoff; steady::now() < until && !stop_watching;)
      std::this_thread::sleep_for(20ms);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2s));
  };
  while (!stop_watching) {
    auto remote = connect_endpoint(sys, self, p, steady::now() + 2s);
    if (!remote) {
      out.show(member_view{p, std::nullopt});
      pause();
      continue;
    }
    self->monitor(remote);
    self->send(remote, watch_atom::value, caf::actor_cast<caf::actor>(self));
    bool connected = true;
    bool answered = false;
    auto asked = steady::now();
    while (connected && !stop_watching) {
      self->receive(
        [&](role_atom, const node_status& s) {
          answered = true;
          backoff = 100ms;
          out.show(member_view{p, s});
        },
        [&](watch_full_atom) {
          std::fprintf(stderr, "raftctl: node %u at %s serves %zu watchers already; retrying\n",
                       p.id, address_text(p).c_str(), max_watchers);
          connected = false;
        },
        [&](const caf::down_msg& dm) {
          if (dm.source == remote.address())
            connected = false;
        },
        caf::after(200ms) >> [&] {
          if (!answered && steady::now() - asked > 2s)
            connected = false; // subscribed but never told anything
        });
    }
    self->demonitor(remote.address());
    if (stop_watching)
      break;
    out.show(member_view{p, std::nullopt});
    pause();
  }
}

int watch_command(caf::actor_system& sys, const std::vector<peer_address>& peers, bool json,
                  const sigset_t& stop_signals) {
  watch_printer out{json};
  for (auto& p : peers)
    std::thread([&sys, p, &out] { watch_member(sys, p, out); }).detach();
  int sig = 0;
  sigwait(&stop_signals, &sig);
  stop_watching = true;
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  std::string config_path;
  bool json = false;
  CLI::App app{"Asks the members of a Raft cluster for their state, or watches it change.",
               "raftctl"};
  app.require_subcommand(1);
  auto* status_cmd = app.add_subcommand(
    "status", "each member's term, role and leader, once: a table on a terminal, else JSON lines");
  auto* watch_cmd = app.add_subcommand(
    "watch", "every role change of every member as it happens, until SIGINT or SIGTERM");
  for (auto* cmd : {status_cmd, watch_cmd}) {
    cmd->add_option("--config", config_path, "a member's TOML config (its [[peer]] list)")
      ->required()
      ->type_name("FILE");
    cmd->add_flag("--json", json, "JSON lines even on a terminal");
  }
  if (auto status = parse_command_line(app, argc, argv))
    return *status;
  auto loaded = load_cluster_config(config_path);
  if (!loaded) {
    for (auto& e : loaded.errors)
      std::fprintf(stderr, "%s\n", e.c_str());
    return 2;
  }
  const auto& peers = loaded.config->peers;
  if (loaded.config->tls) {
    // Members accept any certificate the cluster CA signed for status (README "Mutual TLS").
    auto problems = check_tls_files(*loaded.config->tls, "", config_path);
    for (auto& e : problems)
      std::fprintf(stderr, "%s\n", e.c_str());
    if (!problems.empty())
      return 2;
  }
  if (!isatty(STDOUT_FILENO))
    json = true; // scripts keep getting JSON lines

  // SIGINT/SIGTERM end `watch` through sigwait; blocked before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  if (watch_cmd->parsed())
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  caf::actor_system_config cfg;
  configure_node_system(cfg, transport_timing_for(loaded.config->timing), loaded.config->tls);
  auto* sys = new caf::actor_system(cfg); // never destroyed: see below
  int status = watch_cmd->parsed() ? watch_command(*sys, peers, json, stop_signals)
                                   : status_command(*sys, peers, json);
  std::fflush(stdout);
  // A connect may still hang in the middleman; a one-shot tool leaves without waiting.
  _exit(status);
}

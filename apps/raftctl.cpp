/// raftctl: asks the members of a cluster for their state, or watches it change, and reads
/// and writes the cluster's key-value store.
///
///   raftctl status --config FILE [--json]
///   raftctl watch --config FILE [--json]
///   raftctl put --config FILE KEY VALUE [--json] [--timeout MS]
///   raftctl get --config FILE KEY [--json] [--timeout MS] [--read linearizable|lease|local]
///   raftctl delete --config FILE KEY [--json] [--timeout MS]
///   raftctl cas --config FILE KEY EXPECTED NEW | --absent KEY NEW  [--json] [--timeout MS]
///
/// put, get, delete and cas go through client/kv_client.hpp (leader found from any member,
/// retried across leader changes, exactly-once writes through a session); their output and
/// exit status are apps/kv_output.hpp's: 0 known outcome, 3 unknown, 1 known not done, 2
/// usage.
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
#include "apps/kv_output.hpp"
#include "apps/status_view.hpp"
#include "client/endpoint_connect.hpp"
#include "kv/codec.hpp"
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

/// One key-value command through a kv_client; prints and returns the exit status.
int kv_command_run(caf::actor_system& sys, const cluster_config& conf, kv_command cmd,
                   const std::vector<std::string>& args, bool absent, read_consistency how,
                   std::chrono::milliseconds timeout, bool json) {
  const auto& peers = conf.peers;
  kv_client_options opts;
  opts.prefer = conf.node_id; // the member whose config this is, first
  opts.timeout = timeout;
  opts.attempt = std::min<std::chrono::milliseconds>(timeout, 1000ms);
  opts.reads = how;
  kv_client client{sys, peers, opts};
  kv_result r;
  switch (cmd) {
    case kv_command::put: r = client.put(args[0], args[1]); break;
    case kv_command::get: r = client.get(args[0]); break;
    case kv_command::del: r = client.del(args[0]); break;
    case kv_command::cas:
      r = absent ? client.cas(args[0], std::nullopt, args[1])
                 : client.cas(args[0], args[1], args[2]);
      break;
  }
  auto printed = print_kv_result(cmd, r, json);
  std::fputs(printed.out.c_str(), stdout);
  std::fputs(printed.err.c_str(), stderr);
  return printed.status;
}

/// Usage errors of the key-value commands that the store would refuse anyway: caught before
/// anything is sent (kv/codec.hpp limits). Empty when the arguments are fine.
std::string kv_usage_problem(kv_command cmd, const std::vector<std::string>& args, bool absent) {
  std::size_t want = cmd == kv_command::put ? 2 : cmd == kv_command::cas ? (absent ? 2 : 3) : 1;
  if (args.size() != want) {
    const char* shape = cmd == kv_command::put   ? "KEY VALUE"
                        : cmd == kv_command::cas ? (absent ? "--absent KEY NEW" : "KEY EXPECTED NEW")
                                                 : "KEY";
    return "expected " + std::string(shape) + ", got " + std::to_string(args.size()) +
           " argument" + (args.size() == 1 ? "" : "s");
  }
  if (args[0].size() > kv::max_key_bytes)
    return "the key is " + std::to_string(args[0].size()) + " bytes, above the limit of " +
           std::to_string(kv::max_key_bytes);
  for (std::size_t i = 1; i < args.size(); ++i)
    if (args[i].size() > kv::max_value_bytes)
      return "a value of " + std::to_string(args[i].size()) + " bytes is above the limit of " +
             std::to_string(kv::max_value_bytes);
  return {};
}

int main(int argc, char** argv) {
  std::string config_path;
  bool json = false;
  std::vector<std::string> kv_args;
  bool absent = false;
  std::uint64_t timeout_ms = 5000;
  std::string read_mode = "linearizable";
  CLI::App app{"Asks the members of a Raft cluster for their state, or watches it change.",
               "raftctl"};
  app.require_subcommand(1);
  auto* status_cmd = app.add_subcommand(
    "status", "each member's term, role and leader, once: a table on a terminal, else JSON lines");
  auto* watch_cmd = app.add_subcommand(
    "watch", "every role change of every member as it happens, until SIGINT or SIGTERM");
  auto* put_cmd = app.add_subcommand("put", "write KEY = VALUE");
  auto* get_cmd = app.add_subcommand("get", "read KEY (linearizable unless --read says otherwise)");
  auto* del_cmd = app.add_subcommand("delete", "remove KEY");
  auto* cas_cmd = app.add_subcommand(
    "cas", "write NEW if KEY holds EXPECTED (or, with --absent, if KEY is absent)");
  for (auto* cmd : {status_cmd, watch_cmd, put_cmd, get_cmd, del_cmd, cas_cmd}) {
    cmd->add_option("--config", config_path, "a member's TOML config (its [[peer]] list)")
      ->required()
      ->type_name("FILE");
    cmd->add_flag("--json", json, "JSON lines even on a terminal");
  }
  for (auto* cmd : {put_cmd, get_cmd, del_cmd, cas_cmd}) {
    cmd->add_option("args", kv_args, "KEY and values")->required();
    cmd->add_option("--timeout", timeout_ms, "give up after MS milliseconds (default 5000)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{3'600'000}))
      ->type_name("MS");
  }
  cas_cmd->add_flag("--absent", absent, "only if KEY is absent (instead of EXPECTED)");
  get_cmd->add_option("--read", read_mode, "how the read is confirmed")
    ->check(one_of({"linearizable", "lease", "local"}))
    ->type_name("MODE");
  if (auto status = parse_command_line(app, argc, argv))
    return *status;
  std::optional<kv_command> kv_cmd;
  if (put_cmd->parsed()) kv_cmd = kv_command::put;
  if (get_cmd->parsed()) kv_cmd = kv_command::get;
  if (del_cmd->parsed()) kv_cmd = kv_command::del;
  if (cas_cmd->parsed()) kv_cmd = kv_command::cas;
  if (kv_cmd) {
    auto problem = kv_usage_problem(*kv_cmd, kv_args, absent);
    if (!problem.empty()) {
      std::fprintf(stderr, "raftctl: %s (see raftctl %s --help)\n", problem.c_str(),
                   app.get_subcommands().front()->get_name().c_str());
      return 2;
    }
  }
  auto loaded = load_cluster_config_or_report(config_path);
  if (!loaded)
    return 2;
  const auto& peers = loaded->peers;
  if (loaded->tls) {
    // Members accept any certificate the cluster CA signed for status (README "Mutual TLS").
    auto problems = check_tls_files(*loaded->tls, "", config_path);
    for (auto& e : problems)
      std::fprintf(stderr, "%s\n", e.c_str());
    if (!problems.empty())
      return 2;
  }
  if (!isatty(STDOUT_FILENO) && !kv_cmd)
    json = true; // scripts keep getting JSON lines

  // SIGINT/SIGTERM end `watch` through sigwait; blocked before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  if (watch_cmd->parsed())
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  caf::actor_system_config cfg;
  configure_node_system(cfg, transport_timing_for(loaded->timing), loaded->tls);
  auto* sys = new caf::actor_system(cfg); // never destroyed: see below
  int status = 0;
  if (kv_cmd) {
    auto how = read_mode == "lease" ? read_consistency::lease
               : read_mode == "local" ? read_consistency::local
                                      : read_consistency::linearizable;
    status = kv_command_run(*sys, *loaded, *kv_cmd, kv_args, absent, how,
                            std::chrono::milliseconds(timeout_ms), json);
  } else {
    status = watch_cmd->parsed() ? watch_command(*sys, peers, json, stop_signals)
                                 : status_command(*sys, peers, json);
  }
  std::fflush(stdout);
  // A connect may still hang in the middleman; a one-shot tool leaves without waiting.
  _exit(status);
}

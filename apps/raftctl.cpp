/// raftctl: asks the members of a cluster for their state.
///
///   raftctl status --config FILE
///
/// Prints one JSON line per [[peer]] of FILE:
///   {"id":1,"address":"10.0.0.1:7101","reachable":true,"term":5,"role":"leader","leader":1}
/// and answers within 2 s in total, even when hosts are down or drop packets: every peer is
/// asked in parallel, each first through a time-limited TCP probe (a black-holed host must
/// not block CAF's middleman), and whatever has not answered by the deadline is reported
/// unreachable. Exit status: 0 when a majority is reachable and exactly one reachable peer
/// is leader of the highest term seen; 1 otherwise; 2 for usage or config errors.

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>

#include "actors/node_system.hpp"
#include "actors/peer_interface.hpp"
#include "apps/cli.hpp"
#include "apps/status_view.hpp"
#include "config/load_config.hpp"
#include "core/role.hpp"
#include "net/tcp_probe.hpp"

using namespace raft;
using namespace std::chrono_literals;

namespace {

struct answer {
  bool done = false;
  std::optional<node_status> status;
};

std::optional<node_status> ask(caf::actor_system& sys, const peer_address& p,
                               std::chrono::steady_clock::time_point deadline) {
  if (!tcp_reachable(p.host, p.port, 500ms))
    return std::nullopt;
  auto left = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  };
  std::optional<node_status> result;
  caf::scoped_actor self{sys, true};
  node_endpoint remote;
  self->request(sys.middleman().actor_handle(), left(), caf::connect_atom::value, p.host, p.port)
    .receive(
      [&](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>& ifs) {
        if (ptr && ifs == sys.message_types<node_endpoint>())
          remote = caf::actor_cast<node_endpoint>(ptr);
      },
      [](caf::error&) {});
  if (!remote || left() <= 0ms)
    return std::nullopt;
  self->request(remote, left(), status_atom::value)
    .receive([&](node_status& s) { result = s; }, [](caf::error&) {});
  return result;
}

} // namespace

int main(int argc, char** argv) {
  std::string config_path;
  CLI::App app{"Asks the members of a Raft cluster for their state.", "raftctl"};
  app.require_subcommand(1);
  auto* status_cmd = app.add_subcommand("status", "one line per member: term, role, leader");
  status_cmd->add_option("--config", config_path, "a member's TOML config (its [[peer]] list)")
    ->required()
    ->type_name("FILE");
  if (auto status = parse_command_line(app, argc, argv))
    return *status;
  auto loaded = load_cluster_config(config_path);
  if (!loaded) {
    for (auto& e : loaded.errors)
      std::fprintf(stderr, "%s\n", e.c_str());
    return 2;
  }
  const auto& peers = loaded.config->peers;

  auto deadline = std::chrono::steady_clock::now() + 1800ms;
  caf::actor_system_config cfg;
  configure_node_system(cfg, transport_timing_for(loaded.config->timing));
  auto* sys = new caf::actor_system(cfg); // never destroyed: see the end of main

  std::mutex mtx;
  std::condition_variable cv;
  std::vector<answer> answers(peers.size());
  for (std::size_t i = 0; i < peers.size(); ++i) {
    std::thread([&, i] {
      auto s = ask(*sys, peers[i], deadline);
      std::lock_guard<std::mutex> guard{mtx};
      answers[i].done = true;
      answers[i].status = s;
      cv.notify_all();
    }).detach();
  }
  std::vector<answer> seen;
  {
    std::unique_lock<std::mutex> guard{mtx};
    cv.wait_until(guard, deadline + 100ms, [&] {
      return std::all_of(answers.begin(), answers.end(), [](auto& a) { return a.done; });
    });
    seen = answers; // a peer that has not answered by now counts as unreachable
  }
  std::size_t reachable = 0;
  term_t top = 0;
  for (std::size_t i = 0; i < peers.size(); ++i) {
    auto& s = seen[i].status;
    std::printf("%s\n", json_line(member_view{peers[i], s}).c_str());
    if (s) {
      ++reachable;
      top = std::max(top, s->term);
    }
  }
  std::size_t leaders = 0;
  for (auto& a : seen)
    if (a.status && a.status->term == top &&
        a.status->role == static_cast<std::uint8_t>(role::leader))
      ++leaders;
  int status = reachable >= peers.size() / 2 + 1 && leaders == 1 ? 0 : 1;
  std::fflush(stdout);
  // A connect may still hang in the middleman; a one-shot tool leaves without waiting.
  _exit(status);
}

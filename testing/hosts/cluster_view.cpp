#include "cluster_view.hpp"

#include <signal.h>

#include <algorithm>

namespace raft::hosts {

using namespace std::chrono_literals;
using process::event;

std::map<std::uint64_t, role_view> roles_now(const host_cluster& c) {
  std::map<std::uint64_t, role_view> out;
  for (auto id : c.ids())
    for (auto& e : c.node(id).events_of_this_run())
      if (e.name == "role")
        out[id] = {e.str("role").value_or(""), e.num("term").value_or(0), e.num("leader"),
                   e.ts_us};
  return out;
}

std::optional<agreement> agreed_leader(const host_cluster& c,
                                       const std::vector<std::uint64_t>& group) {
  auto now = roles_now(c);
  for (auto l : group) {
    auto it = now.find(l);
    if (it == now.end() || it->second.role != "leader")
      continue;
    agreement a{l, it->second.term, it->second.ts_us, it->second.ts_us};
    bool all = true;
    for (auto id : group) {
      if (id == l)
        continue;
      auto f = now.find(id);
      if (f == now.end() || f->second.role != "follower" || f->second.term != a.term ||
          f->second.leader != std::optional<std::uint64_t>{l}) {
        all = false;
        break;
      }
      a.since_us = std::max(a.since_us, f->second.ts_us);
    }
    if (all)
      return a;
  }
  return std::nullopt;
}

std::optional<agreement> wait_agreed_leader(const host_cluster& c,
                                            const std::vector<std::uint64_t>& group,
                                            std::chrono::milliseconds limit,
                                            std::uint64_t above) {
  std::optional<agreement> found;
  process::eventually(
    [&] {
      found = agreed_leader(c, group);
      return found && found->term > above;
    },
    limit);
  if (found && found->term <= above)
    return std::nullopt;
  return found;
}

std::optional<event> stats_of(const host_cluster& c, std::uint64_t id) {
  auto& n = c.node(id);
  if (!n.running()) // never kill(-1, …): that would signal every process
    return std::nullopt;
  std::size_t before = 0;
  for (auto& e : n.events_of_this_run())
    before += e.name == "stats" ? 1 : 0;
  ::kill(n.pid(), SIGUSR1);
  std::optional<event> found;
  process::eventually(
    [&] {
      std::size_t seen = 0;
      for (auto& e : n.events_of_this_run())
        if (e.name == "stats" && ++seen > before) {
          found = e;
          return true;
        }
      return false;
    },
    2s, 5ms);
  return found;
}

std::uint64_t wait_counter(const host_cluster& c, std::uint64_t id, const std::string& field,
                           std::uint64_t target, std::chrono::milliseconds limit) {
  std::uint64_t value = 0;
  process::eventually(
    [&] {
      if (auto s = stats_of(c, id))
        value = s->num(field).value_or(0);
      return value >= target;
    },
    limit, std::chrono::milliseconds{c.timing().heartbeat_ms});
  return value;
}

bool wait_peer_events(const host_cluster& c, std::uint64_t id, const std::string& name,
                      const std::vector<std::uint64_t>& peers, std::int64_t since_us,
                      std::chrono::milliseconds limit) {
  return process::eventually(
    [&] {
      auto evs = c.node(id).events_of_this_run();
      return std::all_of(peers.begin(), peers.end(), [&](std::uint64_t p) {
        return std::any_of(evs.begin(), evs.end(), [&](const event& e) {
          return e.name == name && e.ts_us >= since_us && e.num("peer") == std::optional{p};
        });
      });
    },
    limit);
}

std::vector<std::uint64_t> all_but(const host_cluster& c, const std::vector<std::uint64_t>& these) {
  std::vector<std::uint64_t> out;
  for (auto id : c.ids())
    if (std::find(these.begin(), these.end(), id) == these.end())
      out.push_back(id);
  return out;
}

} // namespace raft::hosts

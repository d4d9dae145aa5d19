#include "cluster_watch.hpp"

#include <map>
#include <set>
#include <string>

namespace raft::linearizability {

namespace {

bool says_leader(const process::event& e) {
  return e.name == "role" && e.str("role") == std::optional<std::string>{"leader"};
}

} // namespace

std::optional<std::uint64_t> claimed_leader(const run_cluster& c) {
  std::optional<std::uint64_t> leader;
  std::uint64_t top = 0;
  for (auto id : c.ids()) {
    auto& n = c.node(id);
    if (!n.running())
      continue;
    std::optional<process::event> last;
    for (auto& e : n.events_of_this_run())
      if (e.name == "role")
        last = e;
    if (last && says_leader(*last) && last->num("term").value_or(0) >= top) {
      top = last->num("term").value_or(0);
      leader = id;
    }
  }
  return leader;
}

std::size_t elections_since(const run_cluster& c, std::int64_t since_us) {
  std::set<std::uint64_t> terms;
  for (auto id : c.ids())
    for (auto& e : c.node(id).events())
      if (says_leader(e) && e.ts_us >= since_us)
        terms.insert(e.num("term").value_or(0));
  return terms.size();
}

std::string links_down(const run_cluster& c) {
  std::string out;
  for (auto id : c.ids()) {
    auto& n = c.node(id);
    if (!n.running())
      continue;
    std::map<std::uint64_t, bool> up;
    for (auto& e : n.events_of_this_run())
      if (e.name == "peer_up" || e.name == "peer_down")
        up[e.num("peer").value_or(0)] = e.name == "peer_up";
    for (auto other : c.others(id))
      if (!up[other])
        out += "node " + std::to_string(id) + " has no link to node " + std::to_string(other) +
               "\n";
  }
  return out;
}

std::vector<std::string> remote_refusals(const run_cluster& c) {
  std::vector<std::string> out;
  for (auto id : c.ids())
    for (auto& e : c.node(id).events())
      if (e.name == "remote_refused")
        out.push_back(e.raw);
  return out;
}

} // namespace raft::linearizability

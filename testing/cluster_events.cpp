#include "testing/cluster_events.hpp"

namespace raft::process {

void observe_roles(testing::safety_monitor& m, const std::vector<event>& events) {
  for (auto& e : events)
    if (e.name == "role")
      if (auto term = e.num("term"))
        m.observe_role(e.node, *term, e.str("role") == std::optional<std::string>{"leader"},
                       e.num("leader"));
}

void observe_status(testing::safety_monitor& m, const status_result& s) {
  for (auto& p : s.peers)
    if (p.reachable && p.term)
      m.observe_role(p.id, *p.term, p.role == std::optional<std::string>{"leader"}, p.leader);
}

} // namespace raft::process

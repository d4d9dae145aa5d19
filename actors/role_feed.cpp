#include "actors/role_feed.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <vector>

namespace raft {

namespace {

struct feed_state {
  node_status current;
  std::vector<role_watcher> watchers;
  static inline const char* name = "role_feed";
};

using feed_pointer = role_feed_actor::stateful_pointer<feed_state>;

role_feed_actor::behavior_type feed(feed_pointer self, node_status initial) {
  self->state.current = initial;
  self->set_down_handler([self](const caf::down_msg& dm) {
    auto& w = self->state.watchers;
    w.erase(std::remove_if(w.begin(), w.end(),
                           [&](const role_watcher& a) { return a.address() == dm.source; }),
            w.end());
  });
  return {
    [self](role_atom, const node_status& s) {
      self->state.current = s;
      for (auto& w : self->state.watchers)
        self->send(w, role_atom::value, s);
    },
    [self](watch_atom, const caf::actor& address) {
      auto& st = self->state;
      auto who = caf::actor_cast<role_watcher>(address);
      if (!who)
        return;
      if (std::find(st.watchers.begin(), st.watchers.end(), who) == st.watchers.end()) {
        if (st.watchers.size() >= max_watchers) {
          self->send(who, watch_full_atom::value);
          return;
        }
        self->monitor(who);
        st.watchers.push_back(who);
      }
      self->send(who, role_atom::value, st.current);
    },
  };
}

} // namespace

role_feed_actor spawn_role_feed(caf::actor_system& sys, node_status initial) {
  return sys.spawn(feed, initial);
}

} // namespace raft

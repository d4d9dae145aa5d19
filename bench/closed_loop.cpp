#include "bench/closed_loop.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <cstdio>
#include <unordered_map>

namespace raft::bench {

namespace {

using run_atom = caf::atom_constant<caf::atom("run")>;
using check_atom = caf::atom_constant<caf::atom("check")>;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

struct driver_state {
  peer_actor leader;
  closed_loop_options opts;
  std::size_t issued = 0;
  std::size_t completed = 0;
  std::size_t awaiting_reply = 0;
  std::unordered_map<log_index, std::int64_t> pending;    ///< index → propose time
  std::unordered_map<log_index, std::int64_t> early;      ///< applied before its reply came
  std::int64_t window_start = 0;
  std::int64_t window_end = 0;
  std::size_t completed_at_check = 0;
  std::shared_ptr<closed_loop_result> result; ///< read by run_closed_loop once delivered
  caf::response_promise done;
  bool finished = false;
  static inline const char* name = "closed_loop_driver";
};

using driver_pointer = caf::stateful_actor<driver_state>*;

bool window_closed(const driver_state& st) {
  return st.completed >= st.opts.warmup + st.opts.measured;
}

void finish(driver_pointer self, std::string error = {}) {
  auto& st = self->state;
  if (st.finished)
    return;
  st.finished = true;
  st.result->error = std::move(error);
  if (st.result->error.empty()) {
    st.result->window_seconds = static_cast<double>(st.window_end - st.window_start) / 1e9;
    st.result->window_start_ns = st.window_start;
    st.result->window_end_ns = st.window_end;
    const auto seconds = st.result->window_seconds;
    st.result->entries_per_second =
      seconds > 0 ? static_cast<double>(st.opts.measured) / seconds : 0;
  }
  st.done.deliver(run_atom::value);
  self->quit();
}

void maybe_finish(driver_pointer self) {
  auto& st = self->state;
  if (window_closed(st) && st.pending.empty() && st.awaiting_reply == 0)
    finish(self);
}

void complete(driver_pointer self, std::int64_t proposed, std::int64_t applied);

void propose(driver_pointer self) {
  auto& st = self->state;
  ++st.issued;
  ++st.awaiting_reply;
  std::string command(st.opts.entry_bytes, 'x');
  auto tag = std::to_string(st.issued);
  command.replace(0, std::min(tag.size(), command.size()), tag, 0, command.size());
  const auto start = now_ns();
  self->request(st.leader, caf::infinite, propose_atom::value, std::move(command))
    .then(
      [self, start](log_index index, term_t, bool is_leader) {
        auto& s = self->state;
        --s.awaiting_reply;
        if (!is_leader) {
          finish(self, "the leader lost office during the run");
          return;
        }
        if (auto e = s.early.find(index); e != s.early.end()) {
          auto applied = e->second;
          s.early.erase(e);
          complete(self, start, applied);
          return;
        }
        s.pending.emplace(index, start);
      },
      [self](caf::error& err) {
        finish(self, "propose failed: " + self->system().render(err));
      });
}

void complete(driver_pointer self, std::int64_t proposed, std::int64_t applied) {
  auto& st = self->state;
  ++st.completed;
  const auto& o = st.opts;
  if (st.completed == o.warmup)
    st.window_start = applied;
  if (st.completed > o.warmup && st.completed <= o.warmup + o.measured)
    st.result->latency_us.push_back(static_cast<double>(applied - proposed) / 1e3);
  if (st.completed == o.warmup + o.measured)
    st.window_end = applied;
  if (!window_closed(st))
    propose(self); // this proposer's next entry
  else
    maybe_finish(self);
}

caf::behavior driver(driver_pointer self, peer_actor leader, closed_loop_options opts,
                     std::shared_ptr<closed_loop_result> result) {
  self->state.leader = std::move(leader);
  self->state.result = std::move(result);
  self->state.opts = opts;
  if (opts.warmup == 0)
    self->state.window_start = now_ns();
  return {
    [self](run_atom) {
      auto& st = self->state;
      st.done = self->make_response_promise();
      for (std::size_t p = 0; p < st.opts.proposers; ++p)
        propose(self);
      self->delayed_send(self, std::chrono::milliseconds(st.opts.stall_ms), check_atom::value);
      return st.done;
    },
    [self](applied_atom, log_index first, log_index last, std::int64_t t) {
      auto& st = self->state;
      for (auto i = first; i <= last; ++i) {
        auto p = st.pending.find(i);
        if (p == st.pending.end()) {
          st.early.emplace(i, t); // its propose reply has not arrived yet
          continue;
        }
        auto proposed = p->second;
        st.pending.erase(p);
        complete(self, proposed, t);
      }
    },
    [self](check_atom) {
      auto& st = self->state;
      if (st.completed == st.completed_at_check) {
        finish(self, "no entry applied for " + std::to_string(st.opts.stall_ms) + " ms");
        return;
      }
      st.completed_at_check = st.completed;
      self->delayed_send(self, std::chrono::milliseconds(st.opts.stall_ms), check_atom::value);
    },
  };
}

} // namespace

closed_loop_result run_closed_loop(caf::actor_system& sys, bench_cluster& cluster,
                                   peer_id leader, const closed_loop_options& opts) {
  auto result = std::make_shared<closed_loop_result>();
  auto d = sys.spawn(driver, cluster.peer(leader), opts, result);
  cluster.listen(leader, d);
  closed_loop_result out;
  caf::scoped_actor self{sys};
  // The driver fills `result` in before it answers.
  self->request(d, caf::infinite, run_atom::value)
    .receive([&](run_atom) { out = std::move(*result); },
             [&](caf::error& err) { out.error = "driver failed: " + sys.render(err); });
  cluster.listen(leader, caf::actor{});
  return out;
}

} // namespace raft::bench

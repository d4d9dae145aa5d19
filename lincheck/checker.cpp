#include "lincheck/checker.hpp"

#include <stdexcept>

#include "lincheck/explain.hpp"
#include "lincheck/key_history.hpp"
#include "lincheck/search.hpp"

namespace raft::lincheck {

const char* to_string(verdict v) {
  switch (v) {
    case verdict::linearizable: return "linearizable";
    case verdict::not_linearizable: return "not linearizable";
    case verdict::unknown: return "unknown";
  }
  return "?";
}

check_result check(const history& h, const check_options& opts) {
  for (std::size_t i = 0; i < h.size(); ++i)
    if (h[i].done && h[i].done->ret < h[i].call)
      throw std::invalid_argument("operation " + std::to_string(i) + " returns before its call");

  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (opts.time_limit) deadline = std::chrono::steady_clock::now() + *opts.time_limit;
  budget b{opts.max_steps, 0, deadline, false};

  const std::vector<key_history> keys = partition_by_key(h);
  check_result r;
  r.keys = keys.size();
  const key_history* undecided = nullptr;
  for (const key_history& kh : keys) {
    op_time stuck_at = 0;
    search_result s = search(kh.ops, std::nullopt, b, &stuck_at);
    if (s == search_result::out_of_budget) {
      undecided = &kh;  // the budget is shared: no later key can be searched either
      break;
    }
    if (s == search_result::linearizable) continue;
    r.result = verdict::not_linearizable;
    r.key = kh.key;
    r.steps = b.used;
    if (opts.explain) {
      budget eb{opts.explain_steps, 0, deadline, false};
      explanation e = explain(h, kh, stuck_at, eb);
      r.explanation = std::move(e.text);
      r.operations = std::move(e.operations);
      r.explain_steps = eb.used;
    } else {
      r.explanation = "key " + quote(kh.key) + ": not linearizable (not explained)\n";
    }
    return r;
  }
  r.steps = b.used;
  if (undecided) {
    r.result = verdict::unknown;
    r.key = undecided->key;
    r.explanation = "key " + quote(undecided->key) + " (" + std::to_string(undecided->ops.size()) +
                    " operations): the search ran out of its budget (" +
                    (b.deadline_passed ? "time limit" : std::to_string(opts.max_steps) + " steps") +
                    ") before deciding\n";
  }
  return r;
}

} // namespace raft::lincheck

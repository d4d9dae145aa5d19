#include "lincheck/explain.hpp"

#include <algorithm>
#include <optional>
#include <set>

namespace raft::lincheck {

namespace {

/// How an operation of the key takes part in a trial search.
enum class mode : std::uint8_t { left_out, pending, known };

/// Bounds each trial so that one hard relaxation cannot eat the whole budget.
constexpr std::uint64_t trial_steps = 1'000'000;
/// The culprit-alone trial makes every write pending; it is only worth it when quick.
constexpr std::uint64_t shortcut_steps = 100'000;

/// Relaxing a known operation: a read is left out (one constraint fewer), a write becomes
/// pending (it may take effect after its call, or never).
mode relaxed_mode(const compact_op& o) {
  const bool reads_only = o.cmd.kind == op_kind::get || (o.cmd.kind == op_kind::cas && !o.out.ok);
  return reads_only ? mode::left_out : mode::pending;
}

bool sets_state(const compact_op& o) {
  return o.cmd.kind == op_kind::put || o.cmd.kind == op_kind::del ||
         (o.cmd.kind == op_kind::cas && o.out.ok);
}

class explainer {
public:
  explainer(const key_history& kh, budget& b) : kh_(kh), b_(b) {}

  /// Operations called by t; those not returned by t are pending.
  std::vector<mode> prefix(op_time t) const {
    std::vector<mode> m(kh_.ops.size(), mode::left_out);
    for (std::size_t i = 0; i < m.size(); ++i) {
      const compact_op& o = kh_.ops[i];
      if (o.call > t) continue;
      m[i] = o.known && o.ret <= t ? mode::known : mode::pending;
    }
    return m;
  }

  /// From `m`, the operations seen from time s on: finished before s left out, running at s
  /// pending.
  std::vector<mode> window(std::vector<mode> m, op_time s) const {
    for (std::size_t i = 0; i < m.size(); ++i) {
      const compact_op& o = kh_.ops[i];
      if (m[i] == mode::left_out || o.call >= s) continue;
      m[i] = m[i] == mode::known && o.ret < s ? mode::left_out : mode::pending;
    }
    return m;
  }

  /// True when the search proved that no order exists: from the absent key, or (windowed)
  /// from every state. Out of budget counts as not proved; unless the trial is a `shortcut`
  /// (one worth trying, with a lower cap), it marks the explanation as cut short.
  bool fails(const std::vector<mode>& m, bool windowed, bool shortcut = false) {
    std::vector<compact_op> ops;
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (m[i] == mode::left_out) continue;
      compact_op o = kh_.ops[i];
      o.known = m[i] == mode::known;
      ops.push_back(o);
    }
    std::vector<std::optional<value_id>> initials{std::nullopt};
    if (windowed) {
      // The starting state is seen only by operations placed before the first state-setting
      // one; those are called by the earliest return r of a known state-setting operation.
      // Only the values they compare with can tell starting states apart; one fresh id
      // stands for every other value (lincheck/search.hpp folds them alike).
      op_time r = INT64_MAX;
      for (const compact_op& o : ops)
        if (o.known && sets_state(o)) r = std::min(r, o.ret);
      std::set<value_id> compared;
      for (const compact_op& o : ops) {
        if (o.call > r) continue;
        if (o.cmd.expected) compared.insert(*o.cmd.expected);
        if (o.known && o.out.observed) compared.insert(*o.out.observed);
      }
      initials.insert(initials.end(), compared.begin(), compared.end());
      initials.push_back(static_cast<value_id>(kh_.values.size()));
    }
    for (const auto& init : initials) {
      if (b_.exhausted()) {
        cut_short_ = cut_short_ || !shortcut;
        return false;
      }
      const std::uint64_t cap = shortcut ? shortcut_steps : trial_steps;
      budget trial{std::min(cap, b_.max_steps - b_.used), 0, b_.deadline, false};
      search_result r = search(ops, init, trial);
      b_.used += trial.used;
      b_.deadline_passed = b_.deadline_passed || trial.deadline_passed;
      if (r == search_result::out_of_budget && !shortcut) cut_short_ = true;
      if (r != search_result::not_linearizable) return false;
    }
    return true;
  }

  bool cut_short() const { return cut_short_; }

private:
  const key_history& kh_;
  budget& b_;
  bool cut_short_ = false;
};

} // namespace

explanation explain(const history& h, const key_history& kh, op_time t, budget& b) {
  explainer ex(kh, b);
  const std::size_t n = kh.ops.size();
  std::vector<mode> m = ex.prefix(t);
  const std::size_t in_prefix =
      static_cast<std::size_t>(std::count_if(m.begin(), m.end(), [](mode x) { return x != mode::left_out; }));

  op_time previous_return = INT64_MIN;  // the latest return before t, for the text
  for (const compact_op& o : kh.ops)
    if (o.known && o.ret < t) previous_return = std::max(previous_return, o.ret);

  // Localizing a culprit c (step 2 of the header): c alone (every other write pending), or
  // the latest window start that still fails from any state. Returns the modes found.
  struct localized {
    std::vector<mode> m;
    bool windowed = false;
    op_time s = 0;
  };
  auto localize = [&](const std::vector<mode>& base, std::size_t c) -> std::optional<localized> {
    std::vector<mode> only = base;
    for (std::size_t i = 0; i < n; ++i)
      if (i != c && only[i] == mode::known) only[i] = relaxed_mode(kh.ops[i]);
    if (ex.fails(only, false, true)) return localized{std::move(only), false, 0};
    // Candidate starts, latest first: the call times up to c's, except the first call of
    // all (a window that cuts nothing only loses the knowledge that the key starts absent).
    std::vector<op_time> starts;
    for (std::size_t i = 0; i < n; ++i)
      if (base[i] != mode::left_out && kh.ops[i].call <= kh.ops[c].call) starts.push_back(kh.ops[i].call);
    std::sort(starts.begin(), starts.end(), std::greater<>());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    starts.pop_back();
    // Gallop back (windows of 1, 2, 4 ... start times) to the first that fails, then halve
    // the gap: failing is monotone in the window (an earlier start only adds constraints).
    std::size_t good = starts.size(), bad = 0;  // starts[good] fails; those before bad do not
    for (std::size_t k = 1; k <= starts.size(); k *= 2) {
      if (ex.fails(ex.window(base, starts[k - 1]), true)) {
        good = k - 1;
        break;
      }
      bad = k;
    }
    if (good == starts.size() && bad < starts.size() && ex.fails(ex.window(base, starts.back()), true))
      good = starts.size() - 1;
    if (good == starts.size()) return std::nullopt;
    while (bad < good) {
      const std::size_t mid = (bad + good) / 2;
      if (ex.fails(ex.window(base, starts[mid]), true))
        good = mid;
      else
        bad = mid + 1;
    }
    return localized{ex.window(base, starts[good]), true, starts[good]};
  };

  // 1 and 2. The culprit: the operation returning at t. If several do, the first that fails
  // with the others pending (tried through the cheap localizations first).
  std::vector<std::size_t> at_t;
  for (std::size_t i = 0; i < n; ++i)
    if (m[i] == mode::known && kh.ops[i].ret == t) at_t.push_back(i);
  auto others_pending = [&](std::size_t c) {
    std::vector<mode> r = m;
    for (std::size_t j : at_t)
      if (j != c) r[j] = mode::pending;
    return r;
  };
  std::size_t culprit = at_t.front();
  std::optional<localized> where;
  for (std::size_t c : at_t) {
    where = localize(at_t.size() > 1 ? others_pending(c) : m, c);
    if (where) {
      culprit = c;
      break;
    }
  }
  bool windowed = false;
  op_time s = 0;
  if (where) {
    m = std::move(where->m);
    windowed = where->windowed;
    s = where->s;
  } else if (at_t.size() > 1) {
    for (std::size_t c : at_t) {
      if (ex.fails(others_pending(c), false)) {
        culprit = c;
        m = others_pending(c);
        break;
      }
    }
  }

  // 3. Relax every other known operation that the contradiction does not need.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < n; ++i)
    if (m[i] == mode::known && i != culprit) order.push_back(i);
  std::sort(order.begin(), order.end(),
            [&](std::size_t x, std::size_t y) { return kh.ops[x].call < kh.ops[y].call; });
  for (std::size_t i : order) {
    if (b.exhausted()) break;
    std::vector<mode> relaxed = m;
    relaxed[i] = relaxed_mode(kh.ops[i]);
    if (ex.fails(relaxed, windowed)) m = relaxed;
  }

  explanation e;
  e.culprit = kh.source[culprit];
  e.minimal = !ex.cut_short();
  std::vector<std::size_t> core;
  for (std::size_t i = 0; i < n; ++i)
    if (m[i] == mode::known && i != culprit) core.push_back(i);
  std::sort(core.begin(), core.end(),
            [&](std::size_t x, std::size_t y) { return kh.ops[x].call < kh.ops[y].call; });
  core.push_back(culprit);
  for (std::size_t i : core) e.operations.push_back(kh.source[i]);

  const std::string key = quote(kh.key);
  std::string& x = e.text;
  x += "key " + key + ": the history up to time " + std::to_string(t) + " (" +
       std::to_string(in_prefix) + " of its " + std::to_string(n) +
       " operations) is not linearizable";
  x += previous_return == INT64_MIN ? " (it is the first return).\n"
                                    : ", up to time " + std::to_string(previous_return) + " it is.\n";
  x += "No order of these " + std::to_string(core.size()) + " operations explains what they returned, ";
  x += windowed ? "whatever " + key + " held at time " + std::to_string(s)
                : "starting from " + key + " absent";
  x += " and whatever operations with an unknown outcome did:\n";
  for (std::size_t i : e.operations) {
    x += "  " + describe(h[i]);
    if (i == e.culprit) x += "   <- the first return no order explains";
    x += "\n";
  }
  if (!e.minimal)
    x += "(the search for a smaller set ran out of its budget: some of these may not be needed)\n";
  return e;
}

} // namespace raft::lincheck

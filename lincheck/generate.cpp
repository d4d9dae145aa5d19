#include "lincheck/generate.hpp"

#include <map>
#include <random>
#include <vector>

namespace raft::lincheck {

namespace {

template <class T>
T uniform(std::mt19937_64& rng, T lo, T hi) {
  return std::uniform_int_distribution<T>(lo, hi)(rng);
}

} // namespace

history generate_linearizable(const generator_options& o) {
  std::mt19937_64 rng(o.seed);
  std::map<bytes, bytes> store;
  std::vector<op_time> busy_until(o.clients, -1);  // a client's previous return
  std::uint64_t written = 0;
  history h;
  h.reserve(o.operations);
  for (op_time point = o.max_latency; h.size() < o.operations; point += o.spacing) {
    // A client that is free at this point (its last operation returned before it).
    std::vector<std::size_t> idle;
    for (std::size_t c = 0; c < o.clients; ++c)
      if (busy_until[c] < point) idle.push_back(c);
    if (idle.empty()) continue;
    const std::size_t c = idle[uniform<std::size_t>(rng, 0, idle.size() - 1)];
    const op_time call = uniform<op_time>(rng, std::max(busy_until[c] + 1, point - o.max_latency), point);
    const op_time ret = point + uniform<op_time>(rng, 0, o.max_latency);
    busy_until[c] = ret;

    const bytes key = "k" + std::to_string(uniform<std::size_t>(rng, 0, o.keys - 1));
    const bool unknown = std::uniform_real_distribution<double>(0, 1)(rng) < o.unknown;
    const bool takes_effect = !unknown || uniform<int>(rng, 0, 1) == 0;
    auto it = store.find(key);
    std::optional<bytes> current;
    if (it != store.end()) current = it->second;

    command cmd;
    outcome out;
    const int pick = uniform<int>(rng, 0, 99);
    if (pick < 35) {
      cmd = put_command("v" + std::to_string(++written));
      out = put_ok();
      if (takes_effect) store[key] = cmd.value;
    } else if (pick < 70) {
      cmd = get_command();
      out = got(current);
    } else if (pick < 80) {
      cmd = delete_command();
      out = deleted(current.has_value());
      if (takes_effect) store.erase(key);
    } else {
      // Half of the cas expect the current state, half an older value or absence.
      std::optional<bytes> expected = current;
      if (uniform<int>(rng, 0, 1) == 0)
        expected = written > 0 && uniform<int>(rng, 0, 2) > 0
                       ? std::optional<bytes>("v" + std::to_string(uniform<std::uint64_t>(rng, 1, written)))
                       : std::nullopt;
      cmd = cas_command(expected, "v" + std::to_string(++written));
      if (expected == current) {
        out = cas_ok();
        if (takes_effect) store[key] = cmd.value;
      } else {
        out = cas_failed(current);
      }
    }
    h.push_back(unknown ? make_unknown(c + 1, call, key, cmd)
                        : make_op(c + 1, call, ret, key, cmd, out));
  }
  return h;
}

std::optional<std::size_t> inject_stale_read(history& h, std::uint64_t seed) {
  auto writes_value = [](const operation& op) {
    return op.known() && (op.cmd.kind == op_kind::put || (op.cmd.kind == op_kind::cas && op.done->out.ok));
  };
  auto changes_state = [&](const operation& op) {
    return writes_value(op) || (op.known() && op.cmd.kind == op_kind::del);
  };
  auto writers = [&](const std::vector<std::size_t>& idx, const bytes& v) {
    std::size_t n = 0;
    for (std::size_t i : idx)
      if ((h[i].cmd.kind == op_kind::put || h[i].cmd.kind == op_kind::cas) && h[i].cmd.value == v) ++n;
    return n;
  };
  struct candidate {
    std::size_t get;
    bytes stale;
  };
  std::vector<candidate> found;
  std::map<bytes, std::vector<std::size_t>> by_key;
  for (std::size_t i = 0; i < h.size(); ++i) by_key[h[i].key].push_back(i);
  for (auto& [key, idx] : by_key) {
    for (std::size_t g : idx) {
      const operation& get = h[g];
      if (!get.known() || get.cmd.kind != op_kind::get) continue;
      // The latest-returning w2 before the get, then any w1 before w2 writing another value.
      for (std::size_t w2 : idx) {
        if (!changes_state(h[w2]) || h[w2].done->ret >= get.call) continue;
        for (std::size_t w1 : idx) {
          if (!writes_value(h[w1]) || h[w1].done->ret >= h[w2].call) continue;
          if (h[w2].cmd.kind != op_kind::del && h[w2].cmd.value == h[w1].cmd.value) continue;
          if (get.done->out.observed == h[w1].cmd.value) continue;
          if (writers(idx, h[w1].cmd.value) != 1) continue;
          found.push_back({g, h[w1].cmd.value});
          break;
        }
        if (!found.empty() && found.back().get == g) break;
      }
    }
  }
  if (found.empty()) return std::nullopt;
  std::mt19937_64 rng(seed);
  const candidate& pick = found[uniform<std::size_t>(rng, 0, found.size() - 1)];
  h[pick.get].done->out.observed = pick.stale;
  return pick.get;
}

} // namespace raft::lincheck

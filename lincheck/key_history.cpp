#include "lincheck/key_history.hpp"

#include <map>
#include <unordered_map>

namespace raft::lincheck {

namespace {

struct interner {
  std::unordered_map<bytes, value_id> ids;
  std::vector<bytes>& values;

  value_id id(const bytes& v) {
    auto [it, fresh] = ids.emplace(v, static_cast<value_id>(values.size()));
    if (fresh) values.push_back(v);
    return it->second;
  }
  std::optional<value_id> id(const std::optional<bytes>& v) {
    if (!v) return std::nullopt;
    return id(*v);
  }
};

} // namespace

std::vector<key_history> partition_by_key(const history& h) {
  std::map<bytes, std::vector<std::size_t>> by_key;
  for (std::size_t i = 0; i < h.size(); ++i) by_key[h[i].key].push_back(i);

  std::vector<key_history> out;
  out.reserve(by_key.size());
  for (auto& [key, idx] : by_key) {
    key_history kh;
    kh.key = key;
    kh.source = std::move(idx);
    interner in{{}, kh.values};
    kh.ops.reserve(kh.source.size());
    for (std::size_t i : kh.source) {
      const operation& op = h[i];
      compact_op c;
      c.cmd.kind = op.cmd.kind;
      if (op.cmd.kind == op_kind::put || op.cmd.kind == op_kind::cas) c.cmd.value = in.id(op.cmd.value);
      if (op.cmd.kind == op_kind::cas) c.cmd.expected = in.id(op.cmd.expected);
      c.call = op.call;
      c.known = op.known();
      if (op.done) {
        c.ret = op.done->ret;
        c.out.ok = op.done->out.ok;
        c.out.existed = op.done->out.existed;
        c.out.observed = in.id(op.done->out.observed);
      }
      kh.ops.push_back(c);
    }
    out.push_back(std::move(kh));
  }
  return out;
}

} // namespace raft::lincheck

#include "lincheck/operation.hpp"

#include <cstdio>
#include <utility>

namespace raft::lincheck {

const char* to_string(op_kind k) {
  switch (k) {
    case op_kind::put: return "put";
    case op_kind::get: return "get";
    case op_kind::del: return "delete";
    case op_kind::cas: return "cas";
  }
  return "?";
}

command put_command(bytes value) { return {op_kind::put, std::move(value), std::nullopt}; }
command get_command() { return {op_kind::get, {}, std::nullopt}; }
command delete_command() { return {op_kind::del, {}, std::nullopt}; }
command cas_command(std::optional<bytes> expected, bytes value) {
  return {op_kind::cas, std::move(value), std::move(expected)};
}

outcome put_ok() { return {}; }
outcome got(std::optional<bytes> value) { return {true, false, std::move(value)}; }
outcome deleted(bool existed) { return {true, existed, std::nullopt}; }
outcome cas_ok() { return {}; }
outcome cas_failed(std::optional<bytes> observed) {
  return {false, false, std::move(observed)};
}

operation make_op(client_id client, op_time call, op_time ret, bytes key, command cmd,
                  outcome out) {
  return {client, std::move(key), std::move(cmd), call, completion{ret, std::move(out)}};
}

operation make_unknown(client_id client, op_time call, bytes key, command cmd) {
  return {client, std::move(key), std::move(cmd), call, std::nullopt};
}

std::string quote(const bytes& b, std::size_t max) {
  std::string s = "\"";
  std::size_t n = 0;
  for (char c : b) {
    if (n++ == max) {
      s += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (u == '"' || u == '\\') {
      s += '\\';
      s += c;
    } else if (u >= 0x20 && u < 0x7f) {
      s += c;
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      s += buf;
    }
  }
  return s + "\"";
}

std::string quote(const std::optional<bytes>& b, std::size_t max) {
  return b ? quote(*b, max) : "absent";
}

std::string describe(const operation& op) {
  std::string s = "client " + std::to_string(op.client) + " [" + std::to_string(op.call) +
                  ", " + (op.done ? std::to_string(op.done->ret) : "?") + "] " +
                  to_string(op.cmd.kind) + "(" + quote(op.key);
  switch (op.cmd.kind) {
    case op_kind::put: s += ", " + quote(op.cmd.value); break;
    case op_kind::cas: s += ", " + quote(op.cmd.expected) + ", " + quote(op.cmd.value); break;
    case op_kind::get:
    case op_kind::del: break;
  }
  s += ") -> ";
  if (!op.done) return s + "unknown";
  const outcome& o = op.done->out;
  switch (op.cmd.kind) {
    case op_kind::put: return s + "ok";
    case op_kind::get: return s + (o.observed ? quote(*o.observed) : "not found");
    case op_kind::del: return s + (o.existed ? "existed" : "did not exist");
    case op_kind::cas: return s + (o.ok ? "ok" : "failed, saw " + quote(o.observed));
  }
  return s;
}

} // namespace raft::lincheck

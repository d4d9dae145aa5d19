#include "lincheck/jsonl.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <istream>
#include <limits>
#include <ostream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace raft::lincheck {

namespace {

using json = nlohmann::ordered_json;

bool valid_utf8(const bytes& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1fu;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0fu;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3fu);
    }
    const std::uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

json encode(const bytes& b) {
  if (valid_utf8(b)) return b;
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  for (char c : b) {
    auto u = static_cast<unsigned char>(c);
    hex += digits[u >> 4];
    hex += digits[u & 15];
  }
  return json{{"hex", hex}};
}

/// A bad line: carries the field's path for the error message.
struct bad_field : std::runtime_error {
  bad_field(std::string f, const std::string& what) : std::runtime_error(what), field(std::move(f)) {}
  std::string field;
};

[[noreturn]] void fail(const std::string& field, const std::string& what) { throw bad_field(field, what); }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bytes decode(const json& j, const std::string& field) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object() && j.size() == 1 && j.contains("hex")) {
    const json& h = j["hex"];
    if (!h.is_string()) fail(field + ".hex", "expected a string of hex digits");
    const std::string& s = h.get_ref<const std::string&>();
    if (s.size() % 2 != 0) fail(field + ".hex", "odd number of hex digits");
    bytes out;
    for (std::size_t i = 0; i < s.size(); i += 2) {
      int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
      if (hi < 0 || lo < 0) fail(field + ".hex", "not a hex digit at position " + std::to_string(hi < 0 ? i : i + 1));
      out += static_cast<char>(hi * 16 + lo);
    }
    return out;
  }
  fail(field, "expected a string or {\"hex\": ...}");
}

const json& need(const json& obj, const char* name, const std::string& path) {
  auto it = obj.find(name);
  if (it == obj.end()) fail(path.empty() ? name : path + "." + name, "missing");
  return *it;
}

bool need_bool(const json& obj, const char* name, const std::string& path) {
  const json& j = need(obj, name, path);
  if (!j.is_boolean()) fail(path + "." + name, "expected true or false");
  return j.get<bool>();
}

std::int64_t need_int(const json& obj, const char* name) {
  const json& j = need(obj, name, "");
  if (j.is_number_unsigned()) {
    if (j.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      fail(name, "too large");
    return static_cast<std::int64_t>(j.get<std::uint64_t>());
  }
  if (!j.is_number_integer()) fail(name, "expected an integer");
  return j.get<std::int64_t>();
}

void only_fields(const json& obj, std::initializer_list<const char*> allowed, const std::string& path) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || it.key() == a;
    if (!ok) fail(path.empty() ? it.key() : path + "." + it.key(), "unknown field");
  }
}

op_kind parse_kind(const json& j) {
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (s == "put") return op_kind::put;
    if (s == "get") return op_kind::get;
    if (s == "delete") return op_kind::del;
    if (s == "cas") return op_kind::cas;
  }
  fail("op", "expected \"put\", \"get\", \"delete\" or \"cas\"");
}

outcome parse_outcome(op_kind kind, const json& j) {
  const std::string p = "outcome";
  if (!j.is_object()) fail(p, "expected \"unknown\" or an object");
  auto ok_true = [&] {
    if (!need_bool(j, "ok", p)) fail(p + ".ok", "must be true for this operation");
  };
  switch (kind) {
    case op_kind::put:
      only_fields(j, {"ok"}, p);
      ok_true();
      return put_ok();
    case op_kind::get: {
      only_fields(j, {"found", "value"}, p);
      if (!need_bool(j, "found", p)) {
        if (j.contains("value")) fail(p + ".value", "must be absent when found is false");
        return got(std::nullopt);
      }
      return got(decode(need(j, "value", p), p + ".value"));
    }
    case op_kind::del:
      only_fields(j, {"ok", "existed"}, p);
      ok_true();
      return deleted(need_bool(j, "existed", p));
    case op_kind::cas: {
      only_fields(j, {"ok", "found", "value"}, p);
      if (need_bool(j, "ok", p)) {
        if (j.contains("found")) fail(p + ".found", "must be absent when ok is true");
        if (j.contains("value")) fail(p + ".value", "must be absent when ok is true");
        return cas_ok();
      }
      if (!need_bool(j, "found", p)) {
        if (j.contains("value")) fail(p + ".value", "must be absent when found is false");
        return cas_failed(std::nullopt);
      }
      return cas_failed(decode(need(j, "value", p), p + ".value"));
    }
  }
  fail(p, "unreachable");
}

operation parse_operation(const json& j) {
  if (!j.is_object()) fail("(line)", "expected a JSON object");
  only_fields(j, {"client", "call", "return", "op", "key", "value", "expected", "outcome"}, "");
  operation op;
  const json& client = need(j, "client", "");
  if (!client.is_number_unsigned()) fail("client", "expected an integer >= 0");
  op.client = client.get<std::uint64_t>();
  op.call = need_int(j, "call");
  op.cmd.kind = parse_kind(need(j, "op", ""));
  op.key = decode(need(j, "key", ""), "key");

  const bool writes = op.cmd.kind == op_kind::put || op.cmd.kind == op_kind::cas;
  if (writes) op.cmd.value = decode(need(j, "value", ""), "value");
  else if (j.contains("value")) fail("value", std::string("not allowed for ") + to_string(op.cmd.kind));
  if (op.cmd.kind == op_kind::cas) {
    const json& e = need(j, "expected", "");
    if (!e.is_null()) op.cmd.expected = decode(e, "expected");
  } else if (j.contains("expected")) {
    fail("expected", std::string("not allowed for ") + to_string(op.cmd.kind));
  }

  const json& out = need(j, "outcome", "");
  if (out.is_string() && out.get_ref<const std::string&>() == "unknown") {
    if (j.contains("return")) fail("return", "must be absent when the outcome is unknown");
    return op;
  }
  const std::int64_t ret = need_int(j, "return");
  if (ret < op.call) fail("return", "earlier than call");
  op.done = completion{ret, parse_outcome(op.cmd.kind, out)};
  return op;
}

std::string short_reason(const std::exception& e) {
  // nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1, ".
  std::string s = e.what();
  if (auto p = s.find("] "); p != std::string::npos) s = s.substr(p + 2);
  if (auto p = s.find("at line 1, "); p != std::string::npos) s.erase(p, 11);
  return s;
}

} // namespace

std::string to_json_line(const operation& op) {
  json j;
  j["client"] = op.client;
  j["call"] = op.call;
  if (op.done) j["return"] = op.done->ret;
  j["op"] = to_string(op.cmd.kind);
  j["key"] = encode(op.key);
  if (op.cmd.kind == op_kind::cas) j["expected"] = op.cmd.expected ? encode(*op.cmd.expected) : json(nullptr);
  if (op.cmd.kind == op_kind::put || op.cmd.kind == op_kind::cas) j["value"] = encode(op.cmd.value);
  if (!op.done) {
    j["outcome"] = "unknown";
  } else {
    const outcome& o = op.done->out;
    json r = json::object();
    switch (op.cmd.kind) {
      case op_kind::put: r["ok"] = true; break;
      case op_kind::get:
        r["found"] = o.observed.has_value();
        if (o.observed) r["value"] = encode(*o.observed);
        break;
      case op_kind::del:
        r["ok"] = true;
        r["existed"] = o.existed;
        break;
      case op_kind::cas:
        r["ok"] = o.ok;
        if (!o.ok) {
          r["found"] = o.observed.has_value();
          if (o.observed) r["value"] = encode(*o.observed);
        }
        break;
    }
    j["outcome"] = std::move(r);
  }
  return j.dump();
}

void write_jsonl(std::ostream& out, const history& h) {
  for (const operation& op : h) out << to_json_line(op) << '\n';
}

void write_jsonl_file(const std::string& path, const history& h) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (f) write_jsonl(f, h);
  if (f) f.flush();
  if (!f) throw std::runtime_error(path + ": cannot write: " + std::strerror(errno));
}

read_result parse_jsonl(std::istream& in, const std::string& name) {
  history h;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = name + ":" + std::to_string(number) + ": ";
    json j;
    try {
      j = json::parse(line);
    } catch (const json::exception& e) {
      return {std::nullopt, where + "not valid JSON: " + short_reason(e)};
    }
    try {
      h.push_back(parse_operation(j));
    } catch (const bad_field& e) {
      return {std::nullopt, where + "field \"" + e.field + "\": " + e.what()};
    }
  }
  if (in.bad()) return {std::nullopt, name + ": cannot read: " + std::strerror(errno)};
  return {std::move(h), {}};
}

read_result read_jsonl_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return {std::nullopt, path + ": cannot read: " + std::strerror(errno)};
  return parse_jsonl(f, path);
}

} // namespace raft::lincheck

#include "config/detail/validate.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <set>
#include <string_view>

#include "config/detail/addresses.hpp"

namespace raft::config_detail {

namespace {

using namespace std::string_literals;

/// Largest accepted timing value: one hour. Far beyond any sensible setting, and small enough
/// that converting to microseconds cannot overflow.
constexpr std::int64_t max_timing_ms = 3'600'000;

position pos(const toml::source_region& region) {
  if (!region.begin) return position{};
  return position{static_cast<std::uint32_t>(region.begin.line),
                  static_cast<std::uint32_t>(region.begin.column)};
}

const char* type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0u : 1u)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

/// " (did you mean 'x'?)" when an allowed key is close to `key`, else "".
std::string suggestion(std::string_view key, std::initializer_list<std::string_view> allowed) {
  for (auto candidate : allowed)
    if (edit_distance(key, candidate) <= 2)
      return " (did you mean '"s + std::string(candidate) + "'?)";
  return {};
}

/// Reports every key of `tbl` that is not in `allowed`: a typo must never fall back silently
/// to a default.
void check_keys(const toml::table& tbl, const std::string& where,
                std::initializer_list<std::string_view> allowed, error_list& errors) {
  for (auto&& [key, value] : tbl) {
    const std::string_view k = key.str();
    if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
    const bool is_table = value.is_table() || value.is_array_of_tables();
    errors.add(pos(key.source()), (is_table ? "unknown table '"s : "unknown key '"s) +
                                      std::string(k) + "' " + where +
                                      suggestion(k, allowed));
  }
}

/// An integer value of `tbl[key]` within [lo, hi]. Reports a missing (when `required`),
/// ill-typed or out-of-range value; `name` is the key as the user knows it ("node.id").
std::optional<std::int64_t> get_int(const toml::table& tbl, std::string_view key,
                                    const std::string& name, bool required, std::int64_t lo,
                                    std::int64_t hi, const std::string& range_text,
                                    error_list& errors) {
  const toml::node* node = tbl.get(key);
  if (node == nullptr) {
    if (required) errors.add(pos(tbl.source()), "missing required key '" + name + "'");
    return std::nullopt;
  }
  const auto* value = node->as_integer();
  if (value == nullptr) {
    errors.add(pos(node->source()),
               name + " must be an integer, not " + type_name(node->type()));
    return std::nullopt;
  }
  const std::int64_t v = value->get();
  if (v < lo || v > hi) {
    errors.add(pos(node->source()), name + " must be " + range_text + ", got " + std::to_string(v));
    return std::nullopt;
  }
  return v;
}

/// A string value of `tbl[key]` that is non-empty and has no whitespace.
std::optional<std::string> get_string(const toml::table& tbl, std::string_view key,
                                      const std::string& name, error_list& errors) {
  const toml::node* node = tbl.get(key);
  if (node == nullptr) {
    errors.add(pos(tbl.source()), "missing required key '" + name + "'");
    return std::nullopt;
  }
  const auto* value = node->as_string();
  if (value == nullptr) {
    errors.add(pos(node->source()), name + " must be a string, not " + type_name(node->type()));
    return std::nullopt;
  }
  const std::string& s = value->get();
  if (s.empty()) {
    errors.add(pos(node->source()), name + " must not be empty");
    return std::nullopt;
  }
  const bool has_space = std::any_of(s.begin(), s.end(), [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0 || std::iscntrl(static_cast<unsigned char>(c)) != 0;
  });
  if (has_space) {
    errors.add(pos(node->source()), name + " must not contain whitespace or control characters");
    return std::nullopt;
  }
  return s;
}

const std::string id_range = "between 1 and 4294967295";

std::optional<peer_id> get_id(const toml::table& tbl, const std::string& name,
                              error_list& errors) {
  auto v = get_int(tbl, "id", name, true, 1, std::numeric_limits<peer_id>::max(), id_range,
                   errors);
  if (!v) return std::nullopt;
  return static_cast<peer_id>(*v);
}

/// Longest accepted `node.cluster_id`: enough for a name, short enough for every log line.
constexpr std::size_t max_cluster_id = 64;

/// The [node] table: this node's id, data directory and the optional cluster id.
struct node_section {
  std::optional<peer_id> id;
  position id_where;
  std::optional<std::string> data_dir;
  std::optional<std::string> cluster_id; ///< "" when absent; nothing when invalid
};

/// The optional `node.cluster_id`: "" when absent. It appears in every `peer_refused` event
/// and in the identity's text (`ID/members-HEX`), so it is kept short and plain.
std::optional<std::string> read_cluster_id(const toml::table& node, error_list& errors) {
  const toml::node* value = node.get("cluster_id");
  if (value == nullptr) return std::string();
  auto id = get_string(node, "cluster_id", "node.cluster_id", errors);
  if (!id) return std::nullopt;
  const bool plain = std::all_of(id->begin(), id->end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
  });
  if (!plain || id->size() > max_cluster_id) {
    errors.add(pos(value->source()),
               "node.cluster_id must be 1 to " + std::to_string(max_cluster_id) +
                   " letters, digits, '.', '_' or '-', got \"" + *id + "\"");
    return std::nullopt;
  }
  return id;
}

node_section read_node(const toml::table& doc, error_list& errors) {
  node_section result;
  const toml::node* node = doc.get("node");
  if (node == nullptr) {
    errors.add(position{}, "missing required table [node]");
    return result;
  }
  const auto* tbl = node->as_table();
  if (tbl == nullptr) {
    errors.add(pos(node->source()), "node must be a table ([node]), not "s + type_name(node->type()));
    return result;
  }
  check_keys(*tbl, "in [node]", {"id", "data_dir", "cluster_id"}, errors);
  result.id = get_id(*tbl, "node.id", errors);
  if (const toml::node* id = tbl->get("id")) result.id_where = pos(id->source());
  result.data_dir = get_string(*tbl, "data_dir", "node.data_dir", errors);
  result.cluster_id = read_cluster_id(*tbl, errors);
  return result;
}

/// One [[peer]] entry, each part present when valid, plus where the parts were written (for
/// duplicate reports).
struct peer_entry {
  std::optional<peer_id> id;
  std::optional<std::string> host;
  std::optional<std::uint16_t> port;
  position id_where;
  position host_where;
};

std::string address_text(const std::string& host, std::uint16_t port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string where_text(position p) {
  return std::to_string(p.line) + ":" + std::to_string(p.column);
}

/// Reads every [[peer]]; `complete` tells whether all of them had a valid id.
std::vector<peer_entry> read_peers(const toml::table& doc, bool& complete, error_list& errors) {
  std::vector<peer_entry> result;
  complete = false;
  const toml::node* node = doc.get("peer");
  if (node == nullptr) {
    errors.add(position{}, "missing required [[peer]] tables (one per member, this node included)");
    return result;
  }
  if (node->is_table()) {
    errors.add(pos(node->source()), "peer must be an array of tables: write [[peer]], not [peer]");
    return result;
  }
  const auto* array = node->as_array();
  if (array == nullptr) {
    errors.add(pos(node->source()),
               "peer must be an array of tables ([[peer]]), not "s + type_name(node->type()));
    return result;
  }
  if (array->empty()) {
    errors.add(pos(node->source()), "at least one [[peer]] is required");
    return result;
  }
  complete = true;
  for (const toml::node& element : *array) {
    const auto* tbl = element.as_table();
    if (tbl == nullptr) {
      errors.add(pos(element.source()),
                 "each peer must be a table ([[peer]]), not "s + type_name(element.type()));
      complete = false;
      continue;
    }
    check_keys(*tbl, "in [[peer]]", {"id", "host", "port"}, errors);
    auto id = get_id(*tbl, "peer.id", errors);
    auto host = get_string(*tbl, "host", "peer.host", errors);
    auto port = get_int(*tbl, "port", "peer.port", true, 1, 65535, "between 1 and 65535", errors);
    if (!id) complete = false;
    peer_entry entry;
    entry.id = id;
    entry.host = std::move(host);
    if (port) entry.port = static_cast<std::uint16_t>(*port);
    if (const toml::node* n = tbl->get("id")) entry.id_where = pos(n->source());
    if (const toml::node* n = tbl->get("host")) entry.host_where = pos(n->source());
    result.push_back(std::move(entry));
  }
  return result;
}

/// Reports two peers with one id, and two peers with one address. Addresses are compared
/// by their canonical spelling and by every address a host name resolves to, so `localhost`
/// and `127.0.0.1` on one port are one address: a connect to either reaches the same
/// socket, and two members there could not be told apart. A name that does not resolve is
/// compared by its spelling only (a resolver that is down must not stop a node from
/// starting).
void check_duplicates(const std::vector<peer_entry>& peers, error_list& errors) {
  std::map<peer_id, position> ids;
  struct user {
    const peer_entry* peer;
    bool spelt; ///< the key is how this peer's host is spelt, not what it resolves to
  };
  std::map<std::string, user> addresses; // "address:port" -> the first peer using it
  for (const auto& p : peers) {
    if (p.id) {
      auto [it, fresh] = ids.emplace(*p.id, p.id_where);
      if (!fresh)
        errors.add(p.id_where, "duplicate peer id " + std::to_string(*p.id) +
                                   " (first defined at " + where_text(it->second) + ")");
    }
    if (!p.host || !p.port) continue;
    const std::string spelt = canonical_host(*p.host);
    std::vector<std::string> keys{spelt};
    for (auto& a : resolve_host(*p.host))
      if (a != spelt) keys.push_back(std::move(a));
    for (std::size_t k = 0; k < keys.size(); ++k) {
      auto [at, fresh] = addresses.emplace(address_text(keys[k], *p.port), user{&p, k == 0});
      if (fresh || at->second.peer == &p) continue;
      const peer_entry& first = *at->second.peer;
      const std::string first_name = first.id ? "peer " + std::to_string(*first.id) : "a peer"s;
      if (k == 0 && at->second.spelt) {
        errors.add(p.host_where, "duplicate address " + address_text(*p.host, *p.port) +
                                     " (also used by " + first_name + " at " +
                                     where_text(first.host_where) + ")");
      } else {
        errors.add(p.host_where,
                   "duplicate address " + address_text(keys[k], *p.port) + ": peer.host \"" +
                       *p.host + "\"" + (p.id ? " of peer " + std::to_string(*p.id) : ""s) +
                       " and \"" + *first.host + "\" of " + first_name + " (at " +
                       where_text(first.host_where) + ") both resolve to it");
      }
      break; // one report per peer
    }
  }
}

/// The optional [timing] table; every value in whole milliseconds.
std::optional<raft::timing> read_timing(const toml::table& doc, error_list& errors) {
  raft::timing result;
  const toml::node* node = doc.get("timing");
  if (node == nullptr) return result;
  const auto* tbl = node->as_table();
  if (tbl == nullptr) {
    errors.add(pos(node->source()),
               "timing must be a table ([timing]), not "s + type_name(node->type()));
    return std::nullopt;
  }
  check_keys(*tbl, "in [timing]",
             {"heartbeat_ms", "election_timeout_min_ms", "election_timeout_max_ms"}, errors);
  const std::string range = "a positive integer number of milliseconds, at most " +
                            std::to_string(max_timing_ms);
  auto read = [&](std::string_view key, raft::duration& out) {
    const std::string name = "timing." + std::string(key);
    auto v = get_int(*tbl, key, name, false, 1, max_timing_ms, range, errors);
    if (v) out = std::chrono::milliseconds(*v);
    return v.has_value() || tbl->get(key) == nullptr;
  };
  bool ok = read("heartbeat_ms", result.heartbeat);
  ok = read("election_timeout_min_ms", result.election_min) && ok;
  ok = read("election_timeout_max_ms", result.election_max) && ok;
  if (!ok) return std::nullopt;
  if (auto problem = result.problem()) {
    using std::chrono::duration_cast;
    using std::chrono::milliseconds;
    errors.add(pos(tbl->source()),
               "[timing]: " + *problem + " (heartbeat_ms = " +
                   std::to_string(duration_cast<milliseconds>(result.heartbeat).count()) +
                   ", election_timeout_min_ms = " +
                   std::to_string(duration_cast<milliseconds>(result.election_min).count()) +
                   ", election_timeout_max_ms = " +
                   std::to_string(duration_cast<milliseconds>(result.election_max).count()) +
                   ")");
    return std::nullopt;
  }
  return result;
}

/// The optional [metrics] table: `listen = "HOST:PORT"` (`[V6]:PORT` for an IPv6 literal).
/// `self` is this node's Raft address when known: metrics cannot share it.
std::optional<std::optional<metrics_settings>> read_metrics(const toml::table& doc,
                                                            const peer_entry* self,
                                                            error_list& errors) {
  const toml::node* node = doc.get("metrics");
  if (node == nullptr) return std::optional<metrics_settings>{};
  const auto* tbl = node->as_table();
  if (tbl == nullptr) {
    errors.add(pos(node->source()),
               "metrics must be a table ([metrics]), not "s + type_name(node->type()));
    return std::nullopt;
  }
  check_keys(*tbl, "in [metrics]", {"listen"}, errors);
  auto listen = get_string(*tbl, "listen", "metrics.listen", errors);
  if (!listen) return std::nullopt;
  const position where = pos(tbl->get("listen")->source());
  const auto colon = listen->rfind(':');
  std::string host = colon == std::string::npos ? "" : listen->substr(0, colon);
  const std::string port_text = colon == std::string::npos ? "" : listen->substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  else if (host.find(':') != std::string::npos)
    host.clear(); // an IPv6 literal needs brackets
  const bool digits = !port_text.empty() && port_text.size() <= 5 &&
                      std::all_of(port_text.begin(), port_text.end(),
                                  [](unsigned char c) { return std::isdigit(c) != 0; });
  if (host.empty() || !digits) {
    errors.add(where, "metrics.listen must be HOST:PORT (e.g. \"127.0.0.1:9101\", "
                      "\"[::1]:9101\"), got \"" + *listen + "\"");
    return std::nullopt;
  }
  const long port = std::stol(port_text);
  if (port < 1 || port > 65535) {
    errors.add(where, "metrics.listen port must be between 1 and 65535, got " + port_text);
    return std::nullopt;
  }
  if (self && self->host && self->port && *self->port == port &&
      canonical_host(*self->host) == canonical_host(host)) {
    errors.add(where, "metrics.listen " + *listen +
                          " is this node's own Raft address; give metrics a port of its own");
    return std::nullopt;
  }
  return std::optional<metrics_settings>{metrics_settings{host, static_cast<std::uint16_t>(port)}};
}

/// The optional [hooks] table: two shell commands and their time limit.
std::optional<hook_settings> read_hooks(const toml::table& doc, error_list& errors) {
  hook_settings result;
  const toml::node* node = doc.get("hooks");
  if (node == nullptr) return result;
  const auto* tbl = node->as_table();
  if (tbl == nullptr) {
    errors.add(pos(node->source()),
               "hooks must be a table ([hooks]), not "s + type_name(node->type()));
    return std::nullopt;
  }
  check_keys(*tbl, "in [hooks]", {"on_leader", "on_follower", "timeout_ms"}, errors);
  bool ok = true;
  auto command = [&](std::string_view key, std::string& out) {
    const toml::node* n = tbl->get(key);
    if (n == nullptr) return;
    const std::string name = "hooks." + std::string(key);
    if (const auto* s = n->as_string(); s == nullptr) {
      errors.add(pos(n->source()), name + " must be a string, not " + type_name(n->type()));
      ok = false;
    } else if (s->get().find_first_not_of(" \t") == std::string::npos) {
      errors.add(pos(n->source()), name + " must not be empty (leave the key out for no hook)");
      ok = false;
    } else {
      out = s->get();
    }
  };
  command("on_leader", result.on_leader);
  command("on_follower", result.on_follower);
  auto timeout = get_int(*tbl, "timeout_ms", "hooks.timeout_ms", false, 1, max_timing_ms,
                         "a positive integer number of milliseconds, at most " +
                           std::to_string(max_timing_ms),
                         errors);
  if (timeout)
    result.timeout = std::chrono::milliseconds(*timeout);
  else if (tbl->get("timeout_ms") != nullptr)
    ok = false;
  if (!ok) return std::nullopt;
  return result;
}

/// The optional [tls] table: three required file paths. `ok` is false when the table is
/// there but wrong.
std::optional<tls_settings> read_tls(const toml::table& doc, bool& ok, error_list& errors) {
  ok = true;
  const toml::node* node = doc.get("tls");
  if (node == nullptr) return std::nullopt;
  const auto* tbl = node->as_table();
  if (tbl == nullptr) {
    errors.add(pos(node->source()), "tls must be a table ([tls]), not "s + type_name(node->type()));
    ok = false;
    return std::nullopt;
  }
  check_keys(*tbl, "in [tls]", {"ca_file", "cert_file", "key_file"}, errors);
  auto read = [&](std::string_view key, tls_file& out) {
    auto v = get_string(*tbl, key, "tls." + std::string(key), errors);
    if (!v) return false;
    const position where = pos(tbl->get(key)->source());
    out = tls_file{*v, where.line, where.column};
    return true;
  };
  tls_settings result;
  ok = read("ca_file", result.ca_file);
  ok = read("cert_file", result.cert_file) && ok;
  ok = read("key_file", result.key_file) && ok;
  if (!ok) return std::nullopt;
  return result;
}

/// The optional [kv] table: the key-value store's snapshot interval and client sessions.
std::optional<kv_settings> read_kv(const toml::table& doc, error_list& errors) {
  kv_settings result;
  const toml::node* node = doc.get("kv");
  if (node == nullptr) return result;
  const auto* tbl = node->as_table();
  if (tbl == nullptr) {
    errors.add(pos(node->source()), "kv must be a table ([kv]), not "s + type_name(node->type()));
    return std::nullopt;
  }
  check_keys(*tbl, "in [kv]", {"snapshot_every", "session_timeout_ms", "max_sessions"}, errors);
  bool ok = true;
  auto read = [&](std::string_view key, std::int64_t lo, std::int64_t hi, const std::string& range,
                  std::uint64_t& out) {
    auto v = get_int(*tbl, key, "kv." + std::string(key), false, lo, hi, range, errors);
    if (v)
      out = static_cast<std::uint64_t>(*v);
    else if (tbl->get(key) != nullptr)
      ok = false;
  };
  read("snapshot_every", 0, 1'000'000'000, "an integer from 0 (never) to 1000000000",
       result.snapshot_every);
  read("session_timeout_ms", 1000, 365LL * 24 * 3600 * 1000,
       "an integer number of milliseconds from 1000 to one year", result.session_timeout_ms);
  read("max_sessions", 1, 1'000'000, "an integer from 1 to 1000000", result.max_sessions);
  if (!ok) return std::nullopt;
  return result;
}

} // namespace

std::optional<cluster_config> validate(const toml::table& doc, error_list& errors) {
  check_keys(doc, "at top level", {"node", "peer", "timing", "tls", "metrics", "hooks", "kv"},
             errors);
  const node_section node = read_node(doc, errors);
  bool peers_complete = false;
  const std::vector<peer_entry> peers = read_peers(doc, peers_complete, errors);
  check_duplicates(peers, errors);
  if (node.id && peers_complete) {
    const bool found = std::any_of(peers.begin(), peers.end(),
                                   [&](const peer_entry& p) { return p.id == node.id; });
    if (!found)
      errors.add(node.id_where, "node.id " + std::to_string(*node.id) +
                                    " is not among the [[peer]] ids (list this node as a peer too)");
  }
  const auto timing = read_timing(doc, errors);
  bool tls_ok = true;
  auto tls = read_tls(doc, tls_ok, errors);
  const peer_entry* self = nullptr;
  for (const auto& p : peers)
    if (node.id && p.id == node.id) self = &p;
  const auto metrics = read_metrics(doc, self, errors);
  const auto hooks = read_hooks(doc, errors);
  const auto kv = read_kv(doc, errors);
  if (!errors.empty() || !node.id || !node.data_dir || !node.cluster_id || !timing || !tls_ok ||
      !metrics || !hooks || !kv)
    return std::nullopt;

  cluster_config config;
  config.node_id = *node.id;
  config.data_dir = *node.data_dir;
  config.cluster_id = *node.cluster_id;
  for (const auto& p : peers) config.peers.push_back(peer_address{*p.id, *p.host, *p.port});
  config.timing = *timing;
  config.tls = std::move(tls);
  config.metrics = *metrics;
  config.hooks = *hooks;
  config.kv = *kv;
  return config;
}

} // namespace raft::config_detail

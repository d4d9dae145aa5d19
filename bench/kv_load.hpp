#pragma once
/// The load of a closed-loop key-value benchmark, one definition for kv-bench and
/// etcd-latency, so that both systems get the same options, keys of the same shape and the
/// same fields in their JSON when scripts/bench-kv compares them.

#include <algorithm>
#include <cstddef>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace raft::bench {

/// N closed-loop clients for S seconds after W seconds of warm-up, V-byte values, keys of K
/// bytes drawn uniformly from `keys` keys.
struct kv_load {
  std::size_t clients = 1;
  double seconds = 10;
  double warmup_seconds = 2;
  std::size_t value_bytes = 1024;
  std::size_t key_bytes = 256;
  std::size_t keys = 10000;
};

/// The options --clients, --seconds, --warmup-seconds, --value-bytes, --key-bytes and --keys,
/// bounded by what the system under test accepts.
inline void add_load_options(CLI::App& app, kv_load& l, std::size_t max_clients,
                             std::size_t max_key_bytes, std::size_t max_value_bytes) {
  app.add_option("--clients", l.clients, "concurrent clients, each a closed loop")
    ->check(CLI::Range(std::size_t{1}, max_clients));
  app.add_option("--seconds", l.seconds, "measured time")->check(CLI::Range(0.1, 86400.0));
  app.add_option("--warmup-seconds", l.warmup_seconds, "load before the measured time")
    ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--value-bytes", l.value_bytes, "bytes of every value written")
    ->check(CLI::Range(std::size_t{0}, max_value_bytes));
  app.add_option("--key-bytes", l.key_bytes, "bytes of every key")
    ->check(CLI::Range(std::size_t{12}, max_key_bytes));
  app.add_option("--keys", l.keys, "distinct keys, drawn uniformly")
    ->check(CLI::Range(std::size_t{1}, std::size_t{100000000}));
}

/// The load's fields into a benchmark's JSON.
template <class Json>
void put_load(Json& out, const kv_load& l) {
  out["clients"] = l.clients;
  out["seconds"] = l.seconds;
  out["warmup_seconds"] = l.warmup_seconds;
  out["value_bytes"] = l.value_bytes;
  out["key_bytes"] = l.key_bytes;
  out["keys"] = l.keys;
}

/// Key number `i` as a key of `bytes` bytes (more when the number needs it): "k" and the
/// number, zero-padded.
inline std::string key_of(std::size_t i, std::size_t bytes) {
  auto digits = std::to_string(i);
  std::string key(std::max(bytes, digits.size() + 1), '0');
  key[0] = 'k';
  key.replace(key.size() - digits.size(), digits.size(), digits);
  return key;
}

} // namespace raft::bench

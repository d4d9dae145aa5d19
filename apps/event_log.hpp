#pragma once
/// The event stream of raft-node: one line per event on stdout, as JSON objects (default)
/// or readable text. Every event has `ts` (RFC 3339, UTC, microseconds), `node` and `event`.
/// Thread-safe: peers, links and the main thread log concurrently.

#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace raft {

/// One field of an event. Values are written as JSON strings, numbers, booleans or null.
struct event_field {
  enum class kind { string, number, boolean, null } type;
  std::string key;
  std::string text;
  static event_field str(std::string k, std::string v) {
    return {kind::string, std::move(k), std::move(v)};
  }
  static event_field num(std::string k, std::uint64_t v) {
    return {kind::number, std::move(k), std::to_string(v)};
  }
  static event_field boolean(std::string k, bool v) {
    return {kind::boolean, std::move(k), v ? "true" : "false"};
  }
  static event_field null(std::string k) {
    return {kind::null, std::move(k), "null"};
  }
};

class event_log {
public:
  enum class format { json, text };

  event_log(std::uint32_t node, format f) : node_(node), format_(f) {
  }

  void emit(const std::string& event, const std::vector<event_field>& fields = {});

  /// The current time as RFC 3339 with microseconds, e.g. 2026-11-25T10:15:03.123456Z.
  static std::string timestamp();
  /// `s` as a JSON string literal, quotes included.
  static std::string quote(const std::string& s);

private:
  std::uint32_t node_;
  format format_;
  std::mutex mtx_;
};

} // namespace raft

#pragma once
/// The event stream of raft-node: one line per event on stdout, as JSON objects (default)
/// or readable text. Every event has `ts` (RFC 3339, UTC, microseconds), `node` and `event`.
/// Thread-safe: peers, links and the main thread log concurrently.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace raft {

/// One field of an event: a string, an unsigned number, a boolean or null.
struct event_field {
  std::string key;
  std::variant<std::string, std::uint64_t, bool, std::nullptr_t> value;
  static event_field str(std::string k, std::string v) { return {std::move(k), std::move(v)}; }
  static event_field num(std::string k, std::uint64_t v) { return {std::move(k), v}; }
  static event_field boolean(std::string k, bool v) { return {std::move(k), v}; }
  static event_field null(std::string k) { return {std::move(k), nullptr}; }
};

class event_log {
public:
  enum class format { json, text };

  event_log(std::uint32_t node, format f) : node_(node), format_(f) {
  }

  /// Writes one line. In JSON the keys keep their order (`ts`, `node`, `event`, then
  /// `fields`); bytes that are not UTF-8 are replaced by U+FFFD rather than dropping the line.
  void emit(const std::string& event, const std::vector<event_field>& fields = {});

  /// The current time as RFC 3339 with microseconds, e.g. 2026-11-25T10:15:03.123456Z.
  static std::string timestamp();

private:
  std::uint32_t node_;
  format format_;
  std::mutex mtx_;
};

} // namespace raft

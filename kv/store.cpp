#include "kv/store.hpp"

#include <stdexcept>
#include <string>
#include <variant>

#include "kv/byte_io.hpp"
#include "storage/crc32.hpp"

namespace raft::kv {

namespace {

response error(status code, std::string message) {
  response r;
  r.code = code;
  r.message = std::move(message);
  return r;
}

/// Snapshot layout, version 1 (integers little-endian; str = u32 length + bytes):
///   "RKVS" u8 version(1) u64 now_ms
///   u32 n_keys   { str key  str value } * n_keys, keys strictly ascending
///   u32 n_sess   { u64 client u64 last_seq u64 last_index u64 last_time_ms str result } *
///                n_sess, clients strictly ascending
///   u32 crc32 of every byte before it
constexpr std::string_view snapshot_magic = "RKVS";
constexpr std::uint8_t snapshot_version = 1;

} // namespace

kv_store::kv_store(store_options opts) : opts_(opts) {
  if (opts_.max_sessions == 0) throw std::invalid_argument("kv_store: max_sessions must be >= 1");
}

bytes kv_store::apply(std::uint64_t index, std::string_view command) {
  auto decoded = decode_request(command);
  if (auto* e = std::get_if<decode_error>(&decoded))
    return encode(error(status::bad_request, e->message));
  return encode(apply_request(index, std::get<request>(decoded)));
}

namespace {

/// The checks that depend on the request alone (never on the state), or nothing.
std::optional<response> invalid(const request& r) {
  if (r.key.size() > max_key_bytes)
    return error(status::too_large, "key of " + std::to_string(r.key.size()) +
                                        " bytes exceeds the limit of " +
                                        std::to_string(max_key_bytes));
  if (r.value.size() > max_value_bytes)
    return error(status::too_large, "value of " + std::to_string(r.value.size()) +
                                        " bytes exceeds the limit of " +
                                        std::to_string(max_value_bytes));
  if (r.expected && r.expected->size() > max_value_bytes)
    return error(status::too_large, "expected value of " + std::to_string(r.expected->size()) +
                                        " bytes exceeds the limit of " +
                                        std::to_string(max_value_bytes));
  if (r.kind == op::open_session && (r.client != 0 || r.seq != 0))
    return error(status::bad_request, "open_session: client and seq must be 0");
  if (r.kind != op::open_session && r.seq == 0)
    return error(status::bad_request, "seq must be at least 1");
  return std::nullopt;
}

} // namespace

prepared kv_store::prepare(std::string_view command, std::uint64_t now_ms) const {
  auto decoded = decode_request(command);
  if (auto* e = std::get_if<decode_error>(&decoded))
    return refused{encode(error(status::bad_request, e->message))};
  auto& r = std::get<request>(decoded);
  if (auto bad = invalid(r))
    return refused{encode(*bad)};
  if (r.kind == op::get)
    return refused{encode(error(status::bad_request, "a get is a read: send it as a query"))};
  r.time_ms = now_ms;
  return to_append{encode(r)};
}

bytes kv_store::query(std::string_view command) const {
  auto decoded = decode_request(command);
  if (auto* e = std::get_if<decode_error>(&decoded))
    return encode(error(status::bad_request, e->message));
  auto& r = std::get<request>(decoded);
  if (r.kind != op::get)
    return encode(error(status::bad_request, std::string("a query must be a get, not ") +
                                               to_string(r.kind)));
  if (r.key.size() > max_key_bytes)
    return encode(error(status::too_large, "key of " + std::to_string(r.key.size()) +
                                               " bytes exceeds the limit of " +
                                               std::to_string(max_key_bytes)));
  response out;
  auto it = data_.find(r.key);
  out.found = it != data_.end();
  if (out.found)
    out.value = it->second;
  return encode(out);
}

response kv_store::apply_request(std::uint64_t index, const request& r) {
  // Validation first: a request refused here changes nothing, not even the clock.
  if (auto bad = invalid(r))
    return *bad;

  // The log's clock: the largest leader-stamped time seen, so it never goes back.
  if (r.time_ms > now_ms_) now_ms_ = r.time_ms;
  expire();

  if (r.kind == op::open_session) {
    if (auto old = sessions_.find(index); old != sessions_.end()) {
      // Only if an index were applied twice, which the log never does: start afresh.
      by_activity_.erase({old->second.last_index, index});
      sessions_.erase(old);
    }
    while (sessions_.size() >= opts_.max_sessions) {
      // Least recently used by log index: the front of the activity order.
      const auto victim = *by_activity_.begin();
      by_activity_.erase(by_activity_.begin());
      sessions_.erase(victim.second);
    }
    session s;
    s.last_index = index;
    s.last_time_ms = now_ms_;
    sessions_.emplace(index, std::move(s));
    by_activity_.insert({index, index});
    response ok;
    ok.client = index;
    return ok;
  }

  auto it = sessions_.find(r.client);
  if (it == sessions_.end())
    return error(status::session_expired,
                 "session " + std::to_string(r.client) +
                     " is not open (expired or never opened): open a new session");
  session& s = it->second;
  if (r.seq < s.last_seq)
    return error(status::stale_sequence,
                 "sequence " + std::to_string(r.seq) + " of session " + std::to_string(r.client) +
                     " is below the last applied " + std::to_string(s.last_seq) +
                     ": its result is no longer kept");
  if (r.seq == s.last_seq) {
    // A retry of a request already applied: the cached answer, nothing executed again.
    touch(r.client, s, index);
    return s.last_result;
  }
  response out = execute(r);
  s.last_seq = r.seq;
  s.last_result = out;
  touch(r.client, s, index);
  return out;
}

response kv_store::execute(const request& r) {
  response out;
  switch (r.kind) {
    case op::open_session: break;  // handled by apply_request
    case op::get: {
      auto it = data_.find(r.key);
      if (it != data_.end()) {
        out.found = true;
        out.value = it->second;
      }
      break;
    }
    case op::put: data_[r.key] = r.value; break;
    case op::del: out.found = data_.erase(r.key) > 0; break;
    case op::cas: {
      auto it = data_.find(r.key);
      const bool matches = r.expected ? (it != data_.end() && it->second == *r.expected)
                                      : it == data_.end();
      if (matches) {
        data_[r.key] = r.value;
      } else {
        out.code = status::cas_failed;
        if (it != data_.end()) {
          out.found = true;
          out.value = it->second;
        }
      }
      break;
    }
  }
  return out;
}

void kv_store::expire() {
  // The activity order by index is also the order by time (now_ms_ is monotonic in log
  // order), so the expired sessions are a prefix of it.
  while (!by_activity_.empty()) {
    const auto front = *by_activity_.begin();
    const session& s = sessions_.at(front.second);
    if (now_ms_ - s.last_time_ms <= opts_.session_timeout_ms) break;
    by_activity_.erase(by_activity_.begin());
    sessions_.erase(front.second);
  }
}

void kv_store::touch(std::uint64_t client, session& s, std::uint64_t index) {
  by_activity_.erase({s.last_index, client});
  s.last_index = index;
  s.last_time_ms = now_ms_;
  by_activity_.insert({index, client});
}

bytes kv_store::snapshot() const {
  byte_writer w;
  w.raw(snapshot_magic);
  w.u8(snapshot_version);
  w.u64(now_ms_);
  w.u32(static_cast<std::uint32_t>(data_.size()));
  for (const auto& [k, v] : data_) {
    w.str(k);
    w.str(v);
  }
  w.u32(static_cast<std::uint32_t>(sessions_.size()));
  for (const auto& [client, s] : sessions_) {
    w.u64(client);
    w.u64(s.last_seq);
    w.u64(s.last_index);
    w.u64(s.last_time_ms);
    w.str(encode(s.last_result));
  }
  const std::uint32_t crc = crc32(w.data());
  w.u32(crc);
  return w.take();
}

void kv_store::restore(std::string_view snap) {
  const auto bad = [](const std::string& what) {
    return snapshot_error("kv snapshot: " + what);
  };
  if (snap.size() < snapshot_magic.size() + 1 + 8 + 4 + 4 + 4)
    throw bad("too short (" + std::to_string(snap.size()) + " bytes)");
  if (snap.substr(0, snapshot_magic.size()) != snapshot_magic)
    throw bad("not a KV snapshot (bad magic)");
  const std::string_view body = snap.substr(0, snap.size() - 4);
  byte_reader tail(snap.substr(snap.size() - 4));
  std::uint32_t stored_crc = 0;
  tail.u32(stored_crc);
  if (crc32(body) != stored_crc) throw bad("checksum mismatch (corrupt)");

  byte_reader rd(body.substr(snapshot_magic.size()));
  std::uint8_t version = 0;
  rd.u8(version);
  if (version != snapshot_version)
    throw bad("unknown version " + std::to_string(version) + " (expected 1)");
  std::uint64_t now = 0;
  std::uint32_t n = 0;
  if (!rd.u64(now) || !rd.u32(n)) throw bad("truncated header");

  std::map<bytes, bytes> data;
  for (std::uint32_t i = 0; i < n; ++i) {
    bytes k, v;
    if (!rd.str(k) || !rd.str(v)) throw bad("entry " + std::to_string(i) + ": truncated");
    if (k.size() > max_key_bytes || v.size() > max_value_bytes)
      throw bad("entry " + std::to_string(i) + ": key or value above its limit");
    if (!data.empty() && !(data.rbegin()->first < k))
      throw bad("entry " + std::to_string(i) + ": keys not strictly ascending");
    data.emplace_hint(data.end(), std::move(k), std::move(v));
  }

  if (!rd.u32(n)) throw bad("truncated before the session count");
  if (n > opts_.max_sessions)
    throw bad(std::to_string(n) + " sessions exceed max_sessions " +
              std::to_string(opts_.max_sessions));
  std::map<std::uint64_t, session> sessions;
  std::set<std::pair<std::uint64_t, std::uint64_t>> by_activity;
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint64_t client = 0;
    session s;
    bytes result;
    const std::string where = "session " + std::to_string(i) + ": ";
    if (!rd.u64(client) || !rd.u64(s.last_seq) || !rd.u64(s.last_index) ||
        !rd.u64(s.last_time_ms) || !rd.str(result))
      throw bad(where + "truncated");
    if (!sessions.empty() && !(sessions.rbegin()->first < client))
      throw bad(where + "client ids not strictly ascending");
    if (s.last_time_ms > now) throw bad(where + "last activity after the snapshot's clock");
    if (s.last_index < client) throw bad(where + "last activity before its opening");
    auto decoded = decode_response(result);
    if (auto* e = std::get_if<decode_error>(&decoded)) throw bad(where + e->message);
    s.last_result = std::get<response>(decoded);
    if (!by_activity.insert({s.last_index, client}).second)
      throw bad(where + "two sessions last active at the same index");
    sessions.emplace_hint(sessions.end(), client, std::move(s));
  }
  if (rd.remaining() != 0) throw bad(std::to_string(rd.remaining()) + " trailing bytes");

  // Everything checked: replace the state wholly (nothing above touched it).
  data_ = std::move(data);
  sessions_ = std::move(sessions);
  by_activity_ = std::move(by_activity);
  now_ms_ = now;
}

} // namespace raft::kv

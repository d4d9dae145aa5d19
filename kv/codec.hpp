#pragma once
/// The KV store's commands (what a client proposes, stamped by the leader, carried in a log
/// entry) and results (what the store answers), and their binary encoding.
///
/// Why a hand-written format and not nlohmann-json's CBOR/MessagePack: a command has a fixed
/// shape of a few integers and byte strings; CBOR would still need a schema check of every
/// field after parsing, costs a map with field names in every log entry, and its parser
/// allocates before it can refuse garbage. Here every length is checked against the bytes
/// that remain before anything is read, so garbage is refused without large allocations.
///
/// Command, version 1 (integers little-endian; str = u32 length + bytes):
///
///     u8 version (1)  u8 op  u64 client  u64 seq  u64 time_ms
///     open_session:   (nothing more; client and seq must be 0)
///     (every other op needs seq >= 1, but a get with client 0 and seq 0: a query, answered
///     outside the log by kv_store::query)
///     get, del:       str key
///     put:            str key  str value
///     cas:            str key  u8 has_expected (0|1)  [str expected]  str value
///
/// Result, version 1:
///
///     u8 version (1)  u8 status  u8 flags (bit 0 found/existed, bit 1 has value,
///                                          bit 2 has client)
///     [str value]  [u64 client]  str message (empty unless an error)
///
/// Both decoders refuse trailing bytes, unknown versions, ops, statuses and flag bits.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "kv/state_machine.hpp"

namespace raft::kv {

inline constexpr std::uint8_t codec_version = 1;

/// Size limits, checked by the store before anything changes. Keys are compared and kept in
/// an ordered map and in every snapshot: 1 KiB is ample for names and paths and keeps the
/// per-key overhead small. Values: 64 KiB keeps one command well inside one log record
/// (storage/log_format.hpp allows 256 MiB) and lets a leader batch many commands per append
/// without one client's value delaying everyone's; larger blobs belong in a blob store.
inline constexpr std::size_t max_key_bytes = 1024;
inline constexpr std::size_t max_value_bytes = 64 * 1024;

enum class op : std::uint8_t { open_session = 0, get = 1, put = 2, del = 3, cas = 4 };

/// "open_session", "get", "put", "delete", "cas".
const char* to_string(op o);

/// A client's request as proposed to the log. `time_ms` is stamped by the leader when it
/// appends the entry (its wall clock, milliseconds); the store only ever compares it with
/// other stamped times, so replicas agree on it (it is in the log).
struct request {
  op kind = op::get;
  std::uint64_t client = 0;  ///< the session (0 for open_session)
  std::uint64_t seq = 0;     ///< >= 1, one more than the client's previous request (0 for open_session)
  std::uint64_t time_ms = 0;
  bytes key;
  bytes value;                 ///< put: the value; cas: the new value
  std::optional<bytes> expected;  ///< cas: the value compared with; nullopt = "absent"
};

enum class status : std::uint8_t {
  ok = 0,               ///< done (for cas: swapped)
  cas_failed = 1,       ///< cas compared unequal: `found`/`value` say what the key held
  bad_request = 2,      ///< undecodable or inconsistent command; nothing changed
  too_large = 3,        ///< key or value above its limit; nothing changed
  session_expired = 4,  ///< the client's session is not open (expired, or never opened)
  stale_sequence = 5,   ///< seq below the last applied one: its result is no longer kept
};
inline constexpr std::uint8_t max_status = 5;

/// "ok", "cas failed", "bad request", "too large", "session expired", "stale sequence".
const char* to_string(status s);

struct response {
  status code = status::ok;
  /// get: the key exists; delete: the key existed; cas failed: the key exists.
  bool found = false;
  std::optional<bytes> value;          ///< get found / cas failed and found: the current value
  std::optional<std::uint64_t> client; ///< open_session: the new session's id
  std::string message;                 ///< errors: one line for people

  bool operator==(const response& o) const {
    return code == o.code && found == o.found && value == o.value && client == o.client &&
           message == o.message;
  }
};

/// A decoding failure: one line naming what is wrong.
struct decode_error {
  std::string message;
};

bytes encode(const request& r);
bytes encode(const response& r);
std::variant<request, decode_error> decode_request(std::string_view in);
std::variant<response, decode_error> decode_response(std::string_view in);

} // namespace raft::kv

#pragma once
/// The history model: what concurrent clients asked a key-value store, when, and what they
/// were told. Plain C++17, no CAF: the checker judges any store that records these.
///
/// An operation is an interval [call, return] on one monotonic clock (any unit). Its outcome
/// is either known (the client got an answer) or unknown (timed out, leader lost): an unknown
/// operation may have taken effect at any point after its call, or never, so its return is
/// +infinity and it may also be left out of a linearization entirely.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace raft::lincheck {

enum class op_kind : std::uint8_t { put, get, del, cas };

/// "put", "get", "delete", "cas".
const char* to_string(op_kind k);

/// What a client asked. `V` is the value type: byte strings in histories, interned ids
/// inside the checker (so the register model below is written once for both).
template <class V>
struct basic_command {
  op_kind kind = op_kind::get;
  V value{};                  ///< put: the value written; cas: the new value; else unused
  std::optional<V> expected;  ///< cas only: the value compared with; nullopt = "absent"
};

/// What a client was told. Which fields count depends on the command's kind:
/// put: none (a put that answered succeeded); get: `observed` (nullopt = not found);
/// delete: `existed`; cas: `ok`, and when !ok the current value it saw in `observed`
/// (nullopt = the key was absent).
template <class V>
struct basic_outcome {
  bool ok = true;
  bool existed = false;
  std::optional<V> observed;
};

using bytes = std::string;  ///< keys and values are byte strings, not text
using command = basic_command<bytes>;
using outcome = basic_outcome<bytes>;
using client_id = std::uint64_t;
using op_time = std::int64_t;

/// The answer to a call and when it arrived.
struct completion {
  op_time ret = 0;  ///< invariant: ret >= the operation's call
  outcome out;
};

struct operation {
  client_id client = 0;
  bytes key;
  command cmd;
  op_time call = 0;
  std::optional<completion> done;  ///< nullopt: outcome unknown, return at +infinity

  bool known() const { return done.has_value(); }
};

/// A history: operations in any order (the checker orders them by time).
using history = std::vector<operation>;

// Commands and outcomes by name, for recorders and hand-written histories.
command put_command(bytes value);
command get_command();
command delete_command();
command cas_command(std::optional<bytes> expected, bytes value);
outcome put_ok();
outcome got(std::optional<bytes> value);  ///< nullopt: not found
outcome deleted(bool existed);
outcome cas_ok();
outcome cas_failed(std::optional<bytes> observed);  ///< nullopt: the key was absent

/// An operation with a known outcome, returned at `ret`.
operation make_op(client_id client, op_time call, op_time ret, bytes key, command cmd,
                  outcome out);
/// An operation whose outcome is unknown.
operation make_unknown(client_id client, op_time call, bytes key, command cmd);

/// A byte string for people: quoted, printable ASCII as is, other bytes as \xNN, cut after
/// `max` bytes with "...". nullopt prints as `absent`.
std::string quote(const bytes& b, std::size_t max = 40);
std::string quote(const std::optional<bytes>& b, std::size_t max = 40);

/// One line for people: `client 3 [40, 50] get("x") -> "a"`, with `[40, ?]` and
/// `-> unknown` for an unknown outcome.
std::string describe(const operation& op);

} // namespace raft::lincheck

#pragma once
/// What every key-value client of the project shares (kv_client, kv_session, the
/// asynchronous session actor): how reads are confirmed, the time limits of an operation,
/// and how an operation ended.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "messages/wire.hpp"

namespace raft {

enum class read_consistency : std::uint8_t { linearizable, lease, local };

/// "linearizable", "lease", "local".
const char* to_string(read_consistency c);

struct kv_client_options {
  std::chrono::milliseconds timeout{5000}; ///< per operation, every retry included
  std::chrono::milliseconds attempt{1000}; ///< one try at one member, then another
  read_consistency reads = read_consistency::linearizable;
  /// The member asked first (0: the first of the list); the leader it names is asked next.
  peer_id prefer = 0;
};

/// How an operation ended.
enum class kv_outcome : std::uint8_t {
  done,        ///< it happened (a failed cas and a missing key too): the result says what
  unknown,     ///< it may or may not have happened: the request left and no answer came
  refused,     ///< known not to have happened: the store refused it (`error` says why)
  unavailable, ///< known not to have happened: no member or no leader answered in time, and
               ///< the request never reached one
};

/// "done", "unknown", "refused", "unavailable".
const char* to_string(kv_outcome o);

struct kv_result {
  kv_outcome outcome = kv_outcome::unavailable;
  /// get: the key exists; delete: it existed; failed cas: the key exists.
  bool found = false;
  bool swapped = false;             ///< cas: the new value was written
  std::optional<std::string> value; ///< get found, failed cas found: the current value
  std::string error;                ///< not done: one line saying why
};

} // namespace raft

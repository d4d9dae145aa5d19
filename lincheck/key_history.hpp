#pragma once
/// Per-key partitioning. Every operation touches one key, and linearizability is local
/// (Herlihy & Wing 1990, Theorem 1): a history is linearizable exactly when each key's
/// sub-history is. So each key is checked alone, which keeps each search small.
///
/// Inside one key, values are interned to small integers so that the search's states are
/// cheap to compare and hash.

#include <cstdint>
#include <string>
#include <vector>

#include "lincheck/operation.hpp"

namespace raft::lincheck {

using value_id = std::uint32_t;

/// One operation of one key with interned values.
struct compact_op {
  basic_command<value_id> cmd;
  basic_outcome<value_id> out;  ///< meaningful only when `known`
  bool known = false;
  op_time call = 0;
  op_time ret = 0;  ///< meaningful only when `known`
};

struct key_history {
  bytes key;
  std::vector<compact_op> ops;
  std::vector<std::size_t> source;  ///< ops[i] is history[source[i]]
  std::vector<bytes> values;        ///< value_id -> bytes
};

/// Splits `h` by key (in key order), interning each key's values.
std::vector<key_history> partition_by_key(const history& h);

} // namespace raft::lincheck

#pragma once
/// The sequential specification of one key: a register that is absent or holds a value.
/// The checker asks it whether an operation, placed at some point of a linearization, is
/// consistent with the state there, and what state follows.

#include <optional>

#include "lincheck/operation.hpp"

namespace raft::lincheck {

/// The state of one key: nullopt = absent.
template <class V>
using basic_state = std::optional<V>;

template <class V>
struct basic_step {
  bool legal = false;    ///< the outcome is what this command returns in this state
  basic_state<V> next;   ///< the state after it (meaningless when !legal)
};

/// One step of the register: `out` is the outcome, or nullptr when it is unknown.
///
/// - put: always legal; the key holds the value.
/// - get: legal when it observed the state (a value, or not found when absent).
/// - delete: legal when `existed` says whether the key was present; the key is absent.
/// - cas: compares the state with `expected` (a value, or absence). Succeeded: legal only on
///   a match, and the key holds the new value. Failed: legal only on a mismatch and when it
///   observed the state; nothing changes.
/// An unknown outcome is legal in every state (nothing was observed); if the operation takes
/// effect its effect is the command's (a cas whose comparison fails changes nothing).
template <class V>
basic_step<V> step(const basic_state<V>& state, const basic_command<V>& cmd,
                   const basic_outcome<V>* out) {
  switch (cmd.kind) {
    case op_kind::put:
      return {true, cmd.value};
    case op_kind::get:
      return {!out || out->observed == state, state};
    case op_kind::del:
      return {!out || out->existed == state.has_value(), std::nullopt};
    case op_kind::cas: {
      const bool match = state == cmd.expected;
      if (!out) return {true, match ? basic_state<V>(cmd.value) : state};
      if (out->ok) return {match, cmd.value};
      return {!match && out->observed == state, state};
    }
  }
  return {false, state};
}

using register_state = basic_state<bytes>;

/// The register's step for an operation of a history (its key is not looked at).
inline basic_step<bytes> step(const register_state& s, const operation& op) {
  return step<bytes>(s, op.cmd, op.done ? &op.done->out : nullptr);
}

} // namespace raft::lincheck

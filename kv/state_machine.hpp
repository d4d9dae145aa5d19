#pragma once
/// The replicated state machine API: what an application implements so that the Raft log can
/// drive it (Raft paper §5.3: "each server ... applies the command to its state machine").
/// Plain C++17, no CAF.
///
/// Contract (every implementation must keep it; replicas agree only because of it):
/// - **Determinism.** `apply` is a pure function of the state and its arguments. The same
///   commands at the same indices in the same order give the same results and the same state
///   (byte for byte, as `snapshot` shows) on every replica. So no clocks, no randomness, no
///   addresses or thread ids, and no iteration over unordered containers whose order could
///   leak into results or snapshots. Time, where needed (session expiry), comes only from the
///   log: e.g. a timestamp the leader stamps into each command before it is appended.
/// - **Indices.** The log applies each committed entry exactly once, in index order (§5.3,
///   Figure 2 "lastApplied"); `index` is the entry's log index. The machine may use it (a
///   unique, replicated number) but must not rely on seeing every index (entries of other
///   kinds, e.g. configuration or no-op entries, are not given to it).
/// - **Bad commands.** A command the machine cannot understand gets an error *result*; it
///   never throws and never crashes the replica (a committed entry cannot be taken back, and
///   every replica must give the same answer).
/// - **Snapshots** (§7). `snapshot` encodes the whole state, including anything that
///   influences future results (e.g. client sessions). `restore` replaces the state wholly
///   with a snapshot's; a snapshot that is corrupt or malformed is refused with
///   `snapshot_error` and leaves the state unchanged.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

namespace raft::kv {

using bytes = std::string;  ///< commands, results and snapshots are byte strings

/// A snapshot that `restore` refused: the message says what is wrong (one line).
class snapshot_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// What `prepare` decided about a client's command before it is appended to the log.
struct to_append {
  bytes command; ///< the bytes to append (e.g. stamped with the leader's clock)
};
struct refused {
  bytes result; ///< the error result the client gets at once; nothing reaches the log
};
using prepared = std::variant<to_append, refused>;

class state_machine {
public:
  virtual ~state_machine() = default;

  /// Leader side, before a client's command is appended (not part of the replicated state,
  /// so it may read the leader's clock): the bytes to append, or the error result of a
  /// command that can never succeed whatever the state (undecodable, oversize), which the
  /// client gets at once and which never takes space in the log. The default appends the
  /// command as it is.
  virtual prepared prepare(std::string_view command, std::uint64_t /*now_ms*/) const {
    return to_append{bytes(command)};
  }

  /// Answers a read-only command from the current state, without changing it: the reads
  /// that do not go through the log (ReadIndex, lease and local reads; the peer calls it
  /// only once the state includes what the read must see). The default refuses every query.
  virtual bytes query(std::string_view /*command*/) const { return {}; }

  /// Applies the command of the committed log entry at `index` and returns its result, to be
  /// sent to the client that proposed it. Never throws for bad command bytes.
  virtual bytes apply(std::uint64_t index, std::string_view command) = 0;

  /// The whole state as bytes; `restore(snapshot())` on any replica gives an equal state.
  virtual bytes snapshot() const = 0;

  /// Replaces the state with the one `snapshot` encodes. Throws snapshot_error (state
  /// unchanged) when the snapshot is corrupt or malformed.
  virtual void restore(std::string_view snapshot) = 0;
};

} // namespace raft::kv

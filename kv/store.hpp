#pragma once
/// The key-value store: the first replicated state machine (kv/state_machine.hpp), with
/// client sessions for exactly-once writes (Raft dissertation §6.3).
///
/// Operations (commands and results: kv/codec.hpp): `put` writes; `get` reads (found or not);
/// `delete` removes and says whether the key existed; `cas` replaces the value only if the key
/// holds `expected` (or, with no `expected`, is absent), and otherwise reports what it holds.
/// A request that does not decode, or whose key or value exceeds its limit, gets an error
/// result and changes nothing at all (not even session state or the store's clock).
///
/// Sessions. A client first proposes `open_session`; the session's id is the log index of
/// that entry (unique and the same on every replica). Each later request carries the id and a
/// sequence number one higher than its previous one; a client has at most one request
/// outstanding per session. Per session the store keeps the last applied sequence number and
/// its result (part of the state and of snapshots), so:
/// - seq > last: applied, and its result replaces the cached one;
/// - seq == last: a retry of a request that was already applied: answered from the cache,
///   not applied again (a cas retried after it succeeded returns that success);
/// - seq < last: refused with `stale_sequence` (its result is gone; the client had already
///   moved on, so this can only be a very late duplicate).
/// A `get` through the log (with a session) is linearizable; the reads raft-node serves do not
/// enter the log: `query` answers a sessionless `get` from the current data, and the peer
/// calls it only once the data includes what the read must see (ReadIndex, a lease, or a
/// local read: actors/peer.cpp, README "The key-value service").
///
/// Expiry, deterministic because it uses only the log. The store's clock `now_ms` is the
/// largest `time_ms` stamped on any applied valid request (a new leader's clock may lag the
/// old one's: taking the maximum keeps it monotonic). Before each valid request is handled,
/// every session whose last activity is older than `now_ms - session_timeout_ms` is removed.
/// Opening a session when `max_sessions` are open removes the least recently used one (by log
/// index of its last request). A request naming a session that is not open gets
/// `session_expired` and is never executed: a client must open a new session and decide for
/// itself whether its last write happened. Sessions are ordered by last activity index, which
/// is also the order of last activity time (the clock is monotonic in log order), so both
/// rules remove from the front of one ordered set.
///
/// Determinism: ordered containers only, no clock, no randomness; snapshots list keys and
/// sessions in order, so equal states give identical bytes.

#include <cstdint>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "kv/codec.hpp"
#include "kv/state_machine.hpp"

namespace raft::kv {

/// Every replica of one cluster must use the same options (they shape results).
struct store_options {
  std::uint64_t session_timeout_ms = 60 * 60 * 1000;  ///< idle time after which a session expires
  std::size_t max_sessions = 4096;                    ///< open sessions at most (>= 1)
};

class kv_store final : public state_machine {
public:
  explicit kv_store(store_options opts = {});

  bytes apply(std::uint64_t index, std::string_view command) override;
  bytes snapshot() const override;
  void restore(std::string_view snapshot) override;
  /// Refuses undecodable and oversize requests (and a `get`, which is a query, not a write)
  /// before they reach the log; stamps the rest with the leader's clock (`time_ms`).
  prepared prepare(std::string_view command, std::uint64_t now_ms) const override;
  /// Answers a `get` from the current data; any other request gets bad_request.
  bytes query(std::string_view command) const override;

  /// `apply` on a decoded request (the same rules; what `apply` calls after decoding).
  response apply_request(std::uint64_t index, const request& r);

  // Inspection, for tests and tools.
  std::size_t size() const { return data_.size(); }
  std::size_t sessions() const { return sessions_.size(); }
  bool has_session(std::uint64_t client) const { return sessions_.count(client) != 0; }
  std::uint64_t now_ms() const { return now_ms_; }

private:
  struct session {
    std::uint64_t last_seq = 0;
    std::uint64_t last_index = 0;  ///< log index of its last request (or of its opening)
    std::uint64_t last_time_ms = 0;
    response last_result;          ///< the result of last_seq
  };

  response execute(const request& r);
  void expire();
  void touch(std::uint64_t client, session& s, std::uint64_t index);

  store_options opts_;
  std::map<bytes, bytes> data_;
  std::map<std::uint64_t, session> sessions_;
  std::set<std::pair<std::uint64_t, std::uint64_t>> by_activity_;  ///< (last_index, client)
  std::uint64_t now_ms_ = 0;
};

} // namespace raft::kv

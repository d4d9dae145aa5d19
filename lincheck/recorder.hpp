#pragma once
/// Records a history from concurrent client threads.
///
/// A client calls `call` just before it sends a request and `returned` (or `unknown`) once it
/// knows the outcome. Times are nanoseconds on the steady clock since the recorder was made,
/// read under the recorder's lock: the call time is read before the request can leave and
/// the return time after the answer arrived, so each recorded interval contains the real
/// one, which is all linearizability needs.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <vector>

#include "lincheck/operation.hpp"

namespace raft::lincheck {

class recorder {
public:
  using ticket = std::size_t;

  recorder();

  /// Records the call of `cmd` on `key` by `client`; the ticket names it in `returned`.
  ticket call(client_id client, bytes key, command cmd);

  /// Records the outcome of the call `t`. Throws std::logic_error for an unknown ticket or
  /// one already settled.
  void returned(ticket t, outcome out);

  /// Settles `t` without an outcome (timed out, leader lost): it stays unknown. Throws as
  /// `returned` does.
  void unknown(ticket t);

  /// Settles `t` as known not to have taken effect (the store refused it, or it never
  /// reached a member): it is left out of the history, since an operation that changed
  /// nothing and observed nothing constrains no linearization. Throws as `returned` does.
  void not_done(ticket t);

  /// The history so far. Calls not yet settled appear with an unknown outcome; calls settled
  /// with `not_done` do not appear.
  history snapshot() const;

  /// Nanoseconds since the recorder was made (the unit of its call and return times).
  op_time now() const;

private:
  void settle(ticket t);

  const std::chrono::steady_clock::time_point start_;
  mutable std::mutex mutex_;
  history ops_;                 ///< guarded by mutex_
  std::vector<bool> settled_;   ///< guarded by mutex_; settled_[t]: returned, unknown or not done
  std::vector<bool> dropped_;   ///< guarded by mutex_; dropped_[t]: settled with not_done
};

} // namespace raft::lincheck

#pragma once
/// The transport's timeouts, derived from a cluster's Raft timing (formula documented in
/// config/README.md; the test is tests/config/transport_timing_test.cpp).
///
/// CAF's middleman sends a heartbeat on every connection each `heartbeat_interval`, and on
/// each of those ticks closes any connection it has heard nothing on for more than
/// `connection_timeout` (CAF 0.17.6, basp_broker.cpp). A closed connection is what makes a
/// link report `peer_down`, and a follower whose link to the leader goes down starts the
/// crash fast path (core/node.hpp). So the timeout must not fire before the election
/// timeout would: a leader that merely stalls must be treated like one whose heartbeats are
/// late (the election timer decides), and only a real crash (the kernel closes the socket
/// at once) or a host silent for longer than any follower's election timeout may take the
/// fast path.
///
/// Formula: heartbeat_interval = heartbeat, connection_timeout = election_max + heartbeat.
/// Why it never fires first: a follower's election timer is reset when a message of the
/// leader arrives, and that message is itself traffic on the connection, so the middleman's
/// "last heard" is at least as late as the last reset. The timer fires at most
/// `election_max` after that reset; the middleman closes the connection only more than
/// `election_max + heartbeat` after its last traffic, i.e. at least one heartbeat interval
/// after even the slowest election timer. That interval is margin for the timer itself
/// running late (it is a delayed message; CAF_NOTES.md: a loaded scheduler delays it), and
/// the heartbeat interval also sets how often the middleman ticks, so a healthy connection
/// (heartbeats both ways every interval) is never silent for more than about one interval,
/// far below the timeout (`election_max` ≥ 2 × heartbeat by the timing rules). With the
/// defaults (100 ms, 300–600 ms): a heartbeat every 100 ms, and a silent connection is
/// closed after 700 ms, at the first tick past that (700–800 ms).

#include <chrono>

#include "core/timing.hpp"

namespace raft {

struct transport_timing {
  duration heartbeat_interval; ///< middleman.heartbeat-interval
  duration connection_timeout; ///< middleman.connection-timeout
};

/// The middleman's settings for Raft timing `t` (see the file comment for why).
/// Precondition: `t.problem()` is empty.
inline transport_timing transport_timing_for(const timing& t) {
  return transport_timing{t.heartbeat, t.election_max + t.heartbeat};
}

} // namespace raft

#pragma once
/// What every hosts test shares: the skip when the network cannot be built, a fresh
/// cluster, the documented time bounds, and the Election Safety check that runs at the end
/// of every test (also when the test failed half-way).

#include <chrono>
#include <cstdint>
#include <functional>

#include "cluster_view.hpp"
#include "host_cluster.hpp"
#include "transport.hpp"

namespace raft::hosts {

using namespace std::chrono_literals;

/// What a scenario needs besides `ip netns`.
enum class needs { netns, netns_and_nft };

/// "A healed cluster has one leader within 5 s" (the spec of the multi-host network).
constexpr std::chrono::milliseconds heal_bound = 5s;

/// Time for a node's timer to fire late on the loaded 2-core machine (a 100 ms CAF timer
/// fired at about 110 ms under load: shared/CAF_NOTES.md). Added once to every bound derived
/// from the timing settings; times are measured from the moment the command that cut the
/// network returned.
constexpr std::chrono::milliseconds scheduling_allowance = 50ms;

/// Check-quorum (README, "Check-quorum"): a leader that has heard from no majority within
/// the maximum election timeout steps down; the check runs at every step, and the leader
/// steps at least every heartbeat. So it steps down at most election_max + heartbeat after
/// the last message it heard, which is no later than the end of the cut.
std::chrono::milliseconds step_down_bound(const process::timing_config& t);

/// Checks Figure 2's Election Safety over every node's event log: at most one leader per
/// term.
void check_election_safety(const host_cluster& c);

/// Checks that no node logged `remote_refused`: members and raftctl never send an internal
/// actor anything its guard drops (actors/node_system.hpp), so one would mean a guard that
/// stands in the protocol's way.
void check_nothing_refused(const host_cluster& c);

/// Skips the test (see availability.hpp) unless the network can be built, then runs `body`
/// on a fresh `nodes`-node host cluster and checks Election Safety at the end, also when
/// `body` throws (a failed REQUIRE), and, when it returned, that nothing was refused. When anything failed, prints every node's log, as it
/// is at the end, to stderr.
void run_on_hosts(std::size_t nodes, const transport& how, needs what,
                  const std::function<void(host_cluster&)>& body);

/// Starts every node, checks each runs the transport under test (TLS on or off) and listens
/// on its own host's address, and waits (10 s) until
/// all follow one leader and every node's link to every other member is up (each logged
/// peer_up for each), so that a test's faults start from a fully connected cluster; returns
/// the leader.
agreement start_and_elect(host_cluster& c);

} // namespace raft::hosts

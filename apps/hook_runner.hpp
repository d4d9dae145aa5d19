#pragma once
/// Leadership hooks (`[hooks]` in the config): shell commands run when this node becomes
/// leader or follower, for operators who move a virtual IP, start a primary-only service or
/// fence an old one. CAF-free.
///
/// When a hook runs (`role_changed` decides, on the peer's thread, in event order):
/// - `on_leader` each time the node becomes leader (once per term it wins);
/// - `on_follower` at start (the node is not leader: make sure nothing primary-only runs),
///   each time it stops being leader, and each time it learns of a leader other than the
///   one the last `on_follower` was told. A candidacy runs nothing (the node was not leader
///   before it, or already ran on_follower when it stepped down).
/// The command runs as `/bin/sh -c CMD` in a process group of its own, stdin from
/// /dev/null, stdout and stderr to raft-node's stderr (stdout is the event log), with the
/// environment of raft-node plus RAFT_NODE_ID, RAFT_TERM (the fencing token: a larger term
/// is a later leadership; let whatever the hook drives refuse requests with a smaller one),
/// RAFT_ROLE (leader or follower) and RAFT_LEADER (the leader's id, empty when unknown).
///
/// Never on the peer's thread: `role_changed` only records the latest transition and wakes
/// the runner's own thread, which starts the command and waits for it.
///
/// Never two at once, and the newest wins: a transition that arrives while a hook runs
/// cancels it (SIGKILL to its whole process group), and only the latest pending transition
/// runs next. Why cancel rather than wait: the hook still running describes a role the node
/// no longer has. Letting an `on_leader` finish after the node lost leadership would keep it
/// acting as primary for up to the time limit while another node's `on_leader` already runs;
/// killing it and running `on_follower` at once is the shortest overlap. Hooks must therefore
/// be idempotent and safe to interrupt, and should pass RAFT_TERM to whatever they drive.
///
/// A hook still running after the time limit is killed the same way (SIGKILL to the group).
/// Every run ends with one report: exited (with its status), killed (time limit), cancelled
/// (a newer transition, or the node stopping) or not started (the spawn failed).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "config/cluster_config.hpp"
#include "core/role.hpp"

namespace raft {

/// One transition a hook is run for.
struct hook_job {
  std::string hook; ///< "on_leader" or "on_follower"
  std::string command;
  raft::role role = raft::role::follower;
  term_t term = 0;
  std::optional<peer_id> leader;
};

/// How a hook run ended.
struct hook_report {
  hook_job job;
  std::string outcome;       ///< exited, killed, cancelled, not_started
  std::optional<int> status; ///< exited: the exit status
  std::optional<int> signal; ///< exited by a signal it did not get from us
  std::string detail;        ///< why it was killed, cancelled or not started
  std::chrono::milliseconds took{0};
};

class hook_runner {
public:
  /// `report` is called on the runner's thread after each run.
  hook_runner(peer_id self, hook_settings settings, std::function<void(const hook_report&)> report);
  /// Cancels a running hook (reported as cancelled: the node is stopping) and joins.
  ~hook_runner();
  hook_runner(const hook_runner&) = delete;
  hook_runner& operator=(const hook_runner&) = delete;

  /// From the peer's observer for every role_changed effect; returns at once.
  void role_changed(raft::role r, term_t term, std::optional<peer_id> leader);

private:
  void run();
  /// Starts `job` and waits until it ends, times out, or a newer job or stop arrives.
  hook_report execute(const hook_job& job, std::unique_lock<std::mutex>& lock);

  peer_id self_;
  hook_settings settings_;
  std::function<void(const hook_report&)> report_;
  // What the last scheduled hook was told (role_changed's thread only).
  std::optional<raft::role> told_role_;
  std::optional<peer_id> told_leader_;
  term_t told_term_ = 0;

  std::mutex mtx_;
  std::condition_variable cv_;
  std::optional<hook_job> pending_; ///< the latest transition not yet started
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace raft

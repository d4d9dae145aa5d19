/// §5.3: "If followers crash or run slowly, or if network packets are lost, the leader retries
/// AppendEntries RPCs indefinitely ... until all followers eventually store all log entries."
/// A leader streaming entries to a follower must notice a lost AppendEntries, or a lost
/// acknowledgement, even while that follower answers every heartbeat: the heartbeat itself
/// must show whether the follower holds what was sent.

#include <catch2/catch.hpp>

#include "tests/core/core_test_util.hpp"

using namespace raft_test;

namespace {

/// Delivers to `to` every message of `fx` addressed to it, each as its own step, and
/// completes the follower's group commit after each (the shell's sync): returns every
/// message `to` sent back, in order.
std::vector<message> deliver(const effects& fx, driven_node& to) {
  std::vector<message> back;
  for (const auto& s : effects_of<send>(fx)) {
    if (s.to != to.n.self())
      continue;
    for (auto& r : effects_of<send>(to.receive(s.msg)))
      back.push_back(r.msg);
    for (auto& r : effects_of<send>(to.take(to.n.log_synced())))
      back.push_back(r.msg);
  }
  return back;
}

/// Hands `leader` every message of `msgs`, each as its own step; returns the last step's
/// effects.
effects hand_back(const std::vector<message>& msgs, driven_node& leader) {
  effects last;
  for (const auto& m : msgs)
    last = leader.receive(m);
  return last;
}

/// Peer 1 leads term 1 of three peers; peer 2 is a real follower that has answered the
/// first heartbeat, peer 3 is simulated. Both followers' progress is in replicate mode with
/// nothing in flight.
struct streaming_leader {
  driven_node leader = started(options_for(1, cluster_of(3)));
  driven_node follower = started(options_for(2, cluster_of(3)));

  streaming_leader() {
    auto won = make_leader(leader);
    hand_back(deliver(won, follower), leader);
    append_entries_reply from3{1, true, 3};
    leader.receive(from3);
    REQUIRE(leader.n.progress_of(2)->state() == progress::mode::replicate);
    REQUIRE(leader.n.progress_of(3)->state() == progress::mode::replicate);
  }

  /// Start(command) on the leader, its own copy synced; returns the AppendEntries it sent.
  effects propose(const std::string& command) {
    node::proposal p;
    auto fx = leader.take(leader.n.propose(command, time_point{0}, p));
    REQUIRE(p.is_leader);
    leader.take(leader.n.log_synced());
    return fx;
  }

  /// Peer 3 acknowledges everything through `index`.
  void peer3_acknowledges(log_index index) {
    append_entries_reply r{1, true, 3};
    r.match_index = index;
    leader.receive(r);
  }
};

} // namespace

TEST_CASE("leaders: entries whose AppendEntries was lost are sent again although the follower "
          "answers every heartbeat (§5.3)",
          "[rules][leader][replication]") {
  streaming_leader s;
  s.propose("x"); // the AppendEntries to peer 2 is lost
  s.peer3_acknowledges(1);
  REQUIRE(s.leader.n.commit_index() == 1);
  // Peer 2 answers each heartbeat at once. Within two heartbeat intervals it holds entry 1.
  for (int beat = 0; beat < 2 && s.follower.n.log().last_index() < 1; ++beat)
    hand_back(deliver(s.leader.fire_heartbeat(), s.follower), s.leader);
  INFO("peer 2's log ends at " << s.follower.n.log().last_index());
  CHECK(s.follower.n.log().last_index() == 1);
  CHECK(s.leader.n.progress_of(2)->match_index() == 1);
  // And it learns that entry 1 is committed, and applies it.
  hand_back(deliver(s.leader.fire_heartbeat(), s.follower), s.leader);
  CHECK(s.follower.n.commit_index() == 1);
  CHECK(s.follower.n.last_applied() == 1);
}

TEST_CASE("leaders: a follower's lost acknowledgement is made up for by its answer to the next "
          "heartbeat, which also lets it commit (§5.3)",
          "[rules][leader][replication]") {
  streaming_leader s;
  auto sent = s.propose("x");
  deliver(sent, s.follower); // peer 2 stores entry 1; its acknowledgement is lost
  REQUIRE(s.follower.n.log().last_index() == 1);
  s.peer3_acknowledges(1);
  REQUIRE(s.leader.n.commit_index() == 1);
  // One heartbeat and its answer: the leader knows peer 2 holds entry 1, and peer 2 knows it
  // is committed.
  hand_back(deliver(s.leader.fire_heartbeat(), s.follower), s.leader);
  CHECK(s.leader.n.progress_of(2)->match_index() == 1);
  CHECK(s.leader.n.progress_of(2)->inflight_messages() == 0);
  CHECK(s.follower.n.commit_index() == 1);
  CHECK(s.follower.n.last_applied() == 1);
}

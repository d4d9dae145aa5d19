/// How a leader paces AppendEntries (core/replication_limits.hpp, core/progress.hpp): a window
/// of unacknowledged messages per follower, batching while it is full, only heartbeats when
/// idle, and §5.3's "If followers crash or run slowly, or if network packets are lost, the
/// leader retries AppendEntries RPCs indefinitely (even after it has responded to the client)
/// until all followers eventually store all log entries."

#include <catch2/catch.hpp>

#include "tests/core/log_test_util.hpp"

using namespace raft_test;

namespace {

/// Leader 1 of three in term 1 that lets `window` AppendEntries with entries go unacknowledged
/// per follower; both followers have answered its first heartbeat.
driven_node leader_with_window(std::size_t window) {
  auto o = options_for(1, cluster_of(3));
  o.limits.max_inflight_messages = window;
  auto d = elected(o);
  caught_up(d, 2);
  caught_up(d, 3);
  return d;
}

/// Delivers what the leader sends in `fx` to the followers, their replies (after a sync) to
/// the leader, and so on until the leader sends them nothing more: a lossless network.
void exchange(driven_node& leader, std::vector<driven_node*> followers, effects fx) {
  for (int rounds = 0; count_of<send>(fx) > 0; ++rounds) {
    REQUIRE(rounds < 20);
    effects next;
    for (auto* f : followers)
      add(next, round_trip(leader, *f, fx));
    fx = std::move(next);
  }
}

} // namespace

/// Figure 2, Leaders: "If last log index ≥ nextIndex for a follower: send AppendEntries RPC
/// with log entries starting at nextIndex", within the window of replication_limits.
TEST_CASE("flow control: at most max_inflight_messages AppendEntries with entries go "
          "unacknowledged to a follower, and heartbeats still go",
          "[rules][leader][flow]") {
  auto d = leader_with_window(3);
  for (int i = 1; i <= 6; ++i) {
    CAPTURE(i);
    auto& fx = d.propose("e" + std::to_string(i));
    for (peer_id p : {2, 3}) {
      CAPTURE(p);
      if (i <= 3)
        CHECK(appends_to(fx, p) == std::vector<append_entries>{
                                     append(1, 1, i - 1, i == 1 ? 0 : 1,
                                            {entry(1, "e" + std::to_string(i))})});
      else
        CHECK(appends_to(fx, p).empty());
      CHECK(d.n.progress_of(p)->inflight_messages() == static_cast<std::size_t>(std::min(i, 3)));
    }
  }
  // The window is full, not the link: the heartbeat goes, carrying no entries, and asks about
  // the last entry sent.
  auto& hb = d.fire_heartbeat();
  for (peer_id p : {2, 3})
    CHECK(appends_to(hb, p) == std::vector<append_entries>{append(1, 1, 3, 1, {})});
}

/// The same rule once the window opens: everything from nextIndex on, in one message (up to
/// max_entries_per_message).
TEST_CASE("flow control: entries proposed while the window is full go in one AppendEntries "
          "once an acknowledgement opens it",
          "[rules][leader][flow]") {
  auto d = leader_with_window(2);
  for (int i = 1; i <= 5; ++i)
    d.propose("e" + std::to_string(i));
  auto log = d.n.log().entries();
  // Follower 2 acknowledges the first message: entries 3, 4 and 5 go together.
  auto& fx = d.receive(accepted(1, 2, 1));
  CHECK(appends_to(fx, 2) == std::vector<append_entries>{append(1, 1, 2, 1, slice_of(log, 3, 5))});
  CHECK(appends_to(fx, 3).empty());
  CHECK(d.n.progress_of(2)->inflight_messages() == 2);
  // Full again (entry 2, entries 3–5): entry 6 waits, then goes alone.
  CHECK(appends_to(d.propose("e6"), 2).empty());
  auto& rest = d.receive(accepted(1, 2, 5));
  CHECK(appends_to(rest, 2) == std::vector<append_entries>{append(1, 1, 5, 1, {entry(1, "e6")})});
}

/// Figure 2, Leaders: "send initial empty AppendEntries RPCs (heartbeat) to each server;
/// repeat during idle periods to prevent election timeouts (§5.2)"; and no more than that.
TEST_CASE("an idle leader sends only heartbeats: one AppendEntries without entries per "
          "follower per heartbeat interval, carrying its commit index (§5.2)",
          "[rules][leader][flow]") {
  auto d = leader_with_window(32);
  d.propose("a");
  d.log_synced();
  d.receive(accepted(1, 2, 1));
  d.receive(accepted(1, 3, 1));
  REQUIRE(d.n.commit_index() == 1);
  for (int k = 0; k < 3; ++k) {
    CAPTURE(k);
    auto& hb = d.fire_heartbeat();
    for (peer_id p : {2, 3})
      CHECK(appends_to(hb, p) == std::vector<append_entries>{append(1, 1, 1, 1, {}, 1)});
    CHECK(count_of<arm_heartbeat_timer>(hb) == 1);
    CHECK(hb.size() == 3);
    // Their answers send nothing more.
    CHECK(count_of<send>(d.receive(accepted(1, 2, 1))) == 0);
    CHECK(count_of<send>(d.receive(accepted(1, 3, 1))) == 0);
  }
}

/// §5.3: "If followers crash or run slowly, or if network packets are lost, the leader
/// retries AppendEntries RPCs indefinitely (even after it has responded to the client) until
/// all followers eventually store all log entries." The followers keep answering heartbeats,
/// so the leader must tell those answers from acknowledgements of the entries it sent.
TEST_CASE("if network packets are lost, the leader retries AppendEntries RPCs indefinitely "
          "until all followers eventually store all log entries, even while they answer its "
          "heartbeats (§5.3)",
          "[rules][leader][flow][loss]") {
  auto leader = elected(options_for(1, cluster_of(3)));
  auto f2 = started(options_for(2, cluster_of(3)));
  auto f3 = started(options_for(3, cluster_of(3)));
  exchange(leader, {&f2, &f3}, leader.last);
  REQUIRE(leader.n.progress_of(2)->state() == progress::mode::replicate);
  REQUIRE(leader.n.progress_of(3)->state() == progress::mode::replicate);

  auto proposed = leader.propose("x");
  leader.log_synced();
  SECTION("lost on the way to every follower") {}
  SECTION("lost on the way to one follower, after the entry was committed") {
    round_trip(leader, f2, proposed);
    REQUIRE(leader.n.commit_index() == 1);
  }
  int heartbeats = 0;
  while (!(f2.n.log() == leader.n.log() && f3.n.log() == leader.n.log())) {
    REQUIRE(heartbeats < 10);
    exchange(leader, {&f2, &f3}, leader.fire_heartbeat());
    ++heartbeats;
  }
  // The first heartbeat asks whether the follower holds the entry it was sent (its
  // prev_log_index is the last entry sent): the follower refuses, and the leader sends the
  // entry again at once, in the same exchange.
  CHECK(heartbeats == 1);
  CHECK(leader.n.commit_index() == 1);
}

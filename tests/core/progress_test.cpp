/// A leader's view of one follower (core/progress.hpp): next and match index, the probe,
/// replicate and snapshot modes, and the in-flight window.

#include <catch2/catch.hpp>

#include "core/progress.hpp"

using namespace raft;

namespace {
replication_limits window_of(std::size_t messages, std::size_t bytes = 1 << 20) {
  replication_limits l;
  l.max_inflight_messages = messages;
  l.max_inflight_bytes = bytes;
  return l;
}
} // namespace

TEST_CASE("a new leader's progress starts at its last index + 1 with match 0, probing") {
  progress p(8, time_point{0});
  CHECK(p.next_index() == 8);
  CHECK(p.match_index() == 0);
  CHECK(p.state() == progress::mode::probe);
  CHECK(p.may_send_entries(window_of(4)));
}

TEST_CASE("a probe allows one message in flight until a reply or the next heartbeat") {
  progress p(8, time_point{0});
  auto limits = window_of(4);
  p.sent_entries(9, 10);
  CHECK_FALSE(p.may_send_entries(limits));
  CHECK(p.tick() == false);
  CHECK(p.may_send_entries(limits)); // sent again at the heartbeat
  p.sent_probe();
  CHECK_FALSE(p.may_send_entries(limits));
}

TEST_CASE("a success ends the probe and the leader streams entries up to the window") {
  progress p(8, time_point{0});
  auto limits = window_of(2);
  p.sent_probe();
  CHECK(p.on_success(7));
  CHECK(p.state() == progress::mode::replicate);
  CHECK(p.next_index() == 8);
  p.sent_entries(9, 10);
  CHECK(p.next_index() == 10);
  CHECK(p.may_send_entries(limits));
  p.sent_entries(12, 10);
  CHECK_FALSE(p.may_send_entries(limits));
  CHECK(p.inflight_messages() == 2);
  // A cumulative acknowledgement frees every message it covers.
  CHECK(p.on_success(12));
  CHECK(p.inflight_messages() == 0);
  CHECK(p.inflight_bytes() == 0);
  CHECK(p.match_index() == 12);
  CHECK(p.next_index() == 13);
  CHECK_NOTHROW(p.check(limits));
}

TEST_CASE("the window also closes on bytes in flight") {
  progress p(1, time_point{0});
  p.on_success(0);
  REQUIRE(p.state() == progress::mode::replicate);
  auto limits = window_of(10, 100);
  p.sent_entries(1, 60);
  CHECK(p.may_send_entries(limits));
  p.sent_entries(2, 60);
  CHECK_FALSE(p.may_send_entries(limits));
}

TEST_CASE("a refusal moves next_index back to the hint, never at or below match_index") {
  progress p(20, time_point{0});
  p.sent_probe();
  CHECK(p.on_reject(19, 12));
  CHECK(p.next_index() == 12);
  CHECK(p.state() == progress::mode::probe);
  p.sent_probe();
  CHECK(p.on_reject(11, 30)); // a hint above the refused index is capped by it
  CHECK(p.next_index() == 11);
}

TEST_CASE("a stale refusal changes nothing") {
  progress p(10, time_point{0});
  p.sent_probe();
  CHECK(p.on_success(9));
  p.sent_entries(12, 3);
  CHECK_FALSE(p.on_reject(5, 3)); // about a message before what was acknowledged
  CHECK(p.state() == progress::mode::replicate);
  CHECK(p.next_index() == 13);
  progress q(10, time_point{0});
  q.sent_probe();
  CHECK_FALSE(q.on_reject(4, 2)); // not the probe in flight (its prev_log_index is 9)
  CHECK(q.next_index() == 10);
}

TEST_CASE("entries in flight for a whole heartbeat interval with no acknowledgement are taken "
          "as lost, whatever answers to heartbeats came (§5.3)") {
  progress p(5, time_point{0});
  p.on_success(4);
  CHECK(p.tick()); // the probe's reply came in this interval
  p.sent_entries(6, 10);
  CHECK_FALSE(p.tick()); // sent within this interval: not a whole one yet
  CHECK(p.state() == progress::mode::replicate);
  p.on_success(4); // a heartbeat's answer acknowledges none of them
  CHECK_FALSE(p.tick());
  CHECK(p.state() == progress::mode::probe);
  CHECK(p.next_index() == 5);
  CHECK(p.inflight_messages() == 0);
  progress q(5, time_point{0});
  q.on_success(4);
  q.tick();
  q.sent_entries(6, 10);
  q.on_success(5); // a reply came: the rest may still be on its way
  CHECK(q.tick());
  CHECK(q.state() == progress::mode::replicate);
}

TEST_CASE("a snapshot goes chunk by chunk and ends in a probe after the snapshot's index") {
  progress p(3, time_point{0});
  p.begin_snapshot(40);
  CHECK(p.state() == progress::mode::snapshot);
  CHECK_FALSE(p.may_send_entries(window_of(4)));
  CHECK(p.snapshot_offset() == 0);
  CHECK(p.on_snapshot_reply(40, 100, false));
  CHECK(p.snapshot_offset() == 100);
  CHECK_FALSE(p.on_snapshot_reply(39, 200, true)); // another snapshot's reply
  CHECK(p.on_snapshot_reply(40, 250, true));
  CHECK(p.state() == progress::mode::probe);
  CHECK(p.match_index() == 40);
  CHECK(p.next_index() == 41);
}

TEST_CASE("check-quorum reads when a follower was last heard from") {
  using std::chrono::milliseconds;
  progress p(1, time_point{milliseconds(100)});
  CHECK(p.recently_active(time_point{milliseconds(700)}, milliseconds(600)));
  CHECK_FALSE(p.recently_active(time_point{milliseconds(701)}, milliseconds(600)));
  p.heard_from(time_point{milliseconds(650)});
  CHECK(p.recently_active(time_point{milliseconds(1200)}, milliseconds(600)));
}

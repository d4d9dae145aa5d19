/// The client session's rules (client/kv_session.hpp) step by step, against a kv_store that
/// plays the leader: leader finding, retries with the same sequence number, sessions opened
/// and reopened, and how an operation ends when no answer comes.

#include <catch2/catch.hpp>

#include <variant>

#include "client/kv_session.hpp"
#include "kv/store.hpp"

using namespace raft;
using namespace std::chrono_literals;
using clock_type = kv_session::clock;

namespace {

/// The leader's store: applies what a member would append and answers as the peer does.
struct leader_store {
  explicit leader_store(kv::store_options o = {}) : store(o) {}
  kv::kv_store store;
  std::uint64_t index = 0;
  std::vector<kv::request> applied;

  client_reply answer(const client_request& r) {
    if (r.kind != static_cast<std::uint8_t>(request_kind::write))
      return {static_cast<std::uint8_t>(reply_status::ok), 0, store.query(r.payload)};
    auto prepared = store.prepare(r.payload, 1000);
    auto& cmd = std::get<kv::to_append>(prepared).command;
    applied.push_back(std::get<kv::request>(kv::decode_request(cmd)));
    return {static_cast<std::uint8_t>(reply_status::ok), 0, store.apply(++index, cmd)};
  }
};

client_reply not_leader(peer_id hint) {
  return {static_cast<std::uint8_t>(reply_status::not_leader), hint, {}};
}

kv_session::send_request expect_send(kv_session& s, clock_type::time_point now) {
  auto a = s.next(now);
  REQUIRE(std::holds_alternative<kv_session::send_request>(a));
  return std::get<kv_session::send_request>(a);
}

kv_result expect_done(kv_session& s, clock_type::time_point now) {
  auto a = s.next(now);
  REQUIRE(std::holds_alternative<kv_session::done>(a));
  return std::get<kv_session::done>(a).result;
}

kv::request decoded(const kv_session::send_request& s) {
  return std::get<kv::request>(kv::decode_request(s.request.payload));
}

} // namespace

TEST_CASE("kv_session: a first write follows the leader hint, opens a session, then writes with seq 1") {
  leader_store leader;
  kv_session s{{1, 2, 3}};
  auto t = clock_type::now();
  s.start_put("k", "v", t);
  auto first = expect_send(s, t);
  CHECK(first.to == 1);
  CHECK(decoded(first).kind == kv::op::open_session);
  s.replied(not_leader(2));
  auto open = expect_send(s, t);
  CHECK(open.to == 2);
  s.replied(leader.answer(open.request));
  auto put = expect_send(s, t);
  CHECK(put.to == 2);
  CHECK(decoded(put).client == s.id());
  CHECK(decoded(put).seq == 1);
  s.replied(leader.answer(put.request));
  auto r = expect_done(s, t);
  CHECK(r.outcome == kv_outcome::done);
  CHECK(s.leader() == 2);
  CHECK_FALSE(s.busy());
  // The next write goes straight to the leader with the next number.
  s.start_put("k", "w", t);
  auto next = expect_send(s, t);
  CHECK(next.to == 2);
  CHECK(decoded(next).seq == 2);
}

TEST_CASE("kv_session: a write retried after a lost answer carries the same seq and is applied once") {
  leader_store leader;
  kv_session s{{1, 2}};
  auto t = clock_type::now();
  s.start_put("k", "v", t);
  s.replied(leader.answer(expect_send(s, t).request)); // the session opens at member 1
  auto put = expect_send(s, t);
  leader.answer(put.request); // applied, but the answer is lost
  s.no_reply(true);
  auto retry = expect_send(s, t);
  CHECK(retry.to == 2); // the next member
  CHECK(decoded(retry).seq == decoded(put).seq);
  s.replied(not_leader(1));
  auto again = expect_send(s, t);
  CHECK(again.to == 1);
  s.replied(leader.answer(again.request)); // answered from the session's cache
  CHECK(expect_done(s, t).outcome == kv_outcome::done);
  CHECK(leader.store.size() == 1);
}

TEST_CASE("kv_session: with no leader known it pauses before the next member") {
  kv_session s{{1, 2}};
  auto t = clock_type::now();
  s.start_get("k", read_consistency::linearizable, t);
  auto get = expect_send(s, t);
  CHECK(get.request.kind == static_cast<std::uint8_t>(request_kind::read_linearizable));
  s.replied(not_leader(0));
  auto a = s.next(t);
  REQUIRE(std::holds_alternative<kv_session::pause>(a));
  CHECK(expect_send(s, t + 20ms).to == 2);
}

TEST_CASE("kv_session: no answer by the deadline is unknown once a write may have arrived, unavailable otherwise") {
  kv_client_options o;
  o.timeout = 100ms;
  o.attempt = 40ms;
  leader_store leader;
  SECTION("the write may have arrived") {
    kv_session s{{1}, o};
    auto t = clock_type::now();
    s.start_put("k", "v", t);
    s.replied(leader.answer(expect_send(s, t).request));
    auto put = expect_send(s, t);
    CHECK(put.limit == 40ms);
    s.no_reply(true);
    expect_send(s, t + 50ms);
    s.no_reply(false);
    CHECK(expect_done(s, t + 100ms).outcome == kv_outcome::unknown);
  }
  SECTION("no member could be reached") {
    kv_session s{{1, 2}, o};
    auto t = clock_type::now();
    s.start_get("k", read_consistency::lease, t);
    CHECK(expect_send(s, t).request.kind == static_cast<std::uint8_t>(request_kind::read_lease));
    s.no_reply(false);
    CHECK(expect_send(s, t + 90ms).limit == 10ms);
    s.no_reply(false);
    auto r = expect_done(s, t + 100ms);
    CHECK(r.outcome == kv_outcome::unavailable);
    CHECK(r.error == "member 2 cannot be reached");
  }
}

TEST_CASE("kv_session: an expired session is reopened and the write resent, unless an earlier try may have executed") {
  kv::store_options short_sessions;
  short_sessions.max_sessions = 1;
  leader_store leader{short_sessions};
  kv_session s{{1}};
  auto t = clock_type::now();
  s.start_put("k", "v", t);
  s.replied(leader.answer(expect_send(s, t).request));
  s.replied(leader.answer(expect_send(s, t).request));
  REQUIRE(expect_done(s, t).outcome == kv_outcome::done);
  auto first_session = s.id();
  // Another client's session displaces this one (max_sessions 1).
  kv::request open;
  open.kind = kv::op::open_session;
  leader.answer({static_cast<std::uint8_t>(request_kind::write), kv::encode(open)});
  SECTION("nothing ambiguous: a new session, seq 1") {
    s.start_put("k", "w", t);
    s.replied(leader.answer(expect_send(s, t).request)); // session_expired
    auto reopen = expect_send(s, t);
    CHECK(decoded(reopen).kind == kv::op::open_session);
    s.replied(leader.answer(reopen.request));
    auto put = expect_send(s, t);
    CHECK(decoded(put).client != first_session);
    CHECK(decoded(put).seq == 1);
    s.replied(leader.answer(put.request));
    CHECK(expect_done(s, t).outcome == kv_outcome::done);
  }
  SECTION("an earlier try got no answer: unknown") {
    s.start_put("k", "w", t);
    expect_send(s, t);
    s.no_reply(true);
    s.replied(leader.answer(expect_send(s, t).request)); // session_expired
    CHECK(expect_done(s, t).outcome == kv_outcome::unknown);
  }
}

TEST_CASE("kv_session: a refused write and a failed cas end at once") {
  leader_store leader;
  kv_session s{{1}};
  auto t = clock_type::now();
  s.start_cas("k", std::string("x"), "y", t);
  s.replied(leader.answer(expect_send(s, t).request));
  s.replied(leader.answer(expect_send(s, t).request));
  auto r = expect_done(s, t);
  CHECK(r.outcome == kv_outcome::done);
  CHECK_FALSE(r.swapped);
  CHECK_FALSE(r.found);
  s.start_put("k", "v", t);
  expect_send(s, t);
  s.replied({static_cast<std::uint8_t>(reply_status::refused), 0,
             kv::encode(kv::response{kv::status::too_large, false, {}, {}, "too large"})});
  auto refused = expect_done(s, t);
  CHECK(refused.outcome == kv_outcome::refused);
  CHECK(refused.error == "too large");
  CHECK_THROWS_AS(s.next(t), std::logic_error);
}

TEST_CASE("kv_session: the preferred member is asked first, and the first of the list when it is no member") {
  auto t = clock_type::now();
  kv_client_options o;
  o.prefer = 3;
  kv_session preferred{{1, 2, 3}, o};
  preferred.start_get("k", read_consistency::linearizable, t);
  CHECK(expect_send(preferred, t).to == 3);
  o.prefer = 9;
  kv_session unknown{{1, 2, 3}, o};
  unknown.start_get("k", read_consistency::linearizable, t);
  CHECK(expect_send(unknown, t).to == 1);
}

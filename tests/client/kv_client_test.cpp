/// kv_client against the in-process cluster (testing/test_cluster.hpp with key-value stores):
/// the client's rules (client/kv_client.hpp) and the peer's client path (actors/peer.cpp).

#include <catch2/catch.hpp>

#include <thread>

#include "client/kv_client.hpp"
#include "kv/codec.hpp"
#include "testing/polling.hpp"
#include "testing/test_cluster.hpp"

using namespace raft;
using namespace std::chrono_literals;

namespace {

test_cluster::options kv_cluster(std::size_t peers = 3) {
  test_cluster::options o;
  o.peers = peers;
  o.kv = true;
  return o;
}

kv_client_options quick(peer_id prefer = 0) {
  kv_client_options o;
  o.timeout = 3s;
  o.attempt = 500ms;
  o.prefer = prefer;
  return o;
}

/// A peer that is not `leader`.
peer_id follower_of(peer_id leader) {
  return leader == 1 ? 2 : 1;
}

} // namespace

TEST_CASE("a kv_client that asks a follower first is sent to the leader and its writes and "
          "reads succeed there",
          "[client]") {
  test_cluster c{kv_cluster()};
  auto leader = c.check_one_leader();
  kv_client client{c.client_transport(), quick(follower_of(leader))};
  auto put = client.put("k", "v");
  REQUIRE(put.outcome == kv_outcome::done);
  CHECK(client.leader() == leader);
  CHECK(client.session() != 0);
  for (auto how : {read_consistency::linearizable, read_consistency::lease}) {
    auto get = client.get("k", how);
    REQUIRE(get.outcome == kv_outcome::done);
    CHECK(get.found);
    CHECK(get.value == std::string("v"));
  }
  c.check_safety();
}

TEST_CASE("a kv_client's writes survive the leader's crash and go on under the new leader, "
          "each applied once",
          "[client]") {
  test_cluster c{kv_cluster()};
  auto leader = c.check_one_leader();
  kv_client client{c.client_transport(), quick()};
  REQUIRE(client.put("counter", "1").outcome == kv_outcome::done);
  c.crash(leader);
  // A cas only succeeds if the value is what the client last wrote: a write applied twice
  // (or lost) would make one of these fail.
  for (int i = 1; i < 10; ++i) {
    auto r = client.cas("counter", std::to_string(i), std::to_string(i + 1));
    INFO("cas " << i << ": " << to_string(r.outcome) << " " << r.error);
    REQUIRE(r.outcome == kv_outcome::done);
    CHECK(r.swapped);
  }
  CHECK(client.get("counter").value == std::string("10"));
  CHECK(client.leader() != leader);
  c.check_safety();
}

TEST_CASE("a write whose leader loses its majority after taking it has an unknown outcome, "
          "never a false success",
          "[client]") {
  test_cluster c{kv_cluster()};
  auto leader = c.check_one_leader();
  kv_client client{c.client_transport(), quick(leader)};
  REQUIRE(client.put("k", "before").outcome == kv_outcome::done); // the session is open
  // The followers crash: the leader takes the write and can never commit it.
  for (auto id : {1u, 2u, 3u})
    if (id != leader)
      c.crash(id);
  auto r = client.put("k", "after");
  INFO(r.error);
  CHECK(r.outcome == kv_outcome::unknown);
}

TEST_CASE("requests that can never succeed are refused before the log and change nothing",
          "[client]") {
  test_cluster c{kv_cluster()};
  auto leader = c.check_one_leader();
  auto transport = c.client_transport();
  auto last_index = [&] { return c.persisted(leader).log.size(); };
  kv_client client{transport, quick(leader)};
  REQUIRE(client.put("k", "v").outcome == kv_outcome::done);
  auto before = last_index();

  auto oversize = client.put("k", std::string(kv::max_value_bytes + 1, 'x'));
  CHECK(oversize.outcome == kv_outcome::refused);
  CHECK_THAT(oversize.error, Catch::Contains("exceeds the limit of 65536"));

  struct raw {
    client_request req;
    const char* says;
  };
  for (const auto& r :
       {raw{{static_cast<std::uint8_t>(request_kind::write), "garbage"}, "command"},
        raw{{static_cast<std::uint8_t>(request_kind::write), ""}, "reserved for no-op"},
        raw{{9, "x"}, "unknown request kind 9"}}) {
    CAPTURE(r.says);
    bool arrived = false;
    auto reply = transport->call(leader, r.req, 2s, arrived);
    REQUIRE(reply);
    CHECK(reply->status == static_cast<std::uint8_t>(reply_status::refused));
    CHECK_THAT(reply->result, Catch::Contains(r.says));
  }
  CHECK(last_index() == before);
  CHECK(client.get("k").value == std::string("v"));
}

TEST_CASE("a linearizable read asked of a follower is sent to the leader, and a local read "
          "is answered by the follower itself",
          "[client]") {
  test_cluster c{kv_cluster()};
  auto leader = c.check_one_leader();
  auto transport = c.client_transport();
  kv_client writer{transport, quick(leader)};
  REQUIRE(writer.put("k", "v").outcome == kv_outcome::done);
  kv::request q;
  q.kind = kv::op::get;
  q.key = "k";
  auto follower = follower_of(leader);
  bool arrived = false;
  auto linearizable = transport->call(
    follower, {static_cast<std::uint8_t>(request_kind::read_linearizable), kv::encode(q)}, 2s,
    arrived);
  REQUIRE(linearizable);
  CHECK(linearizable->status == static_cast<std::uint8_t>(reply_status::not_leader));
  CHECK(linearizable->leader == leader);
  // The follower applies the write once it learns it committed (at the next heartbeat).
  std::optional<client_reply> local;
  CHECK(testing::eventually(
    [&] {
      local = transport->call(follower,
                              {static_cast<std::uint8_t>(request_kind::read_local), kv::encode(q)},
                              2s, arrived);
      if (!local || local->status != static_cast<std::uint8_t>(reply_status::ok))
        return false;
      auto d = kv::decode_response(local->result);
      auto* resp = std::get_if<kv::response>(&d);
      return resp && resp->found && resp->value == std::string("v");
    },
    2s));
}

/// The cluster identity check with real raft-node processes (actors/endpoint.hpp,
/// actors/remote_link.hpp): a node whose config describes another cluster is refused in
/// both directions and never exchanges a Raft message with the cluster.

#include <catch2/catch.hpp>

#include <thread>

#include "testing/node_harness.hpp"
#include "transport_test_util.hpp"

using namespace raft::process;

namespace {

bool is_refusal(const event& e, const std::string& direction, std::uint64_t peer,
                const std::string& reason) {
  return e.name == "peer_refused" && e.str("direction") == direction && e.num("peer") == peer &&
         e.str("reason") == reason;
}

/// Waits until `n` logs a peer_refused event as described; returns it.
event wait_refusal(const node_process& n, const std::string& direction, std::uint64_t peer,
                   const std::string& reason) {
  auto e = n.wait_event([&](const event& x) { return is_refusal(x, direction, peer, reason); },
                        10s);
  INFO("node " << n.id() << " logs no " << direction << " refusal of peer " << peer << " ("
               << reason << ")\n"
               << read_file(n.log_path()).value_or(""));
  REQUIRE(e);
  return *e;
}

/// Waits until `n` has handed at least `at_least` messages to its links (it tried to reach
/// the others); returns the final stats event.
event wait_attempts(const node_process& n, std::uint64_t at_least) {
  std::optional<event> stats;
  bool tried = eventually(
    [&] {
      stats = fresh_stats(n);
      return stats && counters(*stats, "sent_") >= at_least;
    },
    10s, 100ms);
  INFO(read_file(n.log_path()).value_or(""));
  REQUIRE(tried);
  return *stats;
}

std::size_t count_named_since(const node_process& n, const std::string& name,
                              std::int64_t since_us) {
  std::size_t k = 0;
  for (auto& e : n.events())
    if (e.name == name && e.ts_us >= since_us)
      ++k;
  return k;
}

} // namespace

TEST_CASE("a node with another member list is refused and never connected",
          "[process][identity]") {
  cluster_dir c{3};
  c.start_all();
  auto leader = c.wait_for_leader(10s);
  REQUIRE(leader);
  auto before = c.status();
  REQUIRE(before.run.exit_code == 0);
  const auto term = before.peers.front().term;
  const std::string cluster = identity_of(c.node(1));
  REQUIRE_FALSE(cluster.empty());
  CHECK(identity_of(c.node(2)) == cluster);
  CHECK(identity_of(c.node(3)) == cluster);
  const auto since = wall_now_us();

  // Node 4, whose list has the three members and itself.
  const auto port4 = free_port();
  auto extra = extra_node(c, 4, "extra",
                          replaced(c.config_text(1, c.path("extra.data")), "id = 1\n",
                                   "id = 4\n") +
                            "\n[[peer]]\nid = 4\nhost = \"127.0.0.1\"\nport = " +
                            std::to_string(port4) + "\n");
  // A second node 3, whose list puts node 3 (itself) on another port.
  const auto moved_port = free_port();
  auto moved = extra_node(c, 3, "moved",
                          replaced(c.config_text(3, c.path("moved.data")),
                                   "port = " + std::to_string(c.port(3)) + "\n",
                                   "port = " + std::to_string(moved_port) + "\n"));
  extra->start();
  moved->start();

  // Both sides refuse, each event with both identities.
  for (std::uint64_t peer : {1, 2, 3}) {
    auto e = wait_refusal(*extra, "outgoing", peer, "another_member_list");
    CHECK(e.str("identity") == identity_of(*extra));
    CHECK(e.str("peer_identity") == cluster);
    CHECK(e.num("peer_claims") == peer);
    CHECK(e.str("address") == "127.0.0.1:" + std::to_string(c.port(peer)));
    auto in = wait_refusal(c.node(peer), "incoming", 4, "another_member_list");
    CHECK(in.str("identity") == cluster);
    CHECK(in.str("peer_identity") == identity_of(*extra));
  }
  for (std::uint64_t peer : {1, 2}) {
    auto e = wait_refusal(*moved, "outgoing", peer, "another_member_list");
    CHECK(e.str("peer_identity") == cluster);
    auto in = wait_refusal(c.node(peer), "incoming", 3, "another_member_list");
    CHECK(in.str("peer_identity") == identity_of(*moved));
  }
  CHECK(identity_of(*extra) != cluster);
  CHECK(identity_of(*moved) != cluster);
  CHECK(identity_of(*moved) != identity_of(*extra));

  // Never connected: each outsider has been asking for votes for a while (several rounds of
  // pre-votes handed to its links), and nothing reached it or came from it.
  auto extra_stats = wait_attempts(*extra, 30);
  auto moved_stats = wait_attempts(*moved, 20);
  INFO(c.logs() << "--- extra ---\n"
                << read_file(extra->log_path()).value_or("") << "--- moved ---\n"
                << read_file(moved->log_path()).value_or(""));
  CHECK(counters(extra_stats, "received_") == 0);
  CHECK(counters(moved_stats, "received_") == 0);
  CHECK(events_named(*extra, "peer_up").empty());
  CHECK(events_named(*moved, "peer_up").empty());
  for (auto id : c.ids()) {
    // Nothing reached the cluster's endpoints from them (it would be dropped and reported),
    // and no connection of the cluster changed.
    CHECK(count_named_since(c.node(id), "sender_rejected", since) == 0);
    CHECK(count_named_since(c.node(id), "peer_up", since) == 0);
    CHECK(count_named_since(c.node(id), "peer_down", since) == 0);
    CHECK(count_named_since(c.node(id), "role", since) == 0);
    CHECK(c.node(id).running());
  }
  auto after = c.status();
  CHECK(after.run.exit_code == 0);
  CHECK(after.leaders() == std::vector<std::uint64_t>{*leader});
  for (auto& p : after.peers)
    CHECK(p.term == term);
}

TEST_CASE("a node with another cluster_id is refused", "[process][identity]") {
  cluster_dir c{3};
  for (auto id : c.ids())
    write_file(c.config(id), with_cluster_id(c.config_text(id, c.data_dir(id)), "alpha"));
  // Node 3's address is taken by a node of cluster "beta" with the same member list.
  auto beta = extra_node(c, 3, "beta",
                         with_cluster_id(c.config_text(3, c.path("beta.data")), "beta"));
  c.node(1).start();
  c.node(2).start();
  beta->start();

  const std::string alpha = identity_of(c.node(1));
  REQUIRE(alpha.rfind("alpha/members-", 0) == 0);
  REQUIRE(identity_of(*beta) == "beta/" + alpha.substr(std::string("alpha/").size()));
  for (std::uint64_t id : {1, 2}) {
    auto out = wait_refusal(c.node(id), "outgoing", 3, "another_cluster_id");
    CHECK(out.str("identity") == alpha);
    CHECK(out.str("peer_identity") == identity_of(*beta));
    auto in = wait_refusal(c.node(id), "incoming", 3, "another_cluster_id");
    CHECK(in.str("peer_identity") == identity_of(*beta));
    auto beta_out = wait_refusal(*beta, "outgoing", id, "another_cluster_id");
    CHECK(beta_out.str("identity") == identity_of(*beta));
    CHECK(beta_out.str("peer_identity") == alpha);
    wait_refusal(*beta, "incoming", id, "another_cluster_id");
  }
  // Nodes 1 and 2 are a majority of three: they elect a leader without node 3.
  CHECK(eventually(
    [&] {
      for (std::uint64_t id : {1, 2})
        for (auto& e : events_named(c.node(id), "role"))
          if (e.str("role") == std::optional<std::string>{"leader"})
            return true;
      return false;
    },
    10s));
  auto beta_stats = wait_attempts(*beta, 20);
  {
    INFO(c.logs() << "--- beta ---\n" << read_file(beta->log_path()).value_or(""));
    CHECK(counters(beta_stats, "received_") == 0);
    CHECK(events_named(*beta, "peer_up").empty());
    for (std::uint64_t id : {1, 2}) {
      for (auto& e : events_named(c.node(id), "peer_up"))
        CHECK(e.num("peer") != std::optional<std::uint64_t>{3});
      CHECK(events_named(c.node(id), "sender_rejected").empty());
    }
  }

  // Once the node of cluster beta is gone, the real node 3 is accepted on that address.
  const auto replaced_at = wall_now_us();
  beta->kill_now();
  c.node(3).start();
  for (std::uint64_t id : {1, 2})
    CHECK(c.node(id).wait_event(
      [&](const event& e) {
        return e.name == "peer_up" && e.num("peer") == std::optional<std::uint64_t>{3} &&
               e.ts_us >= replaced_at;
      },
      10s));
  auto leader = c.wait_for_leader(10s);
  INFO(c.logs());
  CHECK(leader);
}

TEST_CASE("every link comes up when all nodes start at the same moment",
          "[process][identity]") {
  // Nodes that dial each other at once open two TCP connections per pair, and CAF 0.17 then
  // delivers the messages of one of them without a sender. The hello and the tokens must
  // not depend on the sender (actors/endpoint.hpp), or some links never come up.
  for (int round = 0; round < 10; ++round) {
    cluster_dir c{3};
    c.start_all();
    for (auto id : c.ids())
      for (auto other : c.ids()) {
        if (other == id)
          continue;
        auto up = c.node(id).wait_event(
          [&](const event& e) {
            return e.name == "peer_up" && e.num("peer") == std::optional<std::uint64_t>{other};
          },
          10s);
        INFO("round " << round << ": node " << id << " never connected to node " << other
                      << "\n"
                      << c.logs());
        REQUIRE(up);
      }
    INFO("round " << round << "\n" << c.logs());
    for (auto id : c.ids())
      CHECK(events_named(c.node(id), "peer_refused").empty());
  }
}

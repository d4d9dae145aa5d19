/// Hostile input against real raft-node processes with TLS on loopback (ctest label
/// `security`; README "Threat model"): for each, the cluster keeps its leader and term and
/// nothing persisted changes.

#include <catch2/catch.hpp>

#include <thread>

#include <sys/socket.h>
#include <unistd.h>

#include "tls_test_util.hpp"

using namespace raft::process;

TEST_CASE("a node whose certificate another CA signed is never connected to the cluster",
          "[process][tls][security]") {
  cluster_dir c{3};
  auto ca = test_identity::make_ca("cluster CA");
  secure(c, ca);
  // Node 3 trusts and is signed by another CA: its own start-up checks pass.
  auto other_ca = test_identity::make_ca("other CA");
  other_ca.write_cert(c.path("other-ca.pem"));
  write_identity(c, test_identity::make_signed(other_ca, "node3"), "node3");
  write_file(c.config(3), replaced(*read_file(c.config(3)), c.path("ca.pem"),
                                   c.path("other-ca.pem")));
  c.start_all();
  auto leader = c.wait_for_leader(10s);
  INFO(c.logs());
  REQUIRE(leader);
  REQUIRE(*leader != 3);
  const auto before = stored(c);
  // Node 3 keeps trying (its links retry every 100–500 ms) while 1 and 2 hold their term
  // through 30 of node 3's election timeouts.
  std::this_thread::sleep_for(3s); // a span of time: "never" has no event to await
  // Node 3 never answers raftctl either (it trusts another CA): wait for 1 and 2 only.
  status_result s;
  eventually(
    [&] {
      s = c.status();
      return s.reachable() == 2;
    },
    10s, 100ms);
  CHECK(s.leaders() == std::vector<std::uint64_t>{*leader});
  for (auto& p : s.peers)
    if (p.id != 3)
      CHECK(p.term == before.at(1)->term);
  for (auto id : c.ids())
    for (auto& e : c.node(id).events()) {
      INFO(id << ": " << e.raw);
      CHECK(e.name != "error");
      if (e.name == "peer_up")
        CHECK((id != 3 && e.num("peer") != std::optional<std::uint64_t>{3}));
    }
  CHECK(c.node(3).running());
  // Persisted state of the cluster's members is unchanged.
  auto after = stored(c);
  for (auto id : {1, 2}) {
    REQUIRE(after.at(id));
    CHECK(after.at(id)->term == before.at(id)->term);
    CHECK(after.at(id)->vote == before.at(id)->vote);
  }
}

TEST_CASE("a plain CAF client cannot deliver anything to a TLS node",
          "[process][tls][security]") {
  cluster_dir c{3};
  auto ca = test_identity::make_ca("cluster CA");
  secure(c, ca);
  c.start_all();
  auto leader = c.wait_for_leader(10s);
  REQUIRE(leader);
  const auto before = stored(c);
  const auto since = wall_now_us();
  const auto term = before.at(*leader)->term;
  // raft-forge without a config speaks plain CAF: 300 vote requests of a higher term.
  auto r = run_program({RAFT_FORGE_PATH, "--port", std::to_string(c.port(*leader)), "--kind",
                        "request_vote", "--claim", "1:3", "--term", std::to_string(term + 100),
                        "--count", "100"},
                       30s);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("no raft node endpoint") != std::string::npos);
  auto s = answered_status(c);
  CHECK(s.leaders() == std::vector<std::uint64_t>{*leader});
  for (auto& p : s.peers)
    CHECK(p.term == term);
  auto after = stored(c);
  for (auto id : c.ids()) {
    CHECK(after.at(id)->term == before.at(id)->term);
    CHECK(after.at(id)->vote == before.at(id)->vote);
    for (auto& e : c.node(id).events())
      if (e.ts_us >= since) {
        INFO(e.raw);
        CHECK(e.name != "role");
      }
  }
}

TEST_CASE("a member certificate presented for another member id earns no token",
          "[process][tls][security]") {
  cluster_dir c{3};
  auto ca = test_identity::make_ca("cluster CA");
  secure(c, ca);
  c.start_all();
  auto leader = c.wait_for_leader(10s);
  INFO(c.logs());
  REQUIRE(leader);
  std::vector<std::uint64_t> followers = c.others(*leader);
  const auto holder = followers[0];  // whose certificate and key the forger has
  const auto victim = followers[1];  // whom it claims to be
  const auto before = stored(c);
  const auto term = before.at(*leader)->term;
  const auto since = wall_now_us();
  auto s = [](std::uint64_t v) { return std::to_string(v); };
  const auto port = s(c.port(*leader));

  // The holder's own config proves the holder's own id: the proof itself works.
  auto own = run_program({RAFT_FORGE_PATH, "--port", port, "--hello-config", c.config(holder),
                          "--kind", "pre_vote", "--claim", s(holder), "--term", s(term),
                          "--count", "0"},
                         30s);
  INFO(own.out << own.err);
  REQUIRE(own.exit_code == 0);
  CHECK(own.out.find("\"hello\":\"accepted\"") != std::string::npos);

  // The holder's certificate and key, but node.id of the victim: refused, and 200 vote
  // requests of a higher term in the victim's name are dropped.
  write_file(c.path("forged.toml"),
             replaced(*read_file(c.config(holder)), "id = " + s(holder) + "\n",
                      "id = " + s(victim) + "\n"));
  auto forged = run_program({RAFT_FORGE_PATH, "--port", port, "--hello-config",
                             c.path("forged.toml"), "--kind", "request_vote", "--claim",
                             s(victim), "--term", s(term + 100), "--count", "200"},
                            30s);
  INFO(forged.out << forged.err);
  REQUIRE(forged.exit_code == 0);
  CHECK(forged.out.find("\"hello\":\"refused\"") != std::string::npos);
  CHECK(forged.out.find("\"term\":" + s(term) + ",") != std::string::npos);

  // The leader logged why: the certificate does not name the claimed member.
  auto refused = c.node(*leader).wait_event(
    [&](const event& e) {
      return e.name == "peer_refused" && e.ts_us >= since &&
             e.str("reason") == std::optional<std::string>{"bad_proof"};
    },
    5s);
  REQUIRE(refused);
  CHECK(refused->num("peer_claims") == std::optional<std::uint64_t>{victim});
  CHECK(refused->str("detail").value_or("").find("does not name node" + s(victim)) !=
        std::string::npos);
  CHECK(c.node(*leader).wait_event(
    [&](const event& e) { return e.name == "sender_rejected" && e.ts_us >= since; }, 5s));

  auto st = answered_status(c);
  CHECK(st.leaders() == std::vector<std::uint64_t>{*leader});
  for (auto& p : st.peers)
    CHECK(p.term == term);
  auto after = stored(c);
  for (auto id : c.ids()) {
    CHECK(after.at(id)->term == before.at(id)->term);
    CHECK(after.at(id)->vote == before.at(id)->vote);
    for (auto& e : c.node(id).events())
      if (e.ts_us >= since) {
        INFO(e.raw);
        CHECK(e.name != "role");
      }
  }
}

TEST_CASE("two hundred idle TCP connections and clients sending bytes without a certificate "
          "change no leader, term or vote",
          "[process][tls][security]") {
  cluster_dir c{3};
  auto ca = test_identity::make_ca("cluster CA");
  secure(c, ca);
  c.start_all();
  auto leader = c.wait_for_leader(10s);
  INFO(c.logs());
  REQUIRE(leader);
  const auto before = stored(c);
  const auto term = before.at(*leader)->term;
  const auto since = wall_now_us();
  std::vector<int> idle;
  for (int i = 0; i < 200; ++i) {
    int fd = connect_loopback(c.port(*leader));
    REQUIRE(fd >= 0);
    idle.push_back(fd);
  }
  // Ten clients that send 64 bytes of 0xff and hang up: no TLS handshake, no certificate
  // (read as a plain CAF header those bytes would announce a 4 GiB payload).
  for (int i = 0; i < 10; ++i) {
    int fd = connect_loopback(c.port(*leader));
    REQUIRE(fd >= 0);
    std::string bytes(64, '\xff');
    CHECK(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == 64);
    ::close(fd);
  }
  // While the idle connections stay open the cluster keeps answering with the same leader.
  auto s = answered_status(c);
  CHECK(s.leaders() == std::vector<std::uint64_t>{*leader});
  for (auto& p : s.peers)
    CHECK(p.term == term);
  for (int fd : idle)
    ::close(fd);
  auto after = stored(c);
  for (auto id : c.ids()) {
    CHECK(c.node(id).running());
    CHECK(after.at(id)->term == before.at(id)->term);
    CHECK(after.at(id)->vote == before.at(id)->vote);
    for (auto& e : c.node(id).events())
      if (e.ts_us >= since) {
        INFO(e.raw);
        CHECK(e.name != "role");
        CHECK(e.name != "error");
      }
  }
}

/// Mutual TLS between real raft-node processes on loopback (README "Mutual TLS"): a TLS
/// cluster elects and fails over, raftctl needs the cluster's TLS settings, and a node
/// without TLS warns about member addresses that are not loopback. The hostile cases are in
/// security_test.cpp.

#include <catch2/catch.hpp>

#include <signal.h>


#include "tls_test_util.hpp"

using namespace raft::process;


TEST_CASE("a three-node TLS cluster elects a leader and fails over when it is killed",
          "[process][tls]") {
  cluster_dir c{3};
  auto ca = test_identity::make_ca("cluster CA");
  secure(c, ca);
  c.start_all();
  auto first = c.wait_for_leader(10s);
  INFO(c.logs());
  REQUIRE(first);
  for (auto id : c.ids()) {
    auto started = c.node(id).wait_event([](const event& e) { return e.name == "started"; }, 5s);
    REQUIRE(started);
    CHECK(started->raw.find("\"tls\":true") != std::string::npos);
    for (auto& e : c.node(id).events())
      CHECK(e.name != "warning"); // loopback and TLS: nothing to warn about
  }
  c.node(*first).kill_now();
  auto second = eventually(
    [&] {
      auto s = c.status();
      auto leaders = s.leaders();
      return leaders.size() == 1 && leaders.front() != *first;
    },
    10s, 50ms);
  CHECK(second);
}

TEST_CASE("raftctl reads a TLS cluster's status with a client certificate naming no member "
          "and reaches no node without TLS settings",
          "[process][tls]") {
  cluster_dir c{3};
  auto ca = test_identity::make_ca("cluster CA");
  const std::string plain = *read_file(c.config(1));
  secure(c, ca);
  c.start_all();
  REQUIRE(c.wait_for_leader(10s));
  // An operator's certificate, CN raftctl, in a copy of node 1's config.
  write_identity(c, test_identity::make_signed(ca, "raftctl"), "raftctl");
  write_file(c.path("raftctl.toml"), plain + tls_table(c, "ca.pem", "raftctl"));
  status_result with_cert;
  eventually( // a loaded machine can make TLS connects outlast raftctl's 2 s deadline
    [&] {
      with_cert = raftctl_status(c.path("raftctl.toml"));
      return with_cert.reachable() == 3;
    },
    10s, 100ms);
  INFO(with_cert.run.out << with_cert.run.err);
  CHECK(with_cert.run.exit_code == 0);
  CHECK(with_cert.reachable() == 3);
  CHECK(with_cert.leaders().size() == 1);
  write_file(c.path("plain.toml"), plain);
  auto without = raftctl_status(c.path("plain.toml"));
  CHECK(without.run.exit_code == 1);
  CHECK(without.reachable() == 0);
}

TEST_CASE("a node without TLS warns at start when a member address is not loopback",
          "[process][tls]") {
  cluster_dir c{1};
  // One member on a non-loopback literal that is never dialled (it is this node, and no
  // link dials its own node): the node cannot bind there, but warns before it tries.
  write_file(c.config(1), replaced(*read_file(c.config(1)), "127.0.0.1", "192.0.2.1"));
  c.node(1).start();
  auto warning =
    c.node(1).wait_event([](const event& e) { return e.name == "warning"; }, 5s);
  INFO(c.logs());
  REQUIRE(warning);
  CHECK(warning->str("addresses").value_or("").find("192.0.2.1:") == 0);
}

/// Histories of concurrent kv_client threads against raft-node processes on loopback,
/// recorded while a nemesis kills, freezes and partitions members, must be linearizable.
/// Each test also asserts that enough happened for the check to mean something: operations
/// done by every client, faults injected, half of them on the leader, an election for each
/// of those, and every client served again once the faults are healed.

#include <catch2/catch.hpp>

#include "nemesis_run.hpp"
#include "testing/hosts/availability.hpp"

using namespace raft::linearizability;
using namespace std::chrono_literals;

namespace {

run_options base(const std::string& name, std::vector<fault> faults) {
  run_options o;
  o.name = name;
  o.nemesis.faults = std::move(faults);
  o.nemesis.duration = 18s;
  return o;
}

/// What every run must show besides a linearizable history. 18 s of faults of at most
/// 1.5 s calm + 2.5 s each give at least 4 faults, 2 of them aimed at the leader, and each
/// of those makes the others elect (nemesis.hpp).
void check_run(const run_result& r) {
  INFO(r.describe());
  WARN(r.describe());
  CHECK(r.nemesis.problems == "");
  CHECK(r.nemesis.total() >= 4);
  CHECK(r.nemesis.on_leader >= 2);
  CHECK(r.elections >= 2);
  CHECK(r.counts.done >= 500);
  CHECK(r.counts.fewest_done() >= 50);
  CHECK(r.recovered);
  CHECK(r.safety == "");
  CHECK(r.check.result.result == raft::lincheck::verdict::linearizable);
}

} // namespace

TEST_CASE("histories of concurrent clients are linearizable while the leader is killed and "
          "restarted",
          "[linearizability][kill]") {
  auto r = run_with_nemesis(base("leader_killed", {fault::kill}));
  check_run(r);
  CHECK(r.nemesis.kills == r.nemesis.total());
}

TEST_CASE("histories of concurrent clients are linearizable while members freeze and thaw "
          "and clients give up before the others elect",
          "[linearizability][freeze]") {
  auto o = base("members_frozen", {fault::freeze});
  // One try of 400 ms per operation: an operation in flight at a leader frozen for longer
  // (every freeze lasts 1.2 s or more) ends unknown, whatever the others do meanwhile. It may
  // still take effect: it waits in the frozen leader's mailbox, or was appended by followers
  // before the freeze.
  o.work.client.timeout = 400ms;
  o.work.client.attempt = 400ms;
  auto r = run_with_nemesis(o);
  check_run(r);
  INFO(r.describe());
  CHECK(r.nemesis.freezes == r.nemesis.total());
  CHECK(r.counts.unknown > 0);
}

TEST_CASE("histories of concurrent clients are linearizable while the network partitions",
          "[linearizability][partition]") {
  auto o = base("partitions", {fault::partition});
  o.nodes = 5; // minorities of two as well as one
  auto r = run_with_nemesis(o);
  check_run(r);
  CHECK(r.nemesis.partitions == r.nemesis.total());
}

TEST_CASE("histories of concurrent clients are linearizable with lease reads while leaders "
          "freeze and partitions cut them off",
          "[linearizability][lease]") {
  auto o = base("lease_reads", {fault::freeze, fault::partition});
  o.work.client.reads = raft::read_consistency::lease;
  o.work.get_percent = 55; // more reads: they are what the lease serves
  o.work.put_percent = 20;
  o.work.cas_percent = 15;
  check_run(run_with_nemesis(o));
}

TEST_CASE("histories of concurrent clients are linearizable under kills, freezes and "
          "partitions with short client timeouts and frequent snapshots",
          "[linearizability][mixed]") {
  auto o = base("mixed", {fault::kill, fault::freeze, fault::partition});
  o.nodes = 5;
  o.kv = raft::kv_settings{};
  o.kv->snapshot_every = 100; // restarted and cut-off members catch up by InstallSnapshot
  // Tries given up early and operations given up within a fault: many retried writes, and
  // outcomes left unknown, which the sessions and the checker must both get right.
  o.work.clients = 5;
  o.work.client.timeout = 1000ms;
  o.work.client.attempt = 300ms;
  check_run(run_with_nemesis(o));
}

TEST_CASE("histories of concurrent clients are linearizable while the namespace network "
          "partitions hosts and members are killed and frozen",
          "[linearizability][namespaces]") {
  if (auto why = namespaces_unavailable())
    raft::hosts::skip_test(*why);
  auto o = base("namespace_network", {fault::partition, fault::kill, fault::freeze});
  o.network = network::namespaces;
  o.nodes = 5; // minorities of two as well as one
  auto r = run_with_nemesis(o);
  check_run(r);
  INFO(r.describe());
  CHECK(r.nemesis.partitions > 0);
}

/// The checker catches a broken read path end to end: reads served from any member's
/// applied state without ReadIndex (read_consistency::local) return a stale value once that
/// member is cut off and the majority moves on. The stale read is produced by construction,
/// not by luck: the member is cut off (its fault switch logged in force) before the second
/// write starts, so it cannot hold that write when it answers.

#include <catch2/catch.hpp>

#include <algorithm>

#include "client/kv_client.hpp"
#include "client_system.hpp"
#include "history_check.hpp"
#include "lincheck/recorder.hpp"
#include "testing/node_harness.hpp"

using namespace raft;
using namespace raft::linearizability;
using namespace raft::process;
namespace lc = raft::lincheck;

namespace {

peer_address member(const cluster_dir& c, std::uint64_t id) {
  return peer_address{static_cast<peer_id>(id), "127.0.0.1", c.port(id)};
}

std::vector<peer_address> members_of(const cluster_dir& c) {
  std::vector<peer_address> out;
  for (auto id : c.ids())
    out.push_back(member(c, id));
  return out;
}

kv_client_options reads(read_consistency how) {
  kv_client_options o;
  o.timeout = 3000ms;
  o.attempt = 1000ms;
  o.reads = how;
  return o;
}

/// A three-node cluster with fault switches and a client of the whole cluster that writes.
struct cluster_with_writer {
  cluster_dir c{3, {}, /*fault files*/ true};
  client_system sys;
  kv_client writer{sys.get(), members_of(c), reads(read_consistency::linearizable)};

  cluster_with_writer() {
    c.start_all();
    REQUIRE(c.wait_for_leader(15s));
  }

  /// A member other than the one that answered the writer's last request (the leader then).
  std::uint64_t a_follower() const {
    REQUIRE(writer.leader() != 0);
    return writer.leader() % 3 + 1;
  }

  /// Waits until `id` has applied `k` = `v` (read there locally; nothing recorded).
  void wait_applied(std::uint64_t id, const std::string& k, const std::string& v) {
    kv_client local{sys.get(), {member(c, id)}, reads(read_consistency::local)};
    REQUIRE(eventually(
      [&] {
        auto r = local.get(k);
        return r.outcome == kv_outcome::done && r.value == std::optional<std::string>{v};
      },
      5s));
  }
};

} // namespace

TEST_CASE("the checker reports local reads from a cut-off member as not linearizable and "
          "names the stale read",
          "[linearizability][stale]") {
  cluster_with_writer f;
  lc::recorder rec;
  auto t = rec.call(1, "k", lc::put_command("v1"));
  auto first = f.writer.put("k", "v1");
  REQUIRE(first.outcome == kv_outcome::done);
  rec.returned(t, lc::put_ok());
  const auto follower = f.a_follower();
  f.wait_applied(follower, "k", "v1");

  // Cut off (the switch logged in force) before the second write starts: the follower
  // cannot hold v2 when it answers below.
  REQUIRE(f.c.set_fault(follower, "all\n", f.c.others(follower)));
  t = rec.call(1, "k", lc::put_command("v2"));
  auto second = f.writer.put("k", "v2"); // committed by the leader and the other follower
  REQUIRE(second.outcome == kv_outcome::done);
  rec.returned(t, lc::put_ok());

  kv_client at_follower{f.sys.get(), {member(f.c, follower)}, reads(read_consistency::local)};
  t = rec.call(2, "k", lc::get_command());
  auto stale = at_follower.get("k");
  REQUIRE(stale.outcome == kv_outcome::done);
  rec.returned(t, lc::got(stale.value));
  CHECK(stale.value == std::optional<std::string>{"v1"});

  auto h = rec.snapshot();
  REQUIRE(h.size() == 3);
  auto checked = check_and_keep(h, "stale_local_read", 10s);
  INFO(checked.describe());
  REQUIRE(checked.result.result == lc::verdict::not_linearizable);
  CHECK(checked.result.key == std::optional<lc::bytes>{"k"});
  // The contradicting operations include the stale read (index 2) and the write it missed.
  auto& ops = checked.result.operations;
  CHECK(std::count(ops.begin(), ops.end(), std::size_t{2}) == 1);
  CHECK(std::count(ops.begin(), ops.end(), std::size_t{1}) == 1);
  CHECK(checked.result.explanation.find(lc::describe(h[2])) != std::string::npos);

  // The kept history replays with raft-lincheck to the same verdict.
  REQUIRE(!checked.saved_to.empty());
  auto replay = run_program({RAFT_LINCHECK_PATH, checked.saved_to}, 30s);
  INFO(replay.out << replay.err);
  CHECK(replay.exit_code == 1);
  CHECK(replay.out.rfind("not linearizable", 0) == 0);
}

TEST_CASE("a cut-off member answers no linearizable or lease read with its stale state",
          "[linearizability][stale]") {
  cluster_with_writer f;
  REQUIRE(f.writer.put("k", "v1").outcome == kv_outcome::done);
  const auto follower = f.a_follower();
  f.wait_applied(follower, "k", "v1");
  REQUIRE(f.c.set_fault(follower, "all\n", f.c.others(follower)));
  REQUIRE(f.writer.put("k", "v2").outcome == kv_outcome::done);

  // Asked only the cut-off member, ReadIndex and lease reads find no leader to confirm
  // with; the value they would give is never v1.
  for (auto how : {read_consistency::linearizable, read_consistency::lease}) {
    kv_client only_follower{f.sys.get(), {member(f.c, follower)}, reads(how)};
    auto r = only_follower.get("k");
    INFO(to_string(how) << " read: " << to_string(r.outcome) << " " << r.error);
    CHECK(r.outcome != kv_outcome::done);
    CHECK(r.value != std::optional<std::string>{"v1"});
  }
  // Asked through the whole cluster, a linearizable read sees v2.
  auto fresh = f.writer.get("k");
  CHECK(fresh.outcome == kv_outcome::done);
  CHECK(fresh.value == std::optional<std::string>{"v2"});
  // A local read at the cut-off member is still stale: the first test's premise.
  kv_client local{f.sys.get(), {member(f.c, follower)}, reads(read_consistency::local)};
  CHECK(local.get("k").value == std::optional<std::string>{"v1"});
}

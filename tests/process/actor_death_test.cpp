/// No zombies: when an internal actor of raft-node (the peer, the endpoint, a link) ends
/// while the node runs, the node logs an `error` event and exits with status 1 instead of
/// living on, deaf. The actors are ended with raft-node's test-only kill commands in its
/// fault file (apps/raft_node.cpp).

#include <catch2/catch.hpp>

#include "testing/node_harness.hpp"

using namespace raft::process;

TEST_CASE("a node whose internal actor dies logs an error and exits with status 1 within 1 s") {
  struct victim {
    std::string command; // the word written to the fault file
    std::string actor;   // how the error event names it
  };
  // Node 1's actors; node 2 is one of its links.
  for (auto& v : {victim{"kill:peer", "peer"}, victim{"kill:endpoint", "endpoint"},
                  victim{"kill:link:2", "link to peer 2"}}) {
    DYNAMIC_SECTION(v.actor) {
      cluster_dir c{3, {}, /*fault files*/ true};
      c.start_all();
      REQUIRE(c.wait_for_leader(10s));
      auto& node = c.node(1);
      auto t0 = clock::now();
      write_file(c.fault_file(1), v.command + "\n");
      auto status = node.wait_exit(5s);
      auto took = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t0);
      INFO("exit after " << took.count() << " ms\n" << c.logs());
      REQUIRE(status);
      CHECK(*status == 1);
      CHECK(took < 1s); // measured from before the kill, so an upper bound
      auto evs = node.events_of_this_run();
      auto errors = std::count_if(evs.begin(), evs.end(),
                                  [](const event& ev) { return ev.name == "error"; });
      CHECK(errors == 1);
      auto error = std::find_if(evs.begin(), evs.end(),
                                [](const event& ev) { return ev.name == "error"; });
      REQUIRE(error != evs.end());
      CHECK(error->str("actor") == std::optional<std::string>{v.actor});
      CHECK(error->str("reason").value_or("").find("kill") != std::string::npos);
      CHECK(error->str("message").value_or("").find(v.actor) != std::string::npos);
      REQUIRE_FALSE(evs.empty());
      CHECK(evs.back().name == "stopped");
      CHECK(evs.back().num("status") == std::optional<std::uint64_t>{1});
      // The state it persisted is intact: it starts again from it.
      auto stored = read_state_file(c.data_dir(1));
      REQUIRE(stored);
      write_file(c.fault_file(1), "");
      node.start();
      auto started = node.wait_event([](const event& ev) { return ev.name == "started"; }, 5s);
      REQUIRE(started);
      CHECK(started->num("term") == std::optional<std::uint64_t>{stored->term});
      CHECK(node.wait_event([](const event& ev) { return ev.name == "listening"; }, 5s));
    }
  }
}

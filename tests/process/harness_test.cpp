/// Checks of the harness's own parsers, so that a process test failure is never a parser bug.

#include <catch2/catch.hpp>

#include "testing/cluster_events.hpp"

using namespace raft::process;

TEST_CASE("the harness parses raft-node event lines") {
  auto ev = parse_event(R"({"ts":"2026-11-25T10:36:46.892980Z","node":1,"event":"role",)"
                        R"("role":"follower","term":12,"leader":null})");
  REQUIRE(ev);
  CHECK(ev->node == 1);
  CHECK(ev->name == "role");
  CHECK(ev->str("role") == std::optional<std::string>{"follower"});
  CHECK(ev->num("term") == std::optional<std::uint64_t>{12});
  CHECK_FALSE(ev->num("leader"));
  CHECK(ev->fields.count("leader") == 1);
  CHECK(ev->ts_us == 1'795'603'006'892'980);
  CHECK_FALSE(parse_event("not json"));
  CHECK_FALSE(parse_event(R"({"ts":"x","node":1,"event":"role"})"));
  auto esc = parse_flat_json(R"({"message":"a \"b\"\n\\c"})");
  REQUIRE(esc);
  CHECK((*esc)["message"] == std::optional<std::string>{"a \"b\"\n\\c"});
}

TEST_CASE("the harness decodes unicode escapes in event lines to UTF-8") {
  // U+00E9 and U+1F600 (a surrogate pair): the harness once turned these into '?'.
  auto obj = parse_flat_json(R"({"message":"caf\u00e9 \ud83d\ude00","n":1.5,"ok":true})");
  REQUIRE(obj);
  CHECK((*obj)["message"] == std::optional<std::string>{"caf\xc3\xa9 \xf0\x9f\x98\x80"});
  CHECK((*obj)["n"] == std::optional<std::string>{"1.5"});
  CHECK((*obj)["ok"] == std::optional<std::string>{"true"});
  CHECK_FALSE(parse_flat_json(R"({"nested":{"a":1}})"));
  CHECK_FALSE(parse_flat_json(R"({"a":1} trailing)"));
}

TEST_CASE("the harness reads state files in the documented format") {
  cluster_dir d{1};
  write_file(d.path("state"), "raft-state v1\nterm 5\nvote 2\ncrc32 1a2b3c4d\n");
  auto s = read_state_file(d.dir());
  REQUIRE(s);
  CHECK(s->term == 5);
  CHECK(s->vote == std::optional<std::uint64_t>{2});
  write_file(d.path("state"), "raft-state v1\nterm 7\nvote none\ncrc32 1a2b3c4d\n");
  s = read_state_file(d.dir());
  REQUIRE(s);
  CHECK(s->term == 7);
  CHECK_FALSE(s->vote);
}

namespace {

event role_event(std::uint64_t node, const std::string& role, std::uint64_t term,
                 const std::string& leader) {
  auto e = parse_event(R"({"ts":"2026-11-25T10:36:46.892980Z","node":)" + std::to_string(node) +
                       R"(,"event":"role","role":")" + role + R"(","term":)" +
                       std::to_string(term) + R"(,"leader":)" + leader + "}");
  REQUIRE(e);
  return *e;
}

} // namespace

TEST_CASE("the harness feeds role events to the safety monitor: leaders and the leaders "
          "followers name") {
  raft::testing::safety_monitor m;
  observe_roles(m, {role_event(1, "leader", 3, "1"), role_event(2, "follower", 3, "1"),
                    role_event(3, "candidate", 4, "null"),
                    parse_event(R"({"ts":"2026-11-25T10:36:46.892980Z","node":3,)"
                                R"("event":"stats","term":4})")
                      .value()});
  CHECK(m.report() == "");
  CHECK(m.leaders() == std::map<std::uint64_t, std::uint64_t>{{3, 1}});
  observe_roles(m, {role_event(3, "follower", 3, "2")});
  CHECK(m.report() == "term 3 has two leaders: 1 and 2 (2 named by peer 3)\n");
}

TEST_CASE("the harness feeds raftctl status lines of reachable peers to the safety monitor") {
  status_result s;
  s.peers = {{1, "127.0.0.1:1", true, 5, "leader", 1},
             {2, "127.0.0.1:2", true, 5, "follower", 1},
             {3, "127.0.0.1:3", false, std::nullopt, std::nullopt, std::nullopt}};
  raft::testing::safety_monitor m;
  observe_status(m, s);
  CHECK(m.report() == "");
  CHECK(m.leaders() == std::map<std::uint64_t, std::uint64_t>{{5, 1}});
  s.peers[1].role = "leader";
  observe_status(m, s);
  CHECK(m.report() == "term 5 has two leaders: 1 and 2\n");
}

/// Checks of the harness's own parsers, so that a process test failure is never a parser bug.

#include <catch2/catch.hpp>

#include "node_harness.hpp"

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

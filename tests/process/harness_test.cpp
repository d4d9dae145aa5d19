/// Checks of the harness's own parsers, so that a process test failure is never a parser bug.

#include <catch2/catch.hpp>

#include "testing/node_harness.hpp"

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

/// The course tester's verdicts (testing/course_checks.hpp) on hand-made observations.

#include <catch2/catch.hpp>

#include "testing/course_checks.hpp"

using namespace raft::testing;

TEST_CASE("one_leader_round fails when a term has two leaders and otherwise names the newest leader") {
  auto two = one_leader_round({{1, 3, true}, {2, 3, true}, {3, 3, false}});
  REQUIRE(std::holds_alternative<std::string>(two));
  CHECK(std::get<std::string>(two) == "term 3 has 2 (>1) leaders: peers 1, 2");
  auto newest = one_leader_round({{1, 2, true}, {2, 4, true}, {3, 4, false}});
  REQUIRE(std::holds_alternative<std::optional<std::uint64_t>>(newest));
  CHECK(std::get<std::optional<std::uint64_t>>(newest) == std::optional<std::uint64_t>{2});
  auto none = one_leader_round({{1, 2, false}});
  CHECK_FALSE(std::get<std::optional<std::uint64_t>>(none).has_value());
}

TEST_CASE("agreed_term fails on disagreement and when no peer answered") {
  CHECK(std::get<std::uint64_t>(agreed_term({{1, 5, false}, {2, 5, true}})) == 5);
  CHECK(std::get<std::string>(agreed_term({{1, 5, false}, {2, 6, true}})) ==
        "servers disagree on term");
  CHECK(std::get<std::string>(agreed_term({})) == "no connected peer answered");
}

TEST_CASE("any_leader names a peer that claims to lead") {
  CHECK_FALSE(any_leader({{1, 1, false}, {2, 1, false}}).has_value());
  CHECK(any_leader({{1, 1, false}, {2, 1, true}}) ==
        std::optional<std::string>{
          "expected no leader among connected servers, but 2 claims to be leader"});
}

TEST_CASE("committed_at counts the services that applied an index and fails when two applied different commands") {
  std::vector<std::map<std::uint64_t, std::string>> applied{{{1, "a"}}, {{1, "a"}}, {}};
  auto c = std::get<committed>(committed_at(applied, 1));
  CHECK(c.count == 2);
  CHECK(c.command == std::optional<std::string>{"a"});
  CHECK(std::get<committed>(committed_at(applied, 2)).count == 0);
  applied[2][1] = "b";
  CHECK(std::get<std::string>(committed_at(applied, 1)) ==
        "committed values do not match: index 1, a, b (peer 1 applied a, peer 3 applied b)");
  CHECK(shown(std::string(50, 'x')) == std::string(16, 'x') + "...(50 chars)");
}

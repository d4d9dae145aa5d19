/// raftctl's output for put, get, delete and cas (apps/kv_output.hpp).

#include <catch2/catch.hpp>

#include "apps/kv_output.hpp"

using namespace raft;

namespace {
kv_result done(bool found = false, bool swapped = false, std::optional<std::string> value = {}) {
  kv_result r;
  r.outcome = kv_outcome::done;
  r.found = found;
  r.swapped = swapped;
  r.value = std::move(value);
  return r;
}
kv_result not_done(kv_outcome o) {
  kv_result r;
  r.outcome = o;
  r.error = "why";
  return r;
}
} // namespace

TEST_CASE("raftctl prints the documented JSON line for each known outcome and exits 0") {
  CHECK(print_kv_result(kv_command::put, done(), true).out == "{\"ok\":true}\n");
  CHECK(print_kv_result(kv_command::get, done(true, false, "v"), true).out ==
        "{\"found\":true,\"value\":\"v\"}\n");
  CHECK(print_kv_result(kv_command::get, done(false), true).out == "{\"found\":false}\n");
  CHECK(print_kv_result(kv_command::del, done(true), true).out ==
        "{\"ok\":true,\"existed\":true}\n");
  CHECK(print_kv_result(kv_command::del, done(false), true).out ==
        "{\"ok\":true,\"existed\":false}\n");
  CHECK(print_kv_result(kv_command::cas, done(false, true), true).out == "{\"ok\":true}\n");
  CHECK(print_kv_result(kv_command::cas, done(true, false, "cur"), true).out ==
        "{\"ok\":false,\"found\":true,\"value\":\"cur\"}\n");
  CHECK(print_kv_result(kv_command::cas, done(false, false), true).out ==
        "{\"ok\":false,\"found\":false}\n");
  for (auto cmd : {kv_command::put, kv_command::get, kv_command::del, kv_command::cas})
    CHECK(print_kv_result(cmd, done(), true).status == 0);
}

TEST_CASE("raftctl exits 3 when the outcome is unknown and 1 when it is known not to have "
          "happened, with one line on stderr") {
  auto unknown = print_kv_result(kv_command::put, not_done(kv_outcome::unknown), true);
  CHECK(unknown.status == 3);
  CHECK(unknown.out == "{\"ok\":false,\"outcome\":\"unknown\",\"error\":\"why\"}\n");
  CHECK(unknown.err == "raftctl: outcome unknown (it may or may not have happened): why\n");
  for (auto o : {kv_outcome::refused, kv_outcome::unavailable}) {
    auto p = print_kv_result(kv_command::put, not_done(o), false);
    CHECK(p.status == 1);
    CHECK(p.out.empty());
    CHECK(std::count(p.err.begin(), p.err.end(), '\n') == 1);
  }
}

TEST_CASE("raftctl's JSON replaces bytes that are not UTF-8 instead of failing") {
  auto p = print_kv_result(kv_command::get, done(true, false, std::string("\xff\xfe", 2)), true);
  CHECK(p.status == 0);
  CHECK(p.out == "{\"found\":true,\"value\":\"\xef\xbf\xbd\xef\xbf\xbd\"}\n");
}

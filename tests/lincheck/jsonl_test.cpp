#include <catch2/catch.hpp>

#include <sstream>

#include "lincheck/jsonl.hpp"
#include "ops.hpp"

using namespace lt;

namespace {

read_result parse(const std::string& text) {
  std::istringstream in(text);
  return parse_jsonl(in, "h.jsonl");
}

std::string error_of(const std::string& line) {
  read_result r = parse("\n" + line + "\n");  // the bad line is line 2
  REQUIRE_FALSE(r.ok());
  return r.error;
}

} // namespace

TEST_CASE("a history survives writing and reading JSON lines") {
  history h{put(1, 0, 10, "x", "a"),
            get(2, 5, 15, "x", "a"),
            get(2, 20, 25, "y", absent),
            del(3, 30, 40, "x", true),
            cas_ok(4, 50, 60, "x", absent, "b"),
            cas_ok(4, 61, 70, "x", "b", "c"),
            cas_failed(5, 80, 90, "x", "zz", "d", "c"),
            cas_failed(5, 91, 95, "y", "q", "d", absent),
            unknown_put(6, 100, "x", "e"),
            unknown_cas(6, 110, "x", absent, "f"),
            unknown_del(7, 120, "x"),
            unknown_get(7, 130, "x"),
            put(8, -5, 1'000'000'000'000, bytes("\x00\xff k", 4), bytes("\xc3\x28", 2)),
            put(8, 1, 2, "caf\xc3\xa9", "\xe2\x82\xac")};
  std::ostringstream out;
  write_jsonl(out, h);
  read_result r = parse(out.str());
  REQUIRE(r.ok());
  REQUIRE(r.ops->size() == h.size());
  std::ostringstream again;
  write_jsonl(again, *r.ops);
  CHECK(again.str() == out.str());
  for (std::size_t i = 0; i < h.size(); ++i) CHECK(describe((*r.ops)[i]) == describe(h[i]));
}

TEST_CASE("the JSON lines format is what the format comment shows") {
  CHECK(to_json_line(put(1, 100, 250, "k", "v")) ==
        R"({"client":1,"call":100,"return":250,"op":"put","key":"k","value":"v","outcome":{"ok":true}})");
  CHECK(to_json_line(get(2, 120, 260, "k", "v")) ==
        R"({"client":2,"call":120,"return":260,"op":"get","key":"k","outcome":{"found":true,"value":"v"}})");
  CHECK(to_json_line(del(3, 130, 270, "k", false)) ==
        R"({"client":3,"call":130,"return":270,"op":"delete","key":"k","outcome":{"ok":true,"existed":false}})");
  CHECK(to_json_line(cas_failed(4, 140, 280, "k", absent, "w", "v")) ==
        R"({"client":4,"call":140,"return":280,"op":"cas","key":"k","expected":null,"value":"w","outcome":{"ok":false,"found":true,"value":"v"}})");
  CHECK(to_json_line(unknown_put(5, 150, "k", "x")) ==
        R"({"client":5,"call":150,"op":"put","key":"k","value":"x","outcome":"unknown"})");
}

TEST_CASE("bytes that are not UTF-8 are written as hex") {
  std::string line = to_json_line(put(1, 0, 1, bytes("\x00\x01", 2), bytes("\xff", 1)));
  CHECK_THAT(line, Catch::Contains(R"("key":"\u0000\u0001")"));
  CHECK_THAT(line, Catch::Contains(R"("value":{"hex":"ff"})"));
}

TEST_CASE("blank lines are skipped") {
  read_result r = parse("\n  \n" + to_json_line(put(1, 0, 1, "k", "v")) + "\n\n");
  REQUIRE(r.ok());
  CHECK(r.ops->size() == 1);
}

TEST_CASE("each bad line gets one error naming the file, the line and the field") {
  const std::string ok_put = R"("client":1,"call":0,"return":1,"op":"put","key":"k","value":"v","outcome":{"ok":true})";
  struct bad {
    std::string line, error;
  };
  const std::vector<bad> cases{
      {"{not json", "h.jsonl:2: not valid JSON: "},
      {"[1,2]", "h.jsonl:2: field \"(line)\": expected a JSON object"},
      {R"({"call":0,"return":1,"op":"get","key":"k","outcome":{"found":false}})", "h.jsonl:2: field \"client\": missing"},
      {R"({"client":-1,"call":0,"return":1,"op":"get","key":"k","outcome":{"found":false}})", "field \"client\": expected an integer >= 0"},
      {R"({"client":1,"call":0.5,"return":1,"op":"get","key":"k","outcome":{"found":false}})", "field \"call\": expected an integer"},
      {R"({"client":1,"call":0,"return":1,"op":"incr","key":"k","outcome":{"found":false}})", "field \"op\": expected \"put\", \"get\", \"delete\" or \"cas\""},
      {R"({"client":1,"call":0,"return":1,"op":"get","outcome":{"found":false}})", "field \"key\": missing"},
      {R"({"client":1,"call":0,"return":1,"op":"get","key":7,"outcome":{"found":false}})", "field \"key\": expected a string or {\"hex\": ...}"},
      {R"({"client":1,"call":0,"return":1,"op":"put","key":"k","outcome":{"ok":true}})", "field \"value\": missing"},
      {R"({"client":1,"call":0,"return":1,"op":"get","key":"k","value":"v","outcome":{"found":false}})", "field \"value\": not allowed for get"},
      {R"({"client":1,"call":0,"return":1,"op":"cas","key":"k","value":"v","outcome":{"ok":true}})", "field \"expected\": missing"},
      {R"({"client":1,"call":0,"return":1,"op":"put","key":"k","value":"v","expected":"a","outcome":{"ok":true}})", "field \"expected\": not allowed for put"},
      {R"({"client":1,"call":0,"return":1,"op":"put","key":"k","value":"v"})", "field \"outcome\": missing"},
      {R"({"client":1,"call":0,"return":1,"op":"put","key":"k","value":"v","outcome":"lost"})", "field \"outcome\": expected \"unknown\" or an object"},
      {R"({"client":1,"call":0,"return":1,"op":"put","key":"k","value":"v","outcome":{}})", "field \"outcome.ok\": missing"},
      {R"({"client":1,"call":0,"return":1,"op":"put","key":"k","value":"v","outcome":{"ok":false}})", "field \"outcome.ok\": must be true for this operation"},
      {R"({"client":1,"call":0,"return":1,"op":"get","key":"k","outcome":{"found":"yes"}})", "field \"outcome.found\": expected true or false"},
      {R"({"client":1,"call":0,"return":1,"op":"get","key":"k","outcome":{"found":true}})", "field \"outcome.value\": missing"},
      {R"({"client":1,"call":0,"return":1,"op":"get","key":"k","outcome":{"found":false,"value":"v"}})", "field \"outcome.value\": must be absent when found is false"},
      {R"({"client":1,"call":0,"return":1,"op":"delete","key":"k","outcome":{"ok":true}})", "field \"outcome.existed\": missing"},
      {R"({"client":1,"call":0,"return":1,"op":"cas","key":"k","expected":null,"value":"v","outcome":{"ok":true,"found":false}})", "field \"outcome.found\": must be absent when ok is true"},
      {R"({"client":1,"call":0,"return":1,"op":"cas","key":"k","expected":null,"value":"v","outcome":{"ok":false}})", "field \"outcome.found\": missing"},
      {R"({"client":1,"call":0,"op":"get","key":"k","outcome":{"found":false}})", "field \"return\": missing"},
      {R"({"client":1,"call":5,"return":4,"op":"get","key":"k","outcome":{"found":false}})", "field \"return\": earlier than call"},
      {R"({"client":1,"call":0,"return":9,"op":"put","key":"k","value":"v","outcome":"unknown"})", "field \"return\": must be absent when the outcome is unknown"},
      {R"({"client":1,"call":0,"return":1,"op":"put","key":"k","value":{"hex":"abc"},"outcome":{"ok":true}})", "field \"value.hex\": odd number of hex digits"},
      {R"({"client":1,"call":0,"return":1,"op":"put","key":"k","value":{"hex":"zz"},"outcome":{"ok":true}})", "field \"value.hex\": not a hex digit at position 0"},
      {R"({"client":1,"call":0,"return":1,"op":"put","key":"k","value":"v","outcome":{"ok":true},"colour":"red"})", "field \"colour\": unknown field"},
      {R"({"client":1,"call":0,"return":1,"op":"put","key":"k","value":"v","outcome":{"ok":true,"extra":1}})", "field \"outcome.extra\": unknown field"},
      {R"({"client":1,"call":99999999999999999999,"return":1,"op":"put","key":"k","value":"v","outcome":{"ok":true}})", "h.jsonl:2: "},
  };
  for (const bad& b : cases) {
    INFO(b.line);
    std::string e = error_of(b.line);
    CHECK_THAT(e, Catch::StartsWith("h.jsonl:2: "));
    CHECK_THAT(e, Catch::Contains(b.error));
    CHECK(e.find('\n') == std::string::npos);
  }
  // A good line parses, so the cases above fail for the reason they name.
  CHECK(parse("{" + ok_put + "}").ok());
}

TEST_CASE("a file that cannot be read is reported by name") {
  read_result r = read_jsonl_file("/nonexistent/dir/h.jsonl");
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error, Catch::StartsWith("/nonexistent/dir/h.jsonl: cannot read: "));
}

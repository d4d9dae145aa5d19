#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "lincheck/jsonl.hpp"
#include "ops.hpp"

using namespace lt;

namespace {

struct run_result {
  int status = -1;
  std::string output;  ///< stdout and stderr together
};

/// Runs raft-lincheck with `args` (already shell-quoted where needed).
run_result run(const std::string& args) {
  const std::string cmd = std::string(RAFT_LINCHECK_PATH) + " " + args + " 2>&1";
  run_result r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

/// A scratch directory removed at the end of the test.
struct scratch {
  std::string dir;
  scratch() {
    char tmpl[] = "/tmp/lincheck-cli-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    dir = tmpl;
  }
  ~scratch() { std::system(("rm -rf '" + dir + "'").c_str()); }
  std::string file(const std::string& name, const history& h) const {
    std::string path = dir + "/" + name;
    write_jsonl_file(path, h);
    return path;
  }
  std::string text(const std::string& name, const std::string& content) const {
    std::string path = dir + "/" + name;
    std::ofstream(path) << content;
    return path;
  }
};

} // namespace

TEST_CASE("raft-lincheck exits 0 for a linearizable history") {
  scratch s;
  run_result r = run(s.file("ok.jsonl", {put(1, 0, 10, "x", "a"), get(2, 5, 20, "x", "a")}));
  CHECK(r.status == 0);
  CHECK_THAT(r.output, Catch::StartsWith("linearizable: 2 operations on 1 key, "));
}

TEST_CASE("raft-lincheck exits 1 and explains a violation") {
  scratch s;
  run_result r = run(s.file("stale.jsonl", {put(1, 0, 10, "x", "a"), put(1, 20, 30, "x", "b"),
                                            get(2, 40, 50, "x", "a")}));
  CHECK(r.status == 1);
  CHECK_THAT(r.output, Catch::StartsWith("not linearizable: 3 operations on 1 key, "));
  CHECK_THAT(r.output, Catch::Contains("key \"x\": the history up to time 50"));
  CHECK_THAT(r.output, Catch::Contains("client 2 [40, 50] get(\"x\") -> \"a\"   <- the first return"));
}

TEST_CASE("raft-lincheck exits 2 naming the file, line and field of bad input") {
  scratch s;
  const std::string path = s.text("bad.jsonl", to_json_line(put(1, 0, 1, "k", "v")) +
                                                   "\n{\"client\":1,\"call\":0,\"return\":1,\"op\":\"get\"}\n");
  run_result r = run(path);
  CHECK(r.status == 2);
  CHECK(r.output == path + ":2: field \"key\": missing\n");
  r = run(s.dir + "/missing.jsonl");
  CHECK(r.status == 2);
  CHECK_THAT(r.output, Catch::Contains("missing.jsonl: cannot read: "));
}

TEST_CASE("raft-lincheck exits 3 when its step budget runs out") {
  scratch s;
  history h;
  for (int i = 0; i < 10; ++i) h.push_back(put(static_cast<client_id>(i), 0, 100, "x", std::to_string(i)));
  h.push_back(get(99, 200, 210, "x", "3"));
  const std::string path = s.file("hard.jsonl", h);
  run_result r = run("--max-steps 3 " + path);
  CHECK(r.status == 3);
  CHECK_THAT(r.output, Catch::StartsWith("unknown: "));
  CHECK(run(path).status == 0);
}

TEST_CASE("raft-lincheck exits 2 for bad usage") {
  CHECK(run("").status == 2);
  CHECK(run("--max-steps").status == 2);
  CHECK(run("--max-steps x f").status == 2);
  CHECK(run("--colour f").status == 2);
  CHECK(run("a b").status == 2);
}

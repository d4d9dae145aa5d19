/// raft-lincheck: checks a recorded key-value history (JSON lines, lincheck/jsonl.hpp) for
/// linearizability.
///
///   raft-lincheck [--max-steps N] [--time-limit-ms MS] FILE
///
/// Prints the verdict on stdout (with the explanation of a violation). Exit status: 0
/// linearizable, 1 not linearizable, 2 bad input (one line on stderr naming the file, line
/// and field) or bad usage, 3 unknown (the search ran out of its budget).

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <iostream>
#include <string>

#include "lincheck/checker.hpp"
#include "lincheck/jsonl.hpp"

namespace {

int usage(const std::string& problem) {
  std::cerr << "raft-lincheck: " << problem << "\n"
            << "usage: raft-lincheck [--max-steps N] [--time-limit-ms MS] FILE\n";
  return 2;
}

bool parse_u64(const char* s, std::uint64_t& out) {
  if (*s < '0' || *s > '9') return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtoull(s, &end, 10);
  return errno == 0 && *end == '\0';
}

} // namespace

int main(int argc, char** argv) {
  using namespace raft::lincheck;
  check_options opts;
  std::string file;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--max-steps" || a == "--time-limit-ms") {
      std::uint64_t v = 0;
      if (i + 1 >= argc || !parse_u64(argv[i + 1], v) || v == 0)
        return usage(a + " needs a positive number");
      ++i;
      if (a == "--max-steps") opts.max_steps = v;
      else opts.time_limit = std::chrono::milliseconds(v);
    } else if (a == "-h" || a == "--help") {
      std::cout << "usage: raft-lincheck [--max-steps N] [--time-limit-ms MS] FILE\n";
      return 0;
    } else if (a.size() > 1 && a[0] == '-') {
      return usage("unknown option " + a);
    } else if (!file.empty()) {
      return usage("one FILE only");
    } else {
      file = a;
    }
  }
  if (file.empty()) return usage("FILE is missing");

  read_result in = read_jsonl_file(file);
  if (!in) {
    std::cerr << in.error << "\n";
    return 2;
  }
  const history& h = *in.ops;
  check_result r;
  try {
    r = check(h, opts);
  } catch (const std::invalid_argument& e) {  // the reader already rejects return < call
    std::cerr << file << ": " << e.what() << "\n";
    return 2;
  }
  std::cout << to_string(r.result) << ": " << h.size() << (h.size() == 1 ? " operation" : " operations")
            << " on " << r.keys << (r.keys == 1 ? " key, " : " keys, ") << r.steps << " search steps\n"
            << r.explanation;
  switch (r.result) {
    case verdict::linearizable: return 0;
    case verdict::not_linearizable: return 1;
    case verdict::unknown: return 3;
  }
  return 3;
}

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

#include "apps/cli.hpp"
#include "lincheck/checker.hpp"
#include "lincheck/jsonl.hpp"

int main(int argc, char** argv) {
  using namespace raft::lincheck;
  check_options opts;
  std::string file;
  std::uint64_t max_steps = 0, time_limit_ms = 0;
  CLI::App app{"Checks a recorded key-value history (JSON lines) for linearizability.",
               "raft-lincheck"};
  auto* steps_opt = app.add_option("--max-steps", max_steps, "search budget in steps")
                      ->check(CLI::PositiveNumber);
  auto* time_opt = app.add_option("--time-limit-ms", time_limit_ms, "search budget in time")
                     ->type_name("MS")
                     ->check(CLI::PositiveNumber);
  app.add_option("FILE", file, "the history, one JSON operation per line")->required();
  if (auto status = raft::parse_command_line(app, argc, argv))
    return *status;
  if (steps_opt->count() > 0) opts.max_steps = max_steps;
  if (time_opt->count() > 0) opts.time_limit = std::chrono::milliseconds(time_limit_ms);

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

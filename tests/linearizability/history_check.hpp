#pragma once
/// Checks a recorded history and keeps it when the check fails: the history is written as
/// JSON lines (lincheck/jsonl.hpp) to a file whose path the result names, so that
/// `build/lincheck/raft-lincheck FILE` replays the check.

#include <chrono>
#include <cstddef>
#include <string>

#include "lincheck/checker.hpp"

namespace raft::linearizability {

/// Where failed histories go: the build's tests/linearizability/histories (created on
/// first use).
std::string history_dir();

struct history_check {
  lincheck::check_result result;
  std::size_t operations = 0; ///< in the history
  std::size_t unknown = 0;    ///< of them, with an unknown outcome
  std::chrono::milliseconds took{0};
  std::string saved_to;       ///< the JSON lines file; empty when none was written

  bool linearizable() const { return result.result == lincheck::verdict::linearizable; }
  /// A few lines for people: the verdict, the counts, the explanation, the file.
  std::string describe() const;
};

/// Checks `h` within `limit` (an undecided history is reported as unknown, never as
/// linearizable). Unless it is linearizable, writes it to `history_dir()/NAME-TIME-PID.jsonl`
/// (`name` made safe for a file name); also when `keep` (the caller saw something else go
/// wrong) or when RAFT_LIN_KEEP_HISTORIES is set in the environment.
history_check check_and_keep(const lincheck::history& h, const std::string& name,
                             std::chrono::milliseconds limit, bool keep = false);

} // namespace raft::linearizability

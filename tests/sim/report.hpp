#pragma once
/// Describes a failed simulation run so the test log holds everything needed to replay it.

#include <string>

#include "sim/simulator.hpp"

namespace raft::sim {

inline std::string report(const run_result& r, const run_options& o) {
  return "seed " + std::to_string(r.seed) + " (" + r.scn.describe() + "): " + r.violation +
         "\n  replay: " + replay_command(r.seed, o) + "\n" + r.tail;
}

} // namespace raft::sim

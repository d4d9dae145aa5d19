#include "history_check.hpp"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "lincheck/jsonl.hpp"

namespace raft::linearizability {

namespace fs = std::filesystem;

std::string history_dir() {
  return RAFT_LINEARIZABILITY_HISTORY_DIR;
}

namespace {

std::string file_safe(const std::string& name) {
  std::string out;
  for (char ch : name)
    out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return out.substr(0, 80);
}

std::string timestamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

} // namespace

std::string history_check::describe() const {
  std::string out = std::string("history: ") + to_string(result.result) + ", " +
                    std::to_string(operations) + " operations (" + std::to_string(unknown) +
                    " unknown) on " + std::to_string(result.keys) + " keys, " +
                    std::to_string(result.steps) + " search steps in " +
                    std::to_string(took.count()) + " ms\n" + result.explanation;
  if (!saved_to.empty())
    out += "history written to " + saved_to + " (replay: raft-lincheck " + saved_to + ")\n";
  return out;
}

history_check check_and_keep(const lincheck::history& h, const std::string& name,
                             std::chrono::milliseconds limit, bool keep) {
  history_check out;
  out.operations = h.size();
  for (auto& op : h)
    out.unknown += op.known() ? 0 : 1;
  lincheck::check_options opts;
  opts.time_limit = limit;
  auto began = std::chrono::steady_clock::now();
  out.result = lincheck::check(h, opts);
  out.took = std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - began);
  if (!out.linearizable() || keep || std::getenv("RAFT_LIN_KEEP_HISTORIES")) {
    fs::create_directories(history_dir());
    out.saved_to = history_dir() + "/" + file_safe(name) + "-" + timestamp() + "-" +
                   std::to_string(getpid()) + ".jsonl";
    lincheck::write_jsonl_file(out.saved_to, h);
  }
  return out;
}

} // namespace raft::linearizability

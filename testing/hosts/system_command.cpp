#include "system_command.hpp"

#include <unistd.h>

#include <stdexcept>

#include "testing/node_harness.hpp"

namespace raft::hosts {

std::optional<std::string> find_tool(const std::string& name) {
  for (const char* dir : {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
    auto path = std::string(dir) + "/" + name;
    if (::access(path.c_str(), X_OK) == 0)
      return path;
  }
  return std::nullopt;
}

std::string require_tool(const std::string& name) {
  if (auto p = find_tool(name))
    return *p;
  throw std::runtime_error(name + ": not found in /usr/sbin, /sbin, /usr/bin or /bin");
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (auto& a : argv) {
    if (!out.empty())
      out += ' ';
    out += a.find(' ') == std::string::npos ? a : "'" + a + "'";
  }
  return out;
}

std::string run_checked(const std::vector<std::string>& argv, std::chrono::milliseconds limit) {
  auto r = process::run_program(argv, limit);
  if (r.exit_code == 0)
    return r.out;
  auto err = r.err;
  while (!err.empty() && (err.back() == '\n' || err.back() == ' '))
    err.pop_back();
  auto status = r.exit_code == -1 ? "was killed after " + std::to_string(limit.count()) + " ms"
                                  : "exited with status " + std::to_string(r.exit_code);
  throw std::runtime_error("`" + command_line(argv) + "` " + status +
                           (err.empty() ? std::string{} : ": " + err));
}

} // namespace raft::hosts

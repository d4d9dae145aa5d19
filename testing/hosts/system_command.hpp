#pragma once
/// Running the system tools that build the test network (`ip`, `nft`): found by absolute
/// path, started with fork/exec and an argument vector (never through a shell, so no
/// argument is ever re-parsed), and every exit status checked.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace raft::hosts {

/// The absolute path of the tool `name` in /usr/sbin, /sbin, /usr/bin or /bin (the
/// harness does not trust PATH: a user without sbin in it must get the same answer);
/// nullopt when none of them holds an executable file of that name.
std::optional<std::string> find_tool(const std::string& name);

/// find_tool, or a std::runtime_error saying which tool is missing.
std::string require_tool(const std::string& name);

/// The command as one line for messages, arguments with spaces in single quotes.
std::string command_line(const std::vector<std::string>& argv);

/// Runs argv (argv[0] an absolute path) to completion and returns its stdout. Throws
/// std::runtime_error naming the command line, its exit status (or the time-out) and its
/// stderr unless it exits 0 within `limit`.
std::string run_checked(const std::vector<std::string>& argv,
                        std::chrono::milliseconds limit = std::chrono::seconds{10});

} // namespace raft::hosts

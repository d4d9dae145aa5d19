#pragma once
/// Command lines of every program (raft-node, raftctl, raft-demo, raft-sim, failover-bench),
/// parsed with CLI11 (libcli11-dev). One rule for all of them: `--help` prints the usage to
/// stdout and exits 0; a bad command line prints one line to stderr, `PROGRAM: what is wrong
/// (see PROGRAM --help)`, and exits 2.

#include <iostream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace raft {

/// Parses `argv` into `app`. Returns the status `main` must exit with (after --help, or a bad
/// command line), or nothing when the program should go on.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help(); // the help of the subcommand given, if any
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    // CLI11 checks required options before unexpected arguments; the unexpected argument
    // is the better message (`raft-node --bogus` should not ask for --config).
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
      auto rest = app.remaining(true);
      if (!rest.empty())
        what = CLI::ExtrasError(rest).what();
    }
    for (auto& c : what)
      if (c == '\n')
        c = ' ';
    std::cerr << app.get_name() << ": " << what << " (see " << app.get_name() << " --help)\n";
    return 2;
  }
}

/// A validator for an option that takes one of a few words, with a message naming them.
inline CLI::Validator one_of(std::initializer_list<std::string> words) {
  std::string list;
  for (auto& w : words)
    list += (list.empty() ? "" : "|") + w;
  std::vector<std::string> allowed{words};
  return CLI::Validator(
    [allowed, list](std::string& v) -> std::string {
      for (auto& w : allowed)
        if (v == w)
          return {};
      return "must be " + list + ", not '" + v + "'";
    },
    list);
}

} // namespace raft

#pragma once
/// Histories as JSON lines: one operation per line, so a test can save what it recorded and
/// `raft-lincheck FILE` can check it later. One outcome object per kind of operation:
///
///   {"client":1,"call":100,"return":250,"op":"put","key":"k","value":"v","outcome":{"ok":true}}
///   {"client":2,"call":120,"return":260,"op":"get","key":"k","outcome":{"found":true,"value":"v"}}
///   {"client":3,"call":130,"return":270,"op":"delete","key":"k","outcome":{"ok":true,"existed":false}}
///   {"client":4,"call":140,"return":280,"op":"cas","key":"k","expected":null,"value":"w",
///    "outcome":{"ok":false,"found":true,"value":"v"}}
///   {"client":5,"call":150,"op":"put","key":"k","value":"x","outcome":"unknown"}
///
/// `expected: null` means the cas expects the key to be absent. An unknown outcome has no
/// `return`. Byte strings are JSON strings when they are valid UTF-8, otherwise
/// `{"hex":"00ff"}`; both are read. Blank lines are skipped; any unknown field is an error.

#include <iosfwd>
#include <optional>
#include <string>

#include "lincheck/operation.hpp"

namespace raft::lincheck {

/// The operation as one JSON line (no newline).
std::string to_json_line(const operation& op);

/// Writes one line per operation.
void write_jsonl(std::ostream& out, const history& h);

/// Writes `h` to `path`; throws std::runtime_error ("PATH: cannot write: reason").
void write_jsonl_file(const std::string& path, const history& h);

/// Either a history or one error line.
///
/// Invariant: exactly one of `ops` and `error` is set. The error names the input, the line
/// and the field: `FILE:LINE: field "outcome.value": expected a string or {"hex": ...}`.
struct read_result {
  std::optional<history> ops;
  std::string error;

  bool ok() const { return ops.has_value(); }
  explicit operator bool() const { return ok(); }
};

/// Reads JSON lines from `in`; `name` stands for the input in the error. Stops at the first
/// bad line.
read_result parse_jsonl(std::istream& in, const std::string& name);

/// Reads the file at `path` as parse_jsonl does (`PATH: cannot read: reason` if it cannot).
read_result read_jsonl_file(const std::string& path);

} // namespace raft::lincheck

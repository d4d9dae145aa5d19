#pragma once
/// How raftctl prints the outcome of put, get, delete and cas, and which exit status it
/// gives (README "raftctl put, get, delete, cas"). CAF-free.
///
/// With --json exactly one line on stdout:
///   put     {"ok":true}
///   get     {"found":true,"value":"..."} or {"found":false}
///   delete  {"ok":true,"existed":true|false}
///   cas     {"ok":true} or {"ok":false,"found":true,"value":"..."} / {"ok":false,"found":false}
///   not known to have happened: {"ok":false,"outcome":"unknown"|"refused"|"unavailable",
///                                "error":"..."}
/// Bytes that are not UTF-8 are replaced by U+FFFD in JSON. Without --json: a short line for
/// people (a get prints the value itself).
/// Exit status: 0 when the outcome is known and printed (a failed cas and a missing key are
/// known outcomes); 3 when it is unknown (the request left and no answer came: a write may or
/// may not have happened); 1 when it is known not to have happened (refused by the store, or
/// no member reachable before the request left).

#include <string>

#include "client/kv_client.hpp"

namespace raft {

enum class kv_command { put, get, del, cas };

struct kv_printed {
  std::string out; ///< for stdout (with its newline), may be empty
  std::string err; ///< for stderr (with its newline), may be empty
  int status = 0;
};

kv_printed print_kv_result(kv_command cmd, const kv_result& r, bool json);

} // namespace raft

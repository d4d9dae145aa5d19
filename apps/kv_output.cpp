#include "apps/kv_output.hpp"

#include <nlohmann/json.hpp>

namespace raft {

namespace {

std::string line(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

} // namespace

kv_printed print_kv_result(kv_command cmd, const kv_result& r, bool json) {
  kv_printed p;
  if (r.outcome != kv_outcome::done) {
    p.status = r.outcome == kv_outcome::unknown ? 3 : 1;
    std::string what = r.outcome == kv_outcome::unknown
                         ? "outcome unknown (it may or may not have happened): "
                         : std::string(to_string(r.outcome)) + ": ";
    p.err = "raftctl: " + what + r.error + "\n";
    if (json)
      p.out = line({{"ok", false}, {"outcome", to_string(r.outcome)}, {"error", r.error}});
    return p;
  }
  nlohmann::ordered_json j;
  switch (cmd) {
    case kv_command::put:
      j = {{"ok", true}};
      p.out = json ? line(j) : "ok\n";
      break;
    case kv_command::get:
      if (r.found) {
        j = {{"found", true}, {"value", r.value.value_or("")}};
        p.out = json ? line(j) : r.value.value_or("") + "\n";
      } else {
        j = {{"found", false}};
        if (json)
          p.out = line(j);
        else
          p.err = "(not found)\n";
      }
      break;
    case kv_command::del:
      j = {{"ok", true}, {"existed", r.found}};
      p.out = json ? line(j) : r.found ? "deleted\n" : "not found (nothing deleted)\n";
      break;
    case kv_command::cas:
      if (r.swapped) {
        j = {{"ok", true}};
        p.out = json ? line(j) : "ok\n";
      } else if (r.found) {
        j = {{"ok", false}, {"found", true}, {"value", r.value.value_or("")}};
        p.out = json ? line(j) : "not swapped: the key holds " + r.value.value_or("") + "\n";
      } else {
        j = {{"ok", false}, {"found", false}};
        p.out = json ? line(j) : "not swapped: the key is absent\n";
      }
      break;
  }
  return p;
}

} // namespace raft

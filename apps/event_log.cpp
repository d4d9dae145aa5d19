#include "apps/event_log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace raft {

std::string event_log::timestamp() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto secs = time_point_cast<seconds>(now);
  auto micros = duration_cast<microseconds>(now - secs).count();
  std::time_t t = system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[64];
  std::snprintf(out, sizeof out, "%s.%06ldZ", buf, static_cast<long>(micros));
  return out;
}

void event_log::emit(const std::string& event, const std::vector<event_field>& fields) {
  std::string line;
  auto ts = timestamp();
  if (format_ == format::json) {
    nlohmann::ordered_json j;
    j["ts"] = ts;
    j["node"] = node_;
    j["event"] = event;
    for (auto& f : fields)
      std::visit([&](const auto& v) { j[f.key] = v; }, f.value);
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = ts + " node " + std::to_string(node_) + " " + event;
    for (auto& f : fields) {
      line += " " + f.key + "=";
      std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string>)
            line += v;
          else if constexpr (std::is_same_v<T, bool>)
            line += v ? "true" : "false";
          else if constexpr (std::is_same_v<T, std::nullptr_t>)
            line += "null";
          else
            line += std::to_string(v);
        },
        f.value);
    }
  }
  std::lock_guard<std::mutex> guard{mtx_};
  std::fprintf(stdout, "%s\n", line.c_str());
  std::fflush(stdout);
}

} // namespace raft

#include "apps/event_log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

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

std::string event_log::quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char esc[8];
          std::snprintf(esc, sizeof esc, "\\u%04x", c);
          out += esc;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

void event_log::emit(const std::string& event, const std::vector<event_field>& fields) {
  std::string line;
  auto ts = timestamp();
  if (format_ == format::json) {
    line = "{\"ts\":" + quote(ts) + ",\"node\":" + std::to_string(node_) +
           ",\"event\":" + quote(event);
    for (auto& f : fields) {
      line += "," + quote(f.key) + ":";
      line += f.type == event_field::kind::string ? quote(f.text) : f.text;
    }
    line += "}";
  } else {
    line = ts + " node " + std::to_string(node_) + " " + event;
    for (auto& f : fields)
      line += " " + f.key + "=" + f.text;
  }
  std::lock_guard<std::mutex> guard{mtx_};
  std::fprintf(stdout, "%s\n", line.c_str());
  std::fflush(stdout);
}

} // namespace raft

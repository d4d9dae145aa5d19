#include "course_harness.hpp"

#include <charconv>

namespace raft::testing {

std::string course_random::randstring(std::size_t n) {
  static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  // base64url of 2n random bytes, cut to n characters: every character is one of 64,
  // uniformly; six random bits each.
  std::string out;
  out.reserve(n);
  while (out.size() < n) {
    auto bits = next();
    for (int k = 0; k < 10 && out.size() < n; ++k, bits >>= 6)
      out.push_back(alphabet[bits & 63]);
  }
  return out;
}

test_cluster::start_result must_start(test_cluster& c, peer_id id, const std::string& command) {
  auto r = c.start(id, command);
  if (!r)
    throw cluster_check_failed("Start(" + command + ") got no answer from peer " +
                               std::to_string(id) + " within a second");
  return *r;
}

std::string rpc_counts(const test_cluster& c) {
  std::string out;
  for (peer_id id = 1; id <= c.size(); ++id)
    out += (id > 1 ? ", peer " : "peer ") + std::to_string(id) + ": " +
           std::to_string(c.rpc_count(id));
  return out;
}

std::optional<std::int64_t> as_int(const std::string& command) {
  std::int64_t value = 0;
  auto end = command.data() + command.size();
  auto [ptr, ec] = std::from_chars(command.data(), end, value);
  if (ec != std::errc{} || ptr != end || command.empty())
    return std::nullopt;
  return value;
}

void thread_failures::record(std::string what) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (!first_)
    first_ = std::move(what);
}

std::optional<std::string> thread_failures::first() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return first_;
}

} // namespace raft::testing

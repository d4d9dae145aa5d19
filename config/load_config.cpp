#include "config/load_config.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

#include "config/detail/error_list.hpp"
#include "config/detail/validate.hpp"

namespace raft {

namespace {

/// Reads the whole file, or returns the reason it cannot.
bool read_file(const std::string& path, std::string& contents, std::string& reason) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    reason = std::strerror(errno);
    return false;
  }
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      reason = std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    contents.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}

} // namespace

config_result parse_cluster_config(std::string_view text, std::string name) {
  config_result result;
  config_detail::error_list errors{std::move(name)};
  toml::table doc;
  try {
    doc = toml::parse(text, errors.file());
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    config_detail::position where;
    if (begin) {
      where.line = static_cast<std::uint32_t>(begin.line);
      where.column = static_cast<std::uint32_t>(begin.column);
    }
    // Every error is one line, whatever the parser's description holds.
    std::string message{e.description()};
    for (char& c : message)
      if (c == '\n' || c == '\r') c = ' ';
    errors.add(where, std::move(message));
    result.errors = errors.lines();
    return result;
  }
  result.config = config_detail::validate(doc, errors);
  if (!result.config) result.errors = errors.lines();
  return result;
}

config_result load_cluster_config(const std::string& path) {
  std::string text;
  std::string reason;
  if (!read_file(path, text, reason)) {
    config_result result;
    result.errors.push_back(path + ": cannot read: " + reason);
    return result;
  }
  return parse_cluster_config(text, path);
}

std::optional<cluster_config> load_cluster_config_or_report(const std::string& path) {
  auto loaded = load_cluster_config(path);
  for (auto& e : loaded.errors)
    std::fprintf(stderr, "%s\n", e.c_str());
  return std::move(loaded.config);
}

} // namespace raft

#pragma once
/// Collects config errors with their positions and renders them as `FILE:LINE:COL: message`.

#include <cstdint>
#include <string>
#include <vector>

namespace raft::config_detail {

/// A line and column in the config file, both starting at 1.
struct position {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

class error_list {
public:
  explicit error_list(std::string file) : file_(std::move(file)) {}

  void add(position where, std::string message);
  bool empty() const { return entries_.empty(); }

  /// The errors as one-line strings, ordered by position (ties keep insertion order).
  std::vector<std::string> lines() const;

  const std::string& file() const { return file_; }

private:
  struct entry {
    position where;
    std::string message;
  };
  std::string file_;
  std::vector<entry> entries_;
};

} // namespace raft::config_detail

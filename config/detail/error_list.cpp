#include "config/detail/error_list.hpp"

#include <algorithm>

namespace raft::config_detail {

void error_list::add(position where, std::string message) {
  entries_.push_back(entry{where, std::move(message)});
}

std::vector<std::string> error_list::lines() const {
  auto sorted = entries_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const entry& a, const entry& b) {
    if (a.where.line != b.where.line) return a.where.line < b.where.line;
    return a.where.column < b.where.column;
  });
  std::vector<std::string> result;
  result.reserve(sorted.size());
  for (const auto& e : sorted)
    result.push_back(file_ + ":" + std::to_string(e.where.line) + ":" +
                     std::to_string(e.where.column) + ": " + e.message);
  return result;
}

} // namespace raft::config_detail

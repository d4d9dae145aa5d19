#pragma once
/// The three roles of a Raft server (§5.1, Figure 4).

#include <string_view>

namespace raft {

enum class role { follower, candidate, leader };

constexpr std::string_view to_string(role r) {
  switch (r) {
    case role::follower: return "follower";
    case role::candidate: return "candidate";
    case role::leader: return "leader";
  }
  return "unknown";
}

} // namespace raft

#pragma once
/// How raftctl shows members: one JSON object per member (for scripts) or an aligned table
/// (for people). CAF-free.

#include <optional>
#include <string>
#include <vector>

#include "config/cluster_config.hpp"
#include "messages/control.hpp"

namespace raft {

/// A member as raftctl saw it: its configured address and, when it answered, its status.
struct member_view {
  peer_address address;
  std::optional<node_status> status; ///< nothing when unreachable
};

/// `{"id":1,"address":"10.0.0.1:7101","reachable":true,"term":5,"role":"leader","leader":1}`;
/// term, role and leader are null when unreachable, leader is null when none is known. With
/// `ts`, the object starts with `"ts":ts` (raftctl watch).
std::string json_line(const member_view& m, const std::string& ts = {});

/// A header and one row per member, columns padded to their widest cell; `-` for unknown.
std::string status_table(const std::vector<member_view>& members);

/// One readable line of raftctl watch: `TS  node ID  ADDRESS  term T  ROLE  leader L`, or
/// `TS  node ID  ADDRESS  unreachable`.
std::string watch_text_line(const member_view& m, const std::string& ts);

/// `host:port`, with brackets around an IPv6 literal.
std::string address_text(const peer_address& p);

} // namespace raft

#include "sim/trace.hpp"

#include "core/message.hpp"

#include <cstdio>

namespace raft::sim {

namespace {

const char* msg_name(std::uint8_t k) {
  return kind_name(k);
}

/// Partition records hold the group of peer i in bits 2i..2i+1 of `other` and the number
/// of peers in `msg_term`.
std::string groups(std::uint32_t code, term_t peers) {
  std::string s;
  for (std::uint32_t g = 0; g < 3; ++g) {
    std::string members;
    for (std::uint32_t i = 0; i < peers && i < 16; ++i)
      if (((code >> (2 * i)) & 3u) == g)
        members += (members.empty() ? "p" : ",p") + std::to_string(i + 1);
    if (!members.empty())
      s += " {" + members + "}";
  }
  return s;
}

} // namespace

std::string format(const trace_record& r) {
  char head[96];
  std::snprintf(head, sizeof head, "%10.3f ms  ", static_cast<double>(r.at) / 1000.0);
  std::string s = head;
  auto peer_state = [&] {
    char buf[64];
    std::snprintf(buf, sizeof buf, "p%-2u t%-3llu %-9s  ", r.peer,
                  static_cast<unsigned long long>(r.term),
                  std::string(to_string(r.role)).c_str());
    s += buf;
  };
  switch (r.kind) {
    case trace_kind::start:
      peer_state();
      s += "start";
      break;
    case trace_kind::deliver:
    case trace_kind::lost_in_flight: {
      peer_state();
      s += r.kind == trace_kind::deliver ? "<- " : "lost (link went down): ";
      s += msg_name(r.msg_kind);
      s += " t" + std::to_string(r.msg_term);
      if (r.msg_kind == kind_index<request_vote_reply>::value ||
          r.msg_kind == kind_index<pre_vote_reply>::value)
        s += r.granted ? " granted" : " refused";
      if (r.msg_kind == kind_index<append_entries_reply>::value)
        s += r.granted ? " success" : " refused";
      s += " from p" + std::to_string(r.other);
      break;
    }
    case trace_kind::election_timer:
      peer_state();
      s += "election timeout";
      break;
    case trace_kind::heartbeat_timer:
      peer_state();
      s += "heartbeat timer";
      break;
    case trace_kind::crash:
      peer_state();
      s += "CRASH";
      break;
    case trace_kind::restart:
      peer_state();
      s += "RESTART from persisted state";
      break;
    case trace_kind::partition:
      s += "PARTITION" + groups(r.other, r.msg_term);
      break;
    case trace_kind::cut:
      s += "LINK DOWN p" + std::to_string(r.other) + " -> p" + std::to_string(r.peer);
      break;
    case trace_kind::restore:
      s += "LINK UP p" + std::to_string(r.other) + " -> p" + std::to_string(r.peer);
      break;
    case trace_kind::heal_links:
      s += "ALL LINKS UP";
      break;
    case trace_kind::heal:
      s += "HEAL: links up, no drops or long delays, crashed peers restarted";
      break;
    case trace_kind::violation:
      s += "VIOLATION";
      break;
    case trace_kind::link_down:
      peer_state();
      s += "connection to p" + std::to_string(r.other) + " lost";
      break;
    case trace_kind::link_up:
      peer_state();
      s += "connection to p" + std::to_string(r.other) + " back";
      break;
    case trace_kind::freeze:
      peer_state();
      s += "FROZEN for " + std::to_string(r.other) + " ms";
      break;
    case trace_kind::propose:
      peer_state();
      s += "propose c" + std::to_string(r.other) + (r.granted ? " (appended)" : " (not leader)");
      break;
    case trace_kind::sync:
      peer_state();
      s += "log synced";
      break;
    case trace_kind::snapshot:
      peer_state();
      s += "snapshot through index " + std::to_string(r.msg_term);
      break;
  }
  return s;
}

void trace_ring::write_tail(std::ostream& os, std::size_t n) const {
  if (n > count_)
    n = count_;
  for (std::size_t i = 0; i < n; ++i) {
    auto idx = (next_ + capacity - n + i) % capacity;
    os << format(ring_[idx]) << '\n';
  }
}

} // namespace raft::sim

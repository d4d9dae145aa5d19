#pragma once
/// Any message a Raft peer receives from another peer, and who sent it.

#include <cstddef>
#include <iterator>
#include <type_traits>
#include <variant>

#include "messages/wire.hpp"

namespace raft {

/// The order of the alternatives is part of the test network's counters (kind indices):
/// new kinds are only ever appended.
using message = std::variant<request_vote, request_vote_reply, append_entries,
                             append_entries_reply, pre_vote, pre_vote_reply>;

/// The index of message type `T` in raft::message, at compile time.
template <class T, class V = message>
struct kind_index;
template <class T, class... Ts>
struct kind_index<T, std::variant<Ts...>> {
  static constexpr std::size_t value = [] {
    std::size_t i = 0;
    bool found = false;
    ((found = found || std::is_same_v<T, Ts>, i += found ? 0 : 1), ...);
    return i;
  }();
};

/// The id the sender put in the message (every wire message carries it).
inline peer_id sender_of(const message& m) {
  struct visitor {
    peer_id operator()(const request_vote& x) const { return x.candidate_id; }
    peer_id operator()(const request_vote_reply& x) const { return x.voter_id; }
    peer_id operator()(const append_entries& x) const { return x.leader_id; }
    peer_id operator()(const append_entries_reply& x) const { return x.follower_id; }
    peer_id operator()(const pre_vote& x) const { return x.candidate_id; }
    peer_id operator()(const pre_vote_reply& x) const { return x.voter_id; }
  };
  return std::visit(visitor{}, m);
}

/// The term the sender put in the message.
inline term_t term_of(const message& m) {
  return std::visit([](const auto& x) { return x.term; }, m);
}

/// True for the reply kinds (the course tester's "replies").
inline bool is_reply(const message& m) {
  return std::holds_alternative<request_vote_reply>(m) ||
         std::holds_alternative<append_entries_reply>(m) ||
         std::holds_alternative<pre_vote_reply>(m);
}

/// Short name of the message kind with index `k` in raft::message.
inline const char* kind_name(std::size_t k) {
  static constexpr const char* names[] = {"request_vote",         "request_vote_reply",
                                          "append_entries",       "append_entries_reply",
                                          "pre_vote",             "pre_vote_reply"};
  static_assert(std::size(names) == std::variant_size_v<message>);
  return k < std::size(names) ? names[k] : "unknown";
}

/// Short name of the message kind, for logs and traces.
inline const char* kind_of(const message& m) {
  return kind_name(m.index());
}

} // namespace raft

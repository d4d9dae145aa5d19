#pragma once
/// Any message a Raft peer receives from another peer, and who sent it.
///
/// `message_kinds` lists the wire messages (messages/wire.hpp) once. Everything that depends
/// on the set of kinds is generated from it: the `message` variant, kind indices and names
/// here, the CAF registration (messages/registration.cpp), the typed interfaces of links,
/// peers and the endpoint (actors/peer_interface.hpp), the peer's handlers and counters
/// (actors/peer.cpp, actors/peer_stats.hpp), the simulated network's links and the
/// serialization round-trip test. Adding a kind is adding it here and in wire.hpp.

#include <cstddef>
#include <iterator>
#include <type_traits>
#include <variant>

#include "messages/wire.hpp"

namespace raft {

template <class... Ts>
struct type_list {};

/// The order is part of the test network's counters (kind indices): new kinds are only ever
/// appended.
using message_kinds =
  type_list<request_vote, request_vote_reply, append_entries, append_entries_reply, pre_vote,
            pre_vote_reply, install_snapshot, install_snapshot_reply>;

template <class List>
struct variant_of;
template <class... Ts>
struct variant_of<type_list<Ts...>> {
  using type = std::variant<Ts...>;
};

using message = variant_of<message_kinds>::type;

/// Calls `f(T{})`-style with a null pointer of each kind, in list order: `f((T*)nullptr)`.
template <class F, class... Ts>
constexpr void for_each_kind(type_list<Ts...>, F&& f) {
  (f(static_cast<Ts*>(nullptr)), ...);
}
template <class F>
constexpr void for_each_kind(F&& f) {
  for_each_kind(message_kinds{}, std::forward<F>(f));
}

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
  static_assert(value < sizeof...(Ts), "not a message kind");
};

inline constexpr std::size_t message_kind_count = std::variant_size_v<message>;

/// The id the sender put in the message (every wire message carries it).
inline peer_id sender_of(const message& m) {
  return std::visit([](const auto& x) { return x.sender(); }, m);
}

/// The term the sender put in the message.
inline term_t term_of(const message& m) {
  return std::visit([](const auto& x) { return x.term; }, m);
}

/// True for the reply kinds (the course tester's "replies").
inline bool is_reply(const message& m) {
  return std::visit([](const auto& x) { return std::decay_t<decltype(x)>::is_reply; }, m);
}

/// Short name of the message kind with index `k` in raft::message.
inline const char* kind_name(std::size_t k) {
  const char* name = "unknown";
  std::size_t i = 0;
  for_each_kind([&](auto* kind) {
    if (i++ == k)
      name = std::remove_pointer_t<decltype(kind)>::name;
  });
  return name;
}

/// Short name of the message kind, for logs and traces.
inline const char* kind_of(const message& m) {
  return kind_name(m.index());
}

} // namespace raft

#pragma once
/// Pushes this node's role changes to watchers (`raftctl watch`), so they learn of a change
/// as it happens instead of polling `status`.
///
/// A watcher sends `(watch, ADDRESS)` to the node's published endpoint, which hands it on to
/// the feed; the feed answers at ADDRESS with `(role, node_status)` at once (the current
/// state) and again after every role change, or with `(watch_full)` when it already serves
/// `max_watchers`. An explicit address, as for the cluster hello (actors/endpoint.hpp): a
/// message's CAF sender is not always there in CAF 0.17. The feed monitors each watcher and
/// forgets it when it goes down (its process ended or its connection dropped), so the
/// table never holds more than `max_watchers` entries, whoever asks.

#include <cstddef>

#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

#include "actors/peer_interface.hpp"
#include "messages/control.hpp"

namespace caf {
class actor_system;
class actor;
}

namespace raft {

using role_atom = caf::atom_constant<caf::atom("role")>;
using watch_full_atom = caf::atom_constant<caf::atom("watch_full")>;

/// What a watcher's address must accept.
using role_watcher =
  caf::typed_actor<caf::reacts_to<role_atom, node_status>, caf::reacts_to<watch_full_atom>>;

/// The feed: the node's observer sends it each role change; the endpoint passes on watches.
using role_feed_actor =
  caf::typed_actor<caf::reacts_to<role_atom, node_status>, caf::reacts_to<watch_atom, caf::actor>>;

/// At most this many watchers per node.
inline constexpr std::size_t max_watchers = 16;

role_feed_actor spawn_role_feed(caf::actor_system& sys, node_status initial);

} // namespace raft

#pragma once
/// The test cluster's simulated network, with the semantics of the course tester
/// (../shared/TESTER.md, "The simulated network"):
/// - every directed link A→B is enabled or disabled on its own; a message on a disabled link
///   is lost, and so is one whose link is disabled while it is in flight;
/// - unreliable mode: a request is delayed 0–26 ms at random, then dropped with probability
///   10%; a reply is dropped with probability 10%;
/// - long reordering: 2/3 of replies are delivered after 200–2199 ms (skewed low);
/// - counters: every message and its serialized size, counted when sent (disabled links
///   included); per peer, messages that reached it and messages it sent; per directed link
///   and message kind, messages sent.
///
/// Each directed link is a small actor (a `link_actor`), so a peer holds the same kind of
/// handle it would hold for a remote host.

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "actors/peer_interface.hpp"

namespace caf {
class actor_system;
}

namespace raft {

class sim_network {
public:
  struct totals {
    std::uint64_t messages = 0; ///< messages sent, delivered or not
    std::uint64_t bytes = 0;    ///< their serialized size
  };

  /// Spawns one link actor per ordered pair of distinct ids. All links start enabled.
  sim_network(caf::actor_system& sys, std::vector<peer_id> ids, std::uint64_t seed);
  ~sim_network();
  sim_network(const sim_network&) = delete;
  sim_network& operator=(const sim_network&) = delete;

  /// The link a peer `from` uses to reach `to`.
  link_actor link(peer_id from, peer_id to) const;

  /// Messages for `id` go to `handle` from now on (a spawned or restarted peer).
  void attach(peer_id id, peer_actor handle);
  /// Messages for `id` are lost from now on (a crashed or killed peer).
  void detach(peer_id id);

  /// Marks `id` connected and enables both directions between it and every connected peer.
  void connect(peer_id id);
  /// Marks `id` disconnected and disables every link to and from it.
  void disconnect(peer_id id);
  bool connected(peer_id id) const;
  /// Enables or disables the single directed link from → to.
  void set_link(peer_id from, peer_id to, bool enabled);

  void set_unreliable(bool on);
  void set_long_reordering(bool on);

  totals total() const;
  std::uint64_t delivered_to(peer_id id) const;
  /// Requests (not replies) that reached `id` (the course's per-server RPC count).
  std::uint64_t requests_delivered_to(peer_id id) const;
  std::uint64_t sent_by(peer_id id) const;
  /// Messages of `kind` (index in raft::message, core/message.hpp)
  /// sent on from → to.
  std::uint64_t sent(peer_id from, peer_id to, std::size_t kind) const;

  /// Stops every link actor. Called by the destructor too.
  void shutdown();

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace raft

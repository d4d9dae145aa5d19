#pragma once
/// A private IPv4 test network of network namespaces: hosts joined by a bridge.
///
/// The bridge `br0` lives in a namespace of its own; each host has a namespace of its own
/// with one interface, `eth0`, at 10.199.0.<octet>/24, whose other end is the bridge's port
/// `p<octet>`. Every interface and address exists only inside these namespaces: the root
/// namespace gets none, and no route leads out, so no packet can reach any other network.
///
/// Faults happen in the network, never in the hosts, so a host sees what a real one would:
/// - port_down(): the host's bridge port goes down. Every frame to or from it vanishes; no
///   reset, no ICMP comes back from the network (the host sees its link lose carrier).
/// - drop(a, b): nftables in the bridge's namespace drops every IPv4 packet from a to b
///   (bridge family, forward hook); b to a still flows. One direction of one link.
/// Nothing here is undone behind the caller's back: heal() brings every port up and removes
/// every drop.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "net_namespace.hpp"

namespace raft::hosts {

class bridge_network {
public:
  /// Removes the leftovers of earlier runs (remove_leftovers()), then creates the bridge's
  /// namespace with `br0` up. Throws when a command fails.
  bridge_network();
  bridge_network(const bridge_network&) = delete;
  bridge_network& operator=(const bridge_network&) = delete;

  /// Adds host `octet` (1 … 254): its namespace, `eth0` at address(octet) plugged into
  /// port `p<octet>`, both up, and `lo` up. Throws when it exists or a command fails.
  void add_host(unsigned octet);
  /// "10.199.0.<octet>".
  static std::string address(unsigned octet);
  /// The host's namespace (throws std::out_of_range for an unknown host).
  const net_namespace& host(unsigned octet) const;
  /// The bridge's namespace.
  const net_namespace& bridge() const { return *bridge_; }

  /// Takes the host's bridge port down / up.
  void port_down(unsigned octet);
  void port_up(unsigned octet);
  /// Drops / stops dropping every IPv4 packet from host `from` to host `to`.
  void drop(unsigned from, unsigned to);
  /// Drops every IPv4 packet from each `first` to its `second`, all in one nft transaction
  /// (a partition takes effect at once, not link by link).
  void drop(const std::vector<std::pair<unsigned, unsigned>>& links);
  void undrop(unsigned from, unsigned to);
  /// Every port up, every drop removed.
  void heal();
  /// Creates the nft table, chain, set and rule that drop() fills (done by the first drop()
  /// otherwise; doing it ahead keeps that time out of a measured cut). Idempotent.
  void prepare_drops();
  /// Packets dropped by drop() rules so far (the rule's nft counter; 0 before any drop()).
  std::uint64_t dropped_packets() const;

private:
  /// `ip netns exec BRIDGE nft COMMAND` to completion; throws when it fails.
  std::string nft(const std::string& command) const;

  std::string tag_; ///< this network's number in the process: names are rafth-<pid>-<tag>…
  std::unique_ptr<net_namespace> bridge_;
  std::map<unsigned, std::unique_ptr<net_namespace>> hosts_;
  std::set<unsigned> down_;
  std::set<std::pair<unsigned, unsigned>> drops_;
  bool nft_ready_ = false;
};

} // namespace raft::hosts

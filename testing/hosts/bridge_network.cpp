#include "bridge_network.hpp"

#include <atomic>
#include <stdexcept>

#include "system_command.hpp"

namespace raft::hosts {

namespace {

constexpr const char* table = "bridge raft_faults";

/// A number that makes the names of this process's successive networks differ.
unsigned next_network() {
  static std::atomic<unsigned> n{0};
  return ++n;
}

std::string port(unsigned octet) {
  return "p" + std::to_string(octet);
}

std::string pair_element(unsigned from, unsigned to) {
  return "{ " + bridge_network::address(from) + " . " + bridge_network::address(to) + " }";
}

} // namespace

bridge_network::bridge_network() {
  remove_leftovers();
  tag_ = std::to_string(next_network());
  bridge_ = std::make_unique<net_namespace>(tag_ + "br");
  bridge_->ip({"link", "add", "name", "br0", "type", "bridge"});
  bridge_->ip({"link", "set", "br0", "up"});
}

void bridge_network::add_host(unsigned octet) {
  if (octet < 1 || octet > 254)
    throw std::invalid_argument("host octet " + std::to_string(octet) + " is not in 1 … 254");
  if (hosts_.count(octet))
    throw std::invalid_argument("host " + address(octet) + " exists");
  auto ns = std::make_unique<net_namespace>(tag_ + "h" + std::to_string(octet));
  ns->ip({"link", "set", "lo", "up"});
  ns->ip({"link", "add", "name", "eth0", "type", "veth", "peer", "name", port(octet), "netns",
          bridge_->name()});
  bridge_->ip({"link", "set", port(octet), "master", "br0"});
  bridge_->ip({"link", "set", port(octet), "up"});
  ns->ip({"addr", "add", address(octet) + "/24", "dev", "eth0"});
  ns->ip({"link", "set", "eth0", "up"});
  hosts_.emplace(octet, std::move(ns));
}

std::string bridge_network::address(unsigned octet) {
  return "10.199.0." + std::to_string(octet);
}

const net_namespace& bridge_network::host(unsigned octet) const {
  return *hosts_.at(octet);
}

void bridge_network::port_down(unsigned octet) {
  host(octet);
  bridge_->ip({"link", "set", port(octet), "down"});
  down_.insert(octet);
}

void bridge_network::port_up(unsigned octet) {
  host(octet);
  bridge_->ip({"link", "set", port(octet), "up"});
  down_.erase(octet);
}

void bridge_network::prepare_drops() {
  if (nft_ready_)
    return;
  nft(std::string("add table ") + table + "; add chain " + table +
      " forward_filter { type filter hook forward priority 0; policy accept; }; add set " +
      table + " dropped { type ipv4_addr . ipv4_addr; }; add rule " + table +
      " forward_filter ip saddr . ip daddr @dropped counter drop");
  nft_ready_ = true;
}

std::string bridge_network::nft(const std::string& command) const {
  auto argv = bridge_->exec_prefix();
  argv.push_back(require_tool("nft"));
  argv.push_back(command);
  return run_checked(argv);
}

void bridge_network::drop(unsigned from, unsigned to) {
  drop(std::vector<std::pair<unsigned, unsigned>>{{from, to}});
}

void bridge_network::drop(const std::vector<std::pair<unsigned, unsigned>>& links) {
  std::string elements;
  for (auto& [from, to] : links) {
    host(from);
    host(to);
    if (!drops_.count({from, to}))
      elements += (elements.empty() ? "" : ", ") + address(from) + " . " + address(to);
  }
  if (elements.empty())
    return;
  prepare_drops();
  nft(std::string("add element ") + table + " dropped { " + elements + " }");
  drops_.insert(links.begin(), links.end());
}

void bridge_network::undrop(unsigned from, unsigned to) {
  if (drops_.erase({from, to}))
    nft(std::string("delete element ") + table + " dropped " + pair_element(from, to));
}

void bridge_network::heal() {
  for (auto octet : std::set<unsigned>(down_))
    port_up(octet);
  if (!drops_.empty()) {
    nft(std::string("flush set ") + table + " dropped");
    drops_.clear();
  }
}

std::uint64_t bridge_network::dropped_packets() const {
  if (!nft_ready_)
    return 0;
  auto text = nft(std::string("list chain ") + table + " forward_filter");
  auto at = text.find("counter packets ");
  if (at == std::string::npos)
    throw std::runtime_error("no drop counter in the nft chain: " + text);
  return std::stoull(text.substr(at + 16));
}

} // namespace raft::hosts

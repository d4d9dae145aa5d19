#pragma once
/// Host spellings and name resolution, for the config's address rules (config/README.md):
/// the canonical spelling feeds the cluster identity, the resolved addresses the rule that no
/// two members share an address.

#include <string>
#include <vector>

namespace raft::config_detail {

/// The canonical spelling of a host: an IP literal as inet_ntop writes it (so `::0:1` and
/// `::1` are one host; an IPv4-mapped IPv6 address becomes the IPv4 address), any other
/// name in lower case (DNS names are case-insensitive). Needs no name service.
std::string canonical_host(const std::string& host);

/// Every address `host` stands for, canonically spelt and without repeats: the literal
/// itself, or what the system's resolver (getaddrinfo: /etc/hosts, then DNS) returns for a
/// name. Empty when a name does not resolve. May block for as long as the resolver does.
std::vector<std::string> resolve_host(const std::string& host);

} // namespace raft::config_detail

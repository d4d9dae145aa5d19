#pragma once
/// The cluster identity of a config (messages/hello.hpp says what it is for and why it is
/// not a security boundary; config/README.md documents the computation for operators).
///
/// The member-list fingerprint is 64-bit FNV-1a over a canonical text of the member list, so
/// it depends on the members (ids, hosts, ports) and nothing else: not on the order of the
/// [[peer]] tables, the case of host names, the spelling of an IP literal, comments, or the
/// [node] table that differs between members. FNV-1a is a well-known, fixed checksum (no
/// key, no crypto); a collision between two different member lists has a chance of about
/// 2^-64 and would only disable this check for them.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/cluster_config.hpp"
#include "messages/hello.hpp"

namespace raft {

/// The text the fingerprint hashes: the line `raft-caf members v1`, then one line
/// `ID HOST PORT` per member in ascending id order, HOST spelt canonically (an IP literal as
/// inet_ntop writes it, a name in lower case); every line ends with `\n`.
std::string canonical_member_list(const std::vector<peer_address>& peers);

/// 64-bit FNV-1a of `bytes`: start from 14695981039346656037, and for each byte xor it in,
/// then multiply by 1099511628211 (mod 2^64).
std::uint64_t fnv1a_64(std::string_view bytes);

/// The identity of the cluster `config` describes: its `cluster_id` and the fingerprint of
/// its member list. Every member of one cluster computes the same identity, since their
/// configs differ only in `node.id` and `node.data_dir`.
cluster_identity identity_of(const cluster_config& config);

} // namespace raft

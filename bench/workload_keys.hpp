#pragma once
/// The keys kv-bench and etcd-latency write and read, one definition, so that both systems
/// get keys of the same shape and size in a comparison.

#include <algorithm>
#include <cstddef>
#include <string>

namespace raft::bench {

/// Key number `i` as a key of `bytes` bytes (more when the number needs it): "k" and the
/// number, zero-padded.
inline std::string key_of(std::size_t i, std::size_t bytes) {
  auto digits = std::to_string(i);
  std::string key(std::max(bytes, digits.size() + 1), '0');
  key[0] = 'k';
  key.replace(key.size() - digits.size(), digits.size(), digits);
  return key;
}

} // namespace raft::bench

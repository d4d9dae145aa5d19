#include "storage/crc32.hpp"

#include <algorithm>

#include <zlib.h>

namespace raft {

std::uint32_t crc32(std::string_view data) {
  // zlib's table-driven CRC-32 (the same polynomial): log records are checksummed on every
  // append and every segment is checksummed in full on recovery, so speed matters there.
  uLong crc = ::crc32(0L, Z_NULL, 0);
  while (!data.empty()) {
    const auto n = static_cast<uInt>(std::min<std::size_t>(data.size(), 1u << 30));
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(data.data()), n);
    data.remove_prefix(n);
  }
  return static_cast<std::uint32_t>(crc);
}

} // namespace raft

#pragma once
/// CRC-32 (IEEE 802.3, the zlib/PNG polynomial): detects torn or bit-flipped state files.

#include <cstdint>
#include <string_view>

namespace raft {

/// The CRC-32 of `data`; crc32("123456789") == 0xCBF43926 (the standard check value).
std::uint32_t crc32(std::string_view data);

} // namespace raft

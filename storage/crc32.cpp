#include "storage/crc32.hpp"

namespace raft {

std::uint32_t crc32(std::string_view data) {
  // Bitwise, reflected, polynomial 0xEDB88320. State files are tiny, so no table is needed.
  std::uint32_t crc = 0xFFFFFFFFu;
  for (char ch : data) {
    crc ^= static_cast<unsigned char>(ch);
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

} // namespace raft

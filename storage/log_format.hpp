#pragma once
/// The on-disk formats of the durable log (storage/README.md shows them with examples).
///
/// Segment file `log/<first index, 20 digits>.seg`: the 8-byte magic "RAFTLOG1", then records
/// back to back, one per entry, all integers little-endian:
///
///     offset  size  field
///          0     4  command length L (at most max_command_bytes)
///          4     4  CRC-32 of the command bytes
///          8     8  index
///         16     8  term
///         24     4  CRC-32 of bytes 0..23 (the header above)
///         28     L  command bytes
///
/// The header has its own checksum so that a damaged length is caught as damage and never
/// taken for a record that runs past the end of the file (which would look like a torn write
/// and be cut off, losing the synced records after it).
///
/// Snapshot file `snapshot`: the 8-byte magic "RAFTSNP1", index (8), term (8), data length
/// (8), CRC-32 of the data (4), CRC-32 of bytes 0..35 (4), then the data.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "messages/wire.hpp"

namespace raft {

/// A log or snapshot file that cannot be trusted. The message is one line:
/// `FILE: record at offset N (index I): what is wrong` for a record (I is the index the record
/// should have), `FILE: what is wrong` for a whole file. Like a corrupt state file, a peer
/// must stop on it and leave the files as they are: starting without an entry it once
/// acknowledged could let a committed entry be lost (§5.4, Leader Completeness).
class corrupt_log : public std::runtime_error {
public:
  corrupt_log(const std::string& file, const std::string& what)
      : std::runtime_error(file + ": " + what) {}
  corrupt_log(const std::string& file, std::uint64_t offset, log_index index, const std::string& what)
      : std::runtime_error(file + ": record at offset " + std::to_string(offset) + " (index " +
                           std::to_string(index) + "): " + what) {}
};

namespace log_format {

inline constexpr std::string_view segment_magic = "RAFTLOG1";
inline constexpr std::string_view snapshot_magic = "RAFTSNP1";
inline constexpr std::uint64_t segment_header_size = 8;
inline constexpr std::uint64_t record_header_size = 28;
inline constexpr std::uint64_t snapshot_header_size = 40;
/// The largest command a record holds (256 MiB); a longer length field is damage.
inline constexpr std::uint64_t max_command_bytes = std::uint64_t{1} << 28;

/// "00000000000000000042.seg" for first index 42.
std::string segment_name(log_index first);
/// The first index a segment name stands for; nothing when `name` is not exactly 20 decimal
/// digits (a positive number) followed by ".seg".
std::optional<log_index> parse_segment_name(std::string_view name);

/// Bytes a record of a command of `command_bytes` bytes takes.
constexpr std::uint64_t record_size(std::uint64_t command_bytes) {
  return record_header_size + command_bytes;
}
/// Appends the record of one entry to `out`.
void append_record(std::string& out, log_index index, term_t term, std::string_view command);

/// One record found by scan_segment.
struct scanned_record {
  log_index index = 0;
  term_t term = 0;
  std::uint64_t offset = 0;      ///< where the record starts in the segment
  std::string_view command;      ///< points into the scanned bytes
};

/// What scan_segment found in one segment.
struct segment_scan {
  std::vector<scanned_record> records;  ///< the good records, in order
  std::uint64_t valid_end = 0;  ///< offset after the last good record (0: not even a header)
  bool torn = false;            ///< the bytes from valid_end on are a torn write, to be cut
  std::string torn_reason;      ///< why, when torn
};

/// Reads the segment `bytes` of `file`, named for `first`, whose records must carry the
/// indices first, first+1, ... A bad tail of the LAST segment is a torn write (torn = true):
/// an incomplete header or record, a header or segment magic that is all zero bytes to the end
/// of the file (space the file system extended but never wrote), or a last record whose
/// command fails its checksum. Any other damage, and any damage in another segment, throws
/// corrupt_log: synced records may follow it.
segment_scan scan_segment(std::string_view bytes, const std::string& file, log_index first,
                          bool last);

/// A snapshot as read back.
struct snapshot_file {
  log_index index = 0;
  term_t term = 0;
  std::string data;
};
std::string encode_snapshot(log_index index, term_t term, std::string_view data);
/// Throws corrupt_log naming `file` when `bytes` is not exactly what encode_snapshot wrote
/// (the file is replaced by rename, so it is never legitimately torn).
snapshot_file decode_snapshot(std::string_view bytes, const std::string& file);

} // namespace log_format
} // namespace raft

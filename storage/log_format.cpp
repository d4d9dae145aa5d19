#include "storage/log_format.hpp"

#include <algorithm>
#include <cstdio>

#include "storage/crc32.hpp"

namespace raft::log_format {

namespace {

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFFu);
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFFu);
}
std::uint32_t get_u32(std::string_view in, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return v;
}
std::uint64_t get_u64(std::string_view in, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return v;
}
std::string hex8(std::uint32_t v) {
  char buffer[9];
  std::snprintf(buffer, sizeof buffer, "%08x", v);
  return buffer;
}
bool all_zero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == '\0'; });
}
std::string mismatch(std::uint32_t stored, std::uint32_t computed) {
  return "stored " + hex8(stored) + ", computed " + hex8(computed);
}

} // namespace

std::string segment_name(log_index first) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%020llu.seg", static_cast<unsigned long long>(first));
  return buffer;
}

std::optional<log_index> parse_segment_name(std::string_view name) {
  if (name.size() != 24 || name.substr(20) != ".seg") return std::nullopt;
  log_index value = 0;
  for (char c : name.substr(0, 20)) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<log_index>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  if (value == 0) return std::nullopt;  // indices start at 1
  return value;
}

void append_record(std::string& out, log_index index, term_t term, std::string_view command) {
  const std::size_t start = out.size();
  put_u32(out, static_cast<std::uint32_t>(command.size()));
  put_u32(out, crc32(command));
  put_u64(out, index);
  put_u64(out, term);
  put_u32(out, crc32(std::string_view{out}.substr(start, 24)));
  out.append(command);
}

segment_scan scan_segment(std::string_view bytes, const std::string& file, log_index first,
                          bool last) {
  segment_scan scan;
  auto torn = [&](std::uint64_t at, std::string reason) {
    scan.valid_end = at;
    scan.torn = true;
    scan.torn_reason = std::move(reason);
    return scan;
  };

  // The segment header.
  const std::string_view head = bytes.substr(0, segment_header_size);
  if (head != segment_magic) {
    const bool partial = head.size() < segment_header_size &&
                         segment_magic.substr(0, head.size()) == head;
    if (last && (partial || all_zero(bytes)))
      return torn(0, partial ? "incomplete segment header" : "zero-filled segment");
    if (head.size() < segment_header_size)
      throw corrupt_log(file, "truncated segment header (" + std::to_string(head.size()) +
                                  " of " + std::to_string(segment_header_size) + " bytes)");
    if (head.substr(0, 7) == segment_magic.substr(0, 7))
      throw corrupt_log(file, "unsupported segment format version '" + std::string{head.substr(7)} +
                                  "' (this program reads " + std::string{segment_magic} + ")");
    throw corrupt_log(file, "not a log segment: it does not start with " + std::string{segment_magic});
  }

  std::uint64_t offset = segment_header_size;
  log_index expected = first;
  scan.valid_end = offset;
  const std::uint64_t size = bytes.size();
  while (offset < size) {
    auto corrupt = [&](const std::string& what) { return corrupt_log(file, offset, expected, what); };
    const std::string_view rest = bytes.substr(static_cast<std::size_t>(offset));
    if (rest.size() < record_header_size) {
      if (last) return torn(offset, "incomplete record header");
      throw corrupt("truncated record header (" + std::to_string(rest.size()) + " of " +
                    std::to_string(record_header_size) + " bytes) in a segment that is not the last");
    }
    const std::uint32_t header_crc = get_u32(rest, 24);
    const std::uint32_t header_computed = crc32(rest.substr(0, 24));
    if (header_crc != header_computed) {
      if (last && all_zero(rest)) return torn(offset, "zero-filled tail");
      throw corrupt("header checksum mismatch: " + mismatch(header_crc, header_computed));
    }
    const std::uint64_t length = get_u32(rest, 0);
    const std::uint32_t command_crc = get_u32(rest, 4);
    const log_index index = get_u64(rest, 8);
    const term_t term = get_u64(rest, 16);
    if (length > max_command_bytes)
      throw corrupt("command length " + std::to_string(length) + " exceeds the maximum " +
                    std::to_string(max_command_bytes));
    const std::uint64_t end = offset + record_header_size + length;
    if (end > size) {
      if (last) return torn(offset, "incomplete record");
      throw corrupt("record of " + std::to_string(end - offset) + " bytes runs past the end of " +
                    "the file (" + std::to_string(size) + " bytes) in a segment that is not the last");
    }
    const std::string_view command = rest.substr(record_header_size, static_cast<std::size_t>(length));
    const std::uint32_t command_computed = crc32(command);
    if (command_crc != command_computed) {
      if (last && (end == size || all_zero(bytes.substr(static_cast<std::size_t>(end)))))
        return torn(offset, "last record fails its checksum");
      throw corrupt("checksum mismatch: " + mismatch(command_crc, command_computed));
    }
    if (index != expected)
      throw corrupt("the record holds index " + std::to_string(index) +
                    " (records are contiguous from the index in the segment's name)");
    scan.records.push_back(scanned_record{index, term, offset, command});
    offset = end;
    scan.valid_end = end;
    ++expected;
  }
  return scan;
}

std::string encode_snapshot(log_index index, term_t term, std::string_view data) {
  std::string out{snapshot_magic};
  put_u64(out, index);
  put_u64(out, term);
  put_u64(out, data.size());
  put_u32(out, crc32(data));
  put_u32(out, crc32(out));
  out.append(data);
  return out;
}

snapshot_file decode_snapshot(std::string_view bytes, const std::string& file) {
  if (bytes.size() < snapshot_header_size)
    throw corrupt_log(file, "truncated snapshot header (" + std::to_string(bytes.size()) + " of " +
                                std::to_string(snapshot_header_size) + " bytes)");
  if (bytes.substr(0, 8) != snapshot_magic)
    throw corrupt_log(file, "not a snapshot: it does not start with " + std::string{snapshot_magic});
  const std::uint32_t header_crc = get_u32(bytes, 36);
  const std::uint32_t header_computed = crc32(bytes.substr(0, 36));
  if (header_crc != header_computed)
    throw corrupt_log(file, "snapshot header checksum mismatch: " + mismatch(header_crc, header_computed));
  snapshot_file snap;
  snap.index = get_u64(bytes, 8);
  snap.term = get_u64(bytes, 16);
  const std::uint64_t length = get_u64(bytes, 24);
  if (length != bytes.size() - snapshot_header_size)
    throw corrupt_log(file, "the header says " + std::to_string(length) + " bytes of data, the file holds " +
                                std::to_string(bytes.size() - snapshot_header_size));
  const std::string_view data = bytes.substr(static_cast<std::size_t>(snapshot_header_size));
  const std::uint32_t data_crc = get_u32(bytes, 32);
  const std::uint32_t data_computed = crc32(data);
  if (data_crc != data_computed)
    throw corrupt_log(file, "snapshot data checksum mismatch: " + mismatch(data_crc, data_computed));
  if (snap.index == 0 || snap.term == 0)
    throw corrupt_log(file, "snapshot of index " + std::to_string(snap.index) + " and term " +
                                std::to_string(snap.term) + " (both must be at least 1)");
  snap.data = std::string{data};
  return snap;
}

} // namespace raft::log_format

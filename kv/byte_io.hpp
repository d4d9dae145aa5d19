#pragma once
/// Little-endian fixed-width integers and length-prefixed byte strings: the building blocks
/// of the KV command, result and snapshot encodings. The reader never reads past its input:
/// every read checks the bytes remaining first and reports failure instead.

#include <cstdint>
#include <string>
#include <string_view>

namespace raft::kv {

class byte_writer {
public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) { put_le(v, 4); }
  void u64(std::uint64_t v) { put_le(v, 8); }
  /// A u32 length, then the bytes. Callers keep strings below 4 GiB (the limits do).
  void str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out_.append(s.data(), s.size());
  }
  void raw(std::string_view s) { out_.append(s.data(), s.size()); }
  const std::string& data() const { return out_; }
  std::string take() { return std::move(out_); }

private:
  void put_le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string out_;
};

/// Reads from a view; each read returns false (reading nothing) when too few bytes remain.
class byte_reader {
public:
  explicit byte_reader(std::string_view in) : in_(in) {}
  bool u8(std::uint8_t& v) {
    if (in_.empty()) return false;
    v = static_cast<std::uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool u32(std::uint32_t& v) {
    std::uint64_t w = 0;
    if (!get_le(w, 4)) return false;
    v = static_cast<std::uint32_t>(w);
    return true;
  }
  bool u64(std::uint64_t& v) { return get_le(v, 8); }
  /// A u32 length, then that many bytes; false when the length exceeds what remains.
  bool str(std::string& s) {
    std::uint32_t n = 0;
    if (in_.size() < 4) return false;
    std::string_view save = in_;
    u32(n);
    if (in_.size() < n) {
      in_ = save;
      return false;
    }
    s.assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  std::size_t remaining() const { return in_.size(); }

private:
  bool get_le(std::uint64_t& v, int n) {
    if (in_.size() < static_cast<std::size_t>(n)) return false;
    v = 0;
    for (int i = 0; i < n; ++i)
      v |= std::uint64_t{static_cast<unsigned char>(in_[static_cast<std::size_t>(i)])} << (8 * i);
    in_.remove_prefix(static_cast<std::size_t>(n));
    return true;
  }
  std::string_view in_;
};

} // namespace raft::kv

#include <catch2/catch.hpp>

#include "storage/crc32.hpp"
#include "storage/log_format.hpp"

namespace lf = raft::log_format;

TEST_CASE("a segment is named by its first index in 20 digits") {
  CHECK(lf::segment_name(1) == "00000000000000000001.seg");
  CHECK(lf::segment_name(18446744073709551615ull) == "18446744073709551615.seg");
  CHECK(lf::parse_segment_name("00000000000000000042.seg") == std::optional<raft::log_index>{42});
  CHECK_FALSE(lf::parse_segment_name("00000000000000000000.seg"));  // indices start at 1
  CHECK_FALSE(lf::parse_segment_name("0000000000000000042.seg"));
  CHECK_FALSE(lf::parse_segment_name("00000000000000000042.log"));
  CHECK_FALSE(lf::parse_segment_name("0000000000000000004x.seg"));
  CHECK_FALSE(lf::parse_segment_name("99999999999999999999.seg"));  // above 2^64 - 1
}

TEST_CASE("a record is laid out as the format documents") {
  std::string out;
  lf::append_record(out, 0x0102030405060708ull, 0x1112131415161718ull, "cmd");
  REQUIRE(out.size() == lf::record_size(3));
  const std::string header_without_crc =
      std::string{"\x03\x00\x00\x00", 4} + out.substr(4, 4) +
      std::string{"\x08\x07\x06\x05\x04\x03\x02\x01", 8} +
      std::string{"\x18\x17\x16\x15\x14\x13\x12\x11", 8};
  CHECK(out.substr(0, 24) == header_without_crc);
  const auto le32 = [](std::uint32_t v) {
    std::string s;
    for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
    return s;
  };
  CHECK(out.substr(4, 4) == le32(raft::crc32("cmd")));
  CHECK(out.substr(24, 4) == le32(raft::crc32(out.substr(0, 24))));
  CHECK(out.substr(28) == "cmd");
}

TEST_CASE("a scanned segment gives back its records") {
  std::string seg{lf::segment_magic};
  lf::append_record(seg, 5, 1, "a");
  lf::append_record(seg, 6, 1, "");
  lf::append_record(seg, 7, 2, std::string(1000, 'z'));
  for (bool last : {false, true}) {
    const auto scan = lf::scan_segment(seg, "f", 5, last);
    REQUIRE(scan.records.size() == 3);
    CHECK_FALSE(scan.torn);
    CHECK(scan.valid_end == seg.size());
    CHECK(scan.records[0].offset == 8);
    CHECK(scan.records[1].command.empty());
    CHECK(scan.records[2].term == 2);
    CHECK(scan.records[2].command == std::string(1000, 'z'));
  }
}

TEST_CASE("a damaged length is caught by the header checksum and never taken for a torn tail") {
  std::string seg{lf::segment_magic};
  lf::append_record(seg, 1, 1, "first");
  lf::append_record(seg, 2, 1, "second");
  seg[8 + 3] = '\x7f';  // the first record's length, now far beyond the end of the file
  CHECK_THROWS_WITH(lf::scan_segment(seg, "f", 1, true),
                    Catch::Matchers::StartsWith("f: record at offset 8 (index 1): header checksum mismatch: stored "));
}

TEST_CASE("a snapshot file round-trips and any changed byte is refused") {
  const std::string bytes = lf::encode_snapshot(42, 7, "state machine");
  const auto snap = lf::decode_snapshot(bytes, "s");
  CHECK(snap.index == 42);
  CHECK(snap.term == 7);
  CHECK(snap.data == "state machine");
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x10);
    CHECK_THROWS_AS(lf::decode_snapshot(bad, "s"), raft::corrupt_log);
  }
  CHECK_THROWS_WITH(lf::decode_snapshot(bytes.substr(0, 39), "s"),
                    "s: truncated snapshot header (39 of 40 bytes)");
  CHECK_THROWS_WITH(lf::decode_snapshot(bytes + "x", "s"),
                    "s: the header says 13 bytes of data, the file holds 14");
}

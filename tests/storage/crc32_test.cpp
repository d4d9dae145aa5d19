#include <catch2/catch.hpp>

#include "storage/crc32.hpp"

TEST_CASE("crc32 matches the standard check value") {
  CHECK(raft::crc32("123456789") == 0xCBF43926u);
  CHECK(raft::crc32("") == 0u);
  CHECK(raft::crc32("The quick brown fox jumps over the lazy dog") == 0x414FA339u);
}

TEST_CASE("crc32 changes when a single bit flips") {
  CHECK(raft::crc32("term 5\n") != raft::crc32("term 4\n"));
}

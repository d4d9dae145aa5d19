#include <catch2/catch.hpp>

#include "storage/state_file.hpp"

using raft::corrupt_state;
using raft::decode_state;
using raft::encode_state;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

TEST_CASE("the state file has the documented text format") {
  const std::string text = encode_state(5, 2);
  CHECK_THAT(text, StartsWith("raft-state v1\nterm 5\nvote 2\ncrc32 "));
  CHECK(text.size() == std::string("raft-state v1\nterm 5\nvote 2\ncrc32 12345678\n").size());
  CHECK_THAT(encode_state(0, std::nullopt), StartsWith("raft-state v1\nterm 0\nvote none\n"));
}

TEST_CASE("encoded states decode to the same term and vote") {
  for (auto [term, vote] : {std::pair<raft::term_t, std::optional<raft::peer_id>>{0, {}},
                            {1, 1},
                            {raft::max_term - 1, 4294967295u},
                            {7, {}}}) {
    const auto state = decode_state(encode_state(term, vote), "f");
    CHECK(state.current_term == term);
    CHECK(state.voted_for == vote);
    CHECK(state.log.empty());
  }
}

TEST_CASE("every prefix of a state file is reported as corrupt") {
  const std::string text = encode_state(123, 4);
  for (std::size_t n = 0; n < text.size(); ++n) {
    CAPTURE(n);
    CHECK_THROWS_AS(decode_state(text.substr(0, n), "f"), corrupt_state);
  }
}

TEST_CASE("every single changed byte of a state file is reported as corrupt") {
  const std::string text = encode_state(123, 4);
  for (std::size_t i = 0; i < text.size(); ++i) {
    for (char replacement : {'0', '7', 'x', ' ', '\n', 'A'}) {
      if (text[i] == replacement) continue;
      std::string changed = text;
      changed[i] = replacement;
      CAPTURE(i, changed);
      CHECK_THROWS_AS(decode_state(changed, "f"), corrupt_state);
    }
  }
}

TEST_CASE("decoding errors name the file and line") {
  auto message = [](const std::string& text) {
    try {
      decode_state(text, "/d/state");
    } catch (const corrupt_state& e) {
      return std::string(e.what());
    }
    FAIL("no corrupt_state thrown");
    return std::string();
  };
  CHECK(message("") == "/d/state:1: empty file (truncated state)");
  CHECK(message("raft-state v1\nterm 5") ==
        "/d/state:2: truncated: last line 'term 5' does not end with a newline");
  CHECK(message("raft-state v1\nterm 5\n") == "/d/state:3: truncated: missing line 'vote <id>' or 'vote none'");
  CHECK(message("raft-state v2\nterm 5\n") ==
        "/d/state:1: unsupported format version 'v2' (this program reads v1)");
  CHECK(message("hello\n") ==
        "/d/state:1: not a raft state file: expected 'raft-state v1', found 'hello'");
  CHECK(message("raft-state v1\nterm -5\n") == "/d/state:2: expected 'term <number>', found 'term -5'");
  CHECK(message("raft-state v1\nterm 18446744073709551616\n") ==
        "/d/state:2: expected 'term <number>', found 'term 18446744073709551616'");
  CHECK(message("raft-state v1\nterm 5\nvote 4294967296\n") ==
        "/d/state:3: expected 'vote <id>' or 'vote none', found 'vote 4294967296'");
  CHECK(message("raft-state v1\nterm 5\nvote 2\ncrc32 00000000\n") ==
        "/d/state:4: checksum mismatch: stored 00000000, computed " +
            encode_state(5, 2).substr(34, 8) + " from the lines above");
  CHECK_THAT(message(encode_state(5, 2) + "extra\n"),
             Contains("/d/state:5: unexpected data after the checksum line"));
}

TEST_CASE("a state file holding a term at or above 2^63 is refused with its file, line and field") {
  // Checksums are valid: the file is intact, only its term is beyond the ceiling.
  for (raft::term_t term : {raft::max_term, raft::max_term + 1, raft::term_t{18446744073709551615u}}) {
    CAPTURE(term);
    const std::string text = encode_state(term, 2);
    try {
      decode_state(text, "/d/state");
      FAIL("no corrupt_state thrown");
    } catch (const corrupt_state& e) {
      CHECK(std::string(e.what()) == "/d/state:2: term " + std::to_string(term) +
                                         " is at or above the term ceiling 2^63 "
                                         "(9223372036854775808)");
    }
  }
  CHECK(raft::max_term == 9223372036854775808u);
  CHECK(decode_state(encode_state(raft::max_term - 1, 2), "f").current_term == raft::max_term - 1);
}

TEST_CASE("state files written by the bitwise CRC-32 of earlier versions still decode") {
  // Byte for byte as the bitwise loop wrote them before the checksum came from zlib: the
  // first from the deploy/README.md walkthrough, the others from that code run once. Both
  // checksums are the same CRC-32, so the format did not change.
  struct old_file {
    std::string text;
    raft::term_t term;
    std::optional<raft::peer_id> vote;
  };
  for (const auto& f : {old_file{"raft-state v1\nterm 3\nvote 3\ncrc32 c2d292f7\n", 3, 3},
                        old_file{"raft-state v1\nterm 0\nvote none\ncrc32 6593a988\n", 0, {}},
                        old_file{"raft-state v1\nterm 9223372036854775807\nvote 4294967295\n"
                                 "crc32 32b0e278\n",
                                 raft::max_term - 1, 4294967295u}}) {
    CAPTURE(f.text);
    const auto state = decode_state(f.text, "old");
    CHECK(state.current_term == f.term);
    CHECK(state.voted_for == f.vote);
    CHECK(encode_state(f.term, f.vote) == f.text); // and this version writes the same bytes
  }
}

#include "storage/state_file.hpp"

#include <cctype>
#include <cstdio>
#include <limits>
#include <vector>

#include "storage/crc32.hpp"

namespace raft {

namespace {

std::string hex8(std::uint32_t v) {
  char buffer[9];
  std::snprintf(buffer, sizeof buffer, "%08x", v);
  return buffer;
}

/// `line` shown in a message: printable characters only, at most 40 of them.
std::string excerpt(std::string_view line) {
  std::string result;
  for (char c : line.substr(0, 40))
    result += std::isprint(static_cast<unsigned char>(c)) != 0 ? c : '?';
  if (line.size() > 40) result += "...";
  return "'" + result + "'";
}

/// A decimal number without sign or leading zeros, at most `max`.
std::optional<std::uint64_t> parse_number(std::string_view s, std::uint64_t max) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

/// Strips `prefix` from `line`, or returns nothing when `line` does not start with it.
std::optional<std::string_view> after(std::string_view line, std::string_view prefix) {
  if (line.substr(0, prefix.size()) != prefix) return std::nullopt;
  return line.substr(prefix.size());
}

} // namespace

std::string encode_state(term_t current_term, std::optional<peer_id> voted_for) {
  std::string body = std::string(state_file_header) + "\n";
  body += "term " + std::to_string(current_term) + "\n";
  body += "vote " + (voted_for ? std::to_string(*voted_for) : std::string("none")) + "\n";
  return body + "crc32 " + hex8(crc32(body)) + "\n";
}

persistent_state decode_state(std::string_view text, const std::string& file) {
  if (text.empty()) throw corrupt_state(file, 1, "empty file (truncated state)");

  // Split into lines; a last line without '\n' is a torn write.
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string_view::npos)
      throw corrupt_state(file, lines.size() + 1,
                          "truncated: last line " + excerpt(text.substr(start)) +
                              " does not end with a newline");
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }

  const char* expected[] = {"'raft-state v1'", "'term <number>'", "'vote <id>' or 'vote none'",
                            "'crc32 <8 hex digits>'"};
  if (lines.size() > 4)
    throw corrupt_state(file, 5, "unexpected data after the checksum line: " + excerpt(lines[4]));

  // Header and version.
  if (lines[0] != state_file_header) {
    if (auto version = after(lines[0], "raft-state "))
      throw corrupt_state(file, 1, "unsupported format version " + excerpt(*version) +
                                       " (this program reads v1)");
    throw corrupt_state(file, 1, "not a raft state file: expected " + std::string(expected[0]) +
                                     ", found " + excerpt(lines[0]));
  }
  auto missing = [&](std::size_t index) {
    return corrupt_state(file, index + 1,
                         "truncated: missing line " + std::string(expected[index]));
  };
  auto malformed = [&](std::size_t index) {
    return corrupt_state(file, index + 1,
                         "expected " + std::string(expected[index]) + ", found " +
                             excerpt(lines[index]));
  };

  persistent_state state;
  if (lines.size() < 2) throw missing(1);
  auto term_text = after(lines[1], "term ");
  auto term = term_text ? parse_number(*term_text, std::numeric_limits<term_t>::max())
                        : std::nullopt;
  if (!term) throw malformed(1);
  state.current_term = *term;

  if (lines.size() < 3) throw missing(2);
  auto vote_text = after(lines[2], "vote ");
  if (!vote_text) throw malformed(2);
  if (*vote_text != "none") {
    auto vote = parse_number(*vote_text, std::numeric_limits<peer_id>::max());
    if (!vote) throw malformed(2);
    state.voted_for = static_cast<peer_id>(*vote);
  }

  if (lines.size() < 4) throw missing(3);
  auto crc_text = after(lines[3], "crc32 ");
  if (!crc_text || crc_text->size() != 8) throw malformed(3);
  std::uint32_t stored = 0;
  for (char c : *crc_text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isxdigit(u) == 0 || std::isupper(u) != 0) throw malformed(3);
    stored = stored * 16 + static_cast<std::uint32_t>(std::isdigit(u) != 0 ? c - '0' : c - 'a' + 10);
  }
  const auto body_size = static_cast<std::size_t>(lines[3].data() - text.data());
  const std::uint32_t computed = crc32(text.substr(0, body_size));
  if (stored != computed)
    throw corrupt_state(file, 4, "checksum mismatch: stored " + hex8(stored) + ", computed " +
                                     hex8(computed) + " from the lines above");
  // Checked once the file is known intact, so that this message names a term really stored.
  // No node adopts or saves such a term (messages/wire.hpp), so the file was not written by
  // a node of this version; starting from it would make `current_term + 1` approach the
  // wrap and let one election more brick the node.
  if (state.current_term >= max_term)
    throw corrupt_state(file, 2, "term " + std::to_string(state.current_term) +
                                     " is at or above the term ceiling 2^63 (" +
                                     std::to_string(max_term) + ")");
  return state;
}

} // namespace raft

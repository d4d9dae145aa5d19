#pragma once
/// The on-disk text format of Figure 2's current_term and voted_for:
///
///     raft-state v1
///     term 5
///     vote 2            ("vote none" when the peer has not voted in this term)
///     crc32 1a2b3c4d    (CRC-32 of the three lines above, newlines included; 8 hex digits)
///
/// Every line ends with '\n' and nothing follows the checksum line, so a torn write (a prefix
/// of the file) is always detected, and the checksum catches changed bytes.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/persistent_state.hpp"

namespace raft {

/// A state file exists but cannot be trusted: unreadable, truncated, not in the format, of an
/// unknown version, failing its checksum, or holding a term at or above `max_term`. The message is one line, `FILE:LINE: what is
/// wrong`. A peer must stop on it rather than start afresh: resetting the term or vote could
/// let it vote twice in one term, breaking Election Safety (§5.2).
class corrupt_state : public std::runtime_error {
public:
  corrupt_state(const std::string& file, std::size_t line, const std::string& what)
      : std::runtime_error(file + ":" + std::to_string(line) + ": " + what) {}
};

/// The first line of every state file in this format.
inline constexpr std::string_view state_file_header = "raft-state v1";

/// The file contents for the given state.
std::string encode_state(term_t current_term, std::optional<peer_id> voted_for);

/// Parses file contents written by encode_state; `file` names the file in errors.
/// Throws corrupt_state when `text` is not exactly such contents, or when its term is at or
/// above `max_term` (messages/wire.hpp), which no node ever saves.
persistent_state decode_state(std::string_view text, const std::string& file);

} // namespace raft

#include <catch2/catch.hpp>

#include <filesystem>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storage/file_store.hpp"
#include "temp_dir.hpp"

using raft::corrupt_state;
using raft::file_store;
using raft_test::read_text;
using raft_test::temp_dir;
using raft_test::write_text;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

namespace {

/// The message of the corrupt_state that `store.load()` must throw.
std::string load_error(file_store& store) {
  try {
    store.load();
  } catch (const corrupt_state& e) {
    return e.what();
  }
  FAIL("load() did not throw corrupt_state");
  return {};
}

} // namespace

TEST_CASE("a corrupt state file is reported with its path and never reset") {
  temp_dir dir;
  const std::string garbage = "\x7f" "ELF binary garbage\n";
  write_text(dir / "state", garbage);
  file_store store{dir.path()};
  CHECK_THAT(load_error(store),
             Equals(dir / "state" + ":1: not a raft state file: expected 'raft-state v1', found "
                                    "'?ELF binary garbage'"));
  // Reporting must not repair or replace the file, and asking again gives the same answer.
  CHECK(read_text(dir / "state") == garbage);
  CHECK_THROWS_AS(store.load(), corrupt_state);
  file_store& base = store;
  CHECK_THROWS_AS(base.load(), std::runtime_error);
}

TEST_CASE("a truncated state file is reported") {
  temp_dir dir;
  file_store::initialize(dir.path());
  {
    file_store store{dir.path()};
    store.save(8, 1);
  }
  const std::string full = read_text(dir / "state");
  write_text(dir / "state", full.substr(0, 20));  // "raft-state v1\nterm 8" + nothing
  file_store store{dir.path()};
  CHECK_THAT(load_error(store),
             Equals(dir / "state" + ":2: truncated: last line 'term 8' does not end with a "
                                    "newline"));
}

TEST_CASE("an empty state file is reported") {
  temp_dir dir;
  write_text(dir / "state", "");
  file_store store{dir.path()};
  CHECK_THAT(load_error(store), Equals(dir / "state" + ":1: empty file (truncated state)"));
}

TEST_CASE("a checksum mismatch is reported") {
  temp_dir dir;
  file_store::initialize(dir.path());
  {
    file_store store{dir.path()};
    store.save(8, 1);
  }
  std::string text = read_text(dir / "state");
  text[19] = '9';  // "term 8" becomes "term 9": well-formed, but not what was saved
  write_text(dir / "state", text);
  file_store store{dir.path()};
  CHECK_THAT(load_error(store), Contains(dir / "state" + ":4: checksum mismatch: stored "));
}

TEST_CASE("an unsupported format version is reported") {
  temp_dir dir;
  write_text(dir / "state", "raft-state v2\nterm 1\nvote none\ncrc32 00000000\n");
  file_store store{dir.path()};
  CHECK_THAT(load_error(store),
             Equals(dir / "state" + ":1: unsupported format version 'v2' (this program reads v1)"));
}

TEST_CASE("an oversized state file is reported") {
  temp_dir dir;
  write_text(dir / "state", std::string(10000, 'x'));
  file_store store{dir.path()};
  CHECK_THAT(load_error(store), Contains(":1: file is larger than 4096 bytes"));
}

TEST_CASE("an unreadable state file is reported") {
  // A directory where the file should be: open() works, read() fails, even for root.
  temp_dir dir;
  std::filesystem::create_directory(dir / "state");
  file_store store{dir.path()};
  CHECK_THAT(load_error(store), Equals(dir / "state" + ":1: cannot read: Is a directory"));
}

TEST_CASE("an unwritable data directory is a clear error") {
  temp_dir dir;
  const std::string data = dir / "data";
  std::filesystem::create_directory(data);
  write_text(data + "/state", raft::encode_state(0, std::nullopt));
  ::chmod(dir.path().c_str(), 0755);
  ::chmod(data.c_str(), 0555);
  const std::string expected = data + ": data directory is not writable: Permission denied";
  if (::geteuid() != 0) {
    CHECK_THROWS_WITH(file_store{data}, Equals(expected));
    return;
  }
  // Root ignores permission bits: try as the unprivileged user "nobody" in a child process,
  // which sends the error message back through a pipe.
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(fds[0]);
    std::string message = "no error";
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) {
      message = "cannot become nobody";
    } else {
      try {
        file_store store{data};
      } catch (const std::exception& e) {
        message = e.what();
      }
    }
    (void) ::write(fds[1], message.data(), message.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string message;
  char buffer[512];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;)
    message.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(message == expected);
}

TEST_CASE("a data directory that cannot be created is a clear error") {
  temp_dir dir;
  write_text(dir / "file", "not a directory");
  const std::string data = dir / "file/data";
  CHECK_THROWS_WITH(file_store::initialize(data),
                    Contains(data + ": cannot create data directory: ") &&
                        Contains("Not a directory"));
}

TEST_CASE("a data directory path naming a file is a clear error") {
  temp_dir dir;
  write_text(dir / "file", "not a directory");
  CHECK_THROWS_WITH(file_store{dir / "file"},
                    Contains(dir / "file") &&
                        Contains("not a directory", Catch::CaseSensitive::No));
  CHECK_THROWS_WITH(file_store::initialize(dir / "file"),
                    Contains(dir / "file") &&
                        Contains("not a directory", Catch::CaseSensitive::No));
  CHECK(read_text(dir / "file") == "not a directory");
}

TEST_CASE("a save that cannot write is a clear error and keeps the previous state") {
  temp_dir dir;
  file_store::initialize(dir.path());
  file_store store{dir.path()};
  store.save(4, 2);
  // A directory where the temporary file goes makes its creation fail, even for root.
  std::filesystem::create_directory(dir / "state.tmp");
  CHECK_THROWS_WITH(store.save(5, 3),
                    Equals(dir / "state.tmp" + ": cannot create: Is a directory"));
  std::filesystem::remove(dir / "state.tmp");
  const auto state = store.load();
  CHECK(state.current_term == 4);
  CHECK(state.voted_for == std::optional<raft::peer_id>{2});
}

TEST_CASE("a state file holding a term at or above 2^63 is refused on load and left untouched") {
  temp_dir dir;
  const std::string text = raft::encode_state(raft::max_term, 3);  // a valid checksum
  write_text(dir / "state", text);
  file_store store{dir.path()};
  CHECK_THAT(load_error(store),
             Equals(dir / "state" + ":2: term 9223372036854775808 is at or above the term "
                                    "ceiling 2^63 (9223372036854775808)"));
  CHECK(read_text(dir / "state") == text);
}

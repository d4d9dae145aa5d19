#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "storage/file_store.hpp"
#include "temp_dir.hpp"

using raft::file_store;
using raft::state_exists;
using raft::state_missing;
using raft_test::read_text;
using raft_test::temp_dir;
using raft_test::write_text;
using Catch::Matchers::Equals;

namespace {

/// The names in `dir`, sorted.
std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

} // namespace

TEST_CASE("an initialised data directory loads as term 0 with no vote") {
  temp_dir dir;
  file_store::initialize(dir.path());
  CHECK(read_text(dir / "state") == raft::encode_state(0, std::nullopt));
  file_store store{dir.path()};
  const auto state = store.load();
  CHECK(state.current_term == 0);
  CHECK_FALSE(state.voted_for.has_value());
  CHECK(state.log.empty());
}

TEST_CASE("initialising creates a missing data directory with its parents") {
  temp_dir dir;
  const std::string nested = dir / "a/b/c";
  file_store::initialize(nested);
  CHECK(std::filesystem::is_directory(nested));
  {
    file_store store{nested};
    CHECK(store.load().current_term == 0);
    store.save(2, 1);
  }
  file_store reopened{nested};
  CHECK(reopened.load().current_term == 2);
}

TEST_CASE("opening a missing data directory is refused and creates nothing") {
  temp_dir dir;
  const std::string data = dir / "data";
  CHECK_THROWS_AS(file_store{data}, state_missing);
  CHECK_THROWS_WITH(file_store{data}, Equals(data + ": data directory does not exist"));
  CHECK_FALSE(std::filesystem::exists(data));
}

TEST_CASE("opening a data directory without a state file is refused and creates nothing") {
  // An empty mount point (the volume not mounted) looks exactly like this.
  temp_dir dir;
  CHECK_THROWS_AS(file_store{dir.path()}, state_missing);
  CHECK_THROWS_WITH(file_store{dir.path()}, Equals(dir / "state" + ": no state file"));
  CHECK(entries(dir.path()).empty());
}

TEST_CASE("initialising refuses an existing state file and leaves its bytes untouched") {
  temp_dir dir;
  {
    file_store::initialize(dir.path());
    file_store store{dir.path()};
    store.save(5, 2);
  }
  const std::string saved = read_text(dir / "state");
  CHECK_THROWS_AS(file_store::initialize(dir.path()), state_exists);
  CHECK_THROWS_WITH(file_store::initialize(dir.path()),
                    Equals(dir / "state" + ": a state file already exists (left untouched)"));
  CHECK(read_text(dir / "state") == saved);
  CHECK_FALSE(std::filesystem::exists(dir / "state.tmp"));
  file_store store{dir.path()};
  CHECK(store.load().current_term == 5);

  SECTION("a corrupt one too") {
    temp_dir other;
    write_text(other / "state", "garbage");
    CHECK_THROWS_AS(file_store::initialize(other.path()), state_exists);
    CHECK(read_text(other / "state") == "garbage");
  }
}

TEST_CASE("initialising a data directory in use is refused") {
  temp_dir dir;
  file_store::initialize(dir.path());
  file_store store{dir.path()};
  store.save(3, 1);
  CHECK_THROWS_AS(file_store::initialize(dir.path()), raft::data_dir_in_use);
  CHECK(store.load().current_term == 3);
}

TEST_CASE("a state file removed while the store is open is refused on load, never reset") {
  temp_dir dir;
  file_store::initialize(dir.path());
  file_store store{dir.path()};
  store.save(4, 1);
  std::filesystem::remove(dir / "state");
  CHECK_THROWS_AS(store.load(), state_missing);
  CHECK_THROWS_WITH(store.load(), Equals(dir / "state" + ": no state file"));
}

TEST_CASE("a saved term and vote survive reopening the store") {
  temp_dir dir;
  file_store::initialize(dir.path());
  {
    file_store store{dir.path()};
    store.save(5, 2);
  }
  file_store reopened{dir.path()};
  const auto state = reopened.load();
  CHECK(state.current_term == 5);
  CHECK(state.voted_for == std::optional<raft::peer_id>{2});
}

TEST_CASE("a save without a vote is read back as no vote") {
  temp_dir dir;
  file_store::initialize(dir.path());
  file_store store{dir.path()};
  store.save(3, 1);
  store.save(4, std::nullopt);
  const auto state = store.load();
  CHECK(state.current_term == 4);
  CHECK_FALSE(state.voted_for.has_value());
}

TEST_CASE("only the last of many saves is kept") {
  temp_dir dir;
  file_store::initialize(dir.path());
  file_store store{dir.path()};
  for (raft::term_t t = 1; t <= 50; ++t) store.save(t, static_cast<raft::peer_id>(t % 3 + 1));
  const auto state = store.load();
  CHECK(state.current_term == 50);
  CHECK(state.voted_for == std::optional<raft::peer_id>{3});
}

TEST_CASE("the state file on disk is the documented text") {
  temp_dir dir;
  file_store::initialize(dir.path());
  file_store store{dir.path()};
  store.save(5, 2);
  CHECK(store.state_path() == dir / "state");
  CHECK(read_text(dir / "state") == raft::encode_state(5, 2));
  CHECK_THAT(read_text(dir / "state"),
             Catch::Matchers::StartsWith("raft-state v1\nterm 5\nvote 2\ncrc32 "));
}

TEST_CASE("no temporary file is left behind after a save") {
  temp_dir dir;
  file_store::initialize(dir.path());
  CHECK(entries(dir.path()) == std::vector<std::string>{"lock", "state"});
  file_store store{dir.path()};
  store.save(1, 1);
  store.save(2, std::nullopt);
  CHECK(entries(dir.path()) == std::vector<std::string>{"lock", "state"});
}

TEST_CASE("a leftover temporary file alone is no state, and initialising replaces it") {
  // A crash during the first save of an initialisation leaves only state.tmp: the
  // initialisation never completed, so the node is still uninitialised and nothing was
  // promised to anyone.
  temp_dir dir;
  write_text(dir / "state.tmp", "raft-state v1\nterm 9");
  CHECK_THROWS_AS(file_store{dir.path()}, state_missing);
  file_store::initialize(dir.path());
  file_store store{dir.path()};
  const auto state = store.load();
  CHECK(state.current_term == 0);
  CHECK_FALSE(state.voted_for.has_value());
  CHECK_FALSE(std::filesystem::exists(dir / "state.tmp"));
}

TEST_CASE("a leftover temporary file does not hide the saved state") {
  temp_dir dir;
  file_store::initialize(dir.path());
  {
    file_store store{dir.path()};
    store.save(6, 3);
  }
  write_text(dir / "state.tmp", "garbage");
  file_store store{dir.path()};
  CHECK(store.load().current_term == 6);
  store.save(7, std::nullopt);
  CHECK(store.load().current_term == 7);
  CHECK_FALSE(std::filesystem::exists(dir / "state.tmp"));
}

TEST_CASE("a relative data directory works") {
  temp_dir dir;
  const auto old_cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  {
    file_store::initialize("node-1");
    file_store store{"node-1"};
    store.save(11, 1);
    CHECK(store.load().current_term == 11);
  }
  std::filesystem::current_path(old_cwd);
  CHECK(std::filesystem::exists(dir / "node-1/state"));
}

TEST_CASE("a term at or above 2^63 is never saved and the previous state stays") {
  temp_dir dir;
  file_store::initialize(dir.path());
  file_store store{dir.path()};
  store.save(raft::max_term - 1, 1);
  const std::string before = read_text(dir / "state");
  for (raft::term_t term : {raft::max_term, raft::term_t{18446744073709551615u}}) {
    CAPTURE(term);
    CHECK_THROWS_WITH(store.save(term, 2),
                      Equals(dir / "state" + ": refusing to save term " + std::to_string(term) +
                             ": at or above the term ceiling 2^63 (max_term)"));
    CHECK(read_text(dir / "state") == before);
    CHECK_FALSE(std::filesystem::exists(dir / "state.tmp"));
  }
  CHECK(store.load().current_term == raft::max_term - 1);
}

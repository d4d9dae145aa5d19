#include <catch2/catch.hpp>

#include <filesystem>

#include "storage/file_store.hpp"
#include "temp_dir.hpp"

using raft::file_store;
using raft_test::read_text;
using raft_test::temp_dir;
using raft_test::write_text;

TEST_CASE("a fresh data directory loads as term 0 with no vote") {
  temp_dir dir;
  file_store store{dir.path()};
  const auto state = store.load();
  CHECK(state.current_term == 0);
  CHECK_FALSE(state.voted_for.has_value());
  CHECK(state.log.empty());
}

TEST_CASE("a saved term and vote survive reopening the store") {
  temp_dir dir;
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
  file_store store{dir.path()};
  store.save(3, 1);
  store.save(4, std::nullopt);
  const auto state = store.load();
  CHECK(state.current_term == 4);
  CHECK_FALSE(state.voted_for.has_value());
}

TEST_CASE("only the last of many saves is kept") {
  temp_dir dir;
  file_store store{dir.path()};
  for (raft::term_t t = 1; t <= 50; ++t) store.save(t, static_cast<raft::peer_id>(t % 3 + 1));
  const auto state = store.load();
  CHECK(state.current_term == 50);
  CHECK(state.voted_for == std::optional<raft::peer_id>{3});
}

TEST_CASE("the state file on disk is the documented text") {
  temp_dir dir;
  file_store store{dir.path()};
  store.save(5, 2);
  CHECK(store.state_path() == dir / "state");
  CHECK(read_text(dir / "state") == raft::encode_state(5, 2));
  CHECK_THAT(read_text(dir / "state"),
             Catch::Matchers::StartsWith("raft-state v1\nterm 5\nvote 2\ncrc32 "));
}

TEST_CASE("no temporary file is left behind after a save") {
  temp_dir dir;
  file_store store{dir.path()};
  store.save(1, 1);
  store.save(2, std::nullopt);
  CHECK_FALSE(std::filesystem::exists(dir / "state.tmp"));
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"lock", "state"});
}

TEST_CASE("a leftover temporary file alone loads as a fresh state") {
  // A crash between creating the temporary file and the rename leaves only state.tmp: the
  // save never completed, so nothing was promised to anyone.
  temp_dir dir;
  write_text(dir / "state.tmp", "raft-state v1\nterm 9");
  file_store store{dir.path()};
  const auto state = store.load();
  CHECK(state.current_term == 0);
  CHECK_FALSE(state.voted_for.has_value());
}

TEST_CASE("a leftover temporary file does not hide the saved state") {
  temp_dir dir;
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

TEST_CASE("a missing data directory is created with its parents") {
  temp_dir dir;
  const std::string nested = dir / "a/b/c";
  {
    file_store store{nested};
    CHECK(std::filesystem::is_directory(nested));
    store.save(2, 1);
  }
  file_store reopened{nested};
  CHECK(reopened.load().current_term == 2);
}

TEST_CASE("a relative data directory works") {
  temp_dir dir;
  const auto old_cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  {
    file_store store{"node-1"};
    store.save(11, 1);
    CHECK(store.load().current_term == 11);
  }
  std::filesystem::current_path(old_cwd);
  CHECK(std::filesystem::exists(dir / "node-1/state"));
}

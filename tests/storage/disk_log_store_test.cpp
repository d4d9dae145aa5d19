#include <catch2/catch.hpp>

#include "log_test_support.hpp"
#include "storage/file_store.hpp"
#include "storage/log_format.hpp"
#include "storage/posix_fs.hpp"
#include "storage/state_file.hpp"
#include "temp_dir.hpp"

using raft::disk_log_store;
using raft::log_entry;
using raft_test::crash_disk;
using raft_test::entries;

namespace {

std::string seg(raft::log_index first) { return raft::log_format::segment_name(first); }

} // namespace

TEST_CASE("a fresh log loads empty with the saved term and vote") {
  crash_disk disk;
  disk.hard->save(3, 2);
  auto [store, state] = disk.restart();
  CHECK(state.current_term == 3);
  CHECK(state.voted_for == std::optional<raft::peer_id>{2});
  CHECK(state.snapshot_index == 0);
  CHECK(state.entries.empty());
  CHECK(store->last_index() == 0);
  CHECK(store->term_at(0) == 0);
}

TEST_CASE("synced entries, term and vote come back after a restart") {
  crash_disk disk;
  const auto batch1 = entries(1, 10, 1);
  const auto batch2 = entries(11, 5, 2);
  {
    auto [store, state] = disk.restart();
    store->save_hard_state(1, 1);
    store->append(1, batch1);
    store->save_hard_state(2, std::nullopt);
    store->append(11, batch2);
    store->sync();
    CHECK(store->last_index() == 15);
    CHECK(store->term_at(11) == 2);
  }
  disk.fs->crash();
  auto [store, state] = disk.restart();
  CHECK(state.current_term == 2);
  CHECK_FALSE(state.voted_for.has_value());
  auto expected = batch1;
  expected.insert(expected.end(), batch2.begin(), batch2.end());
  CHECK(state.entries == expected);
  CHECK(store->last_index() == 15);
  CHECK(store->term_at(10) == 1);
  CHECK(store->term_at(15) == 2);
  CHECK(store->recovery_notes().empty());
}

TEST_CASE("the log round-trips through real files with file_store keeping term and vote") {
  raft_test::temp_dir dir;
  auto files = std::make_shared<raft::posix_fs>();
  raft::file_store::initialize(dir.path());
  disk_log_store::init(*files, dir.path());
  const auto batch = entries(1, 200, 4);
  {
    auto hard = std::make_shared<raft::file_store>(dir.path());
    disk_log_store store{files, dir.path(), hard, raft::disk_log_options{512}};
    store.load();
    store.save_hard_state(4, 3);
    store.append(1, batch);
    store.sync();
    CHECK(std::filesystem::exists(dir / ("log/" + seg(1))));
  }
  auto hard = std::make_shared<raft::file_store>(dir.path());
  disk_log_store store{files, dir.path(), hard, raft::disk_log_options{512}};
  const auto state = store.load();
  CHECK(state.current_term == 4);
  CHECK(state.voted_for == std::optional<raft::peer_id>{3});
  CHECK(state.entries == batch);
  CHECK(files->list(dir / "log").size() > 10);  // rolled at 512 bytes
}

TEST_CASE("a batch of appends is made durable by one fdatasync of the one file it touched") {
  crash_disk disk;
  auto [store, state] = disk.restart();
  store->save_hard_state(1, std::nullopt);
  store->append(1, entries(1, 1, 1));
  store->sync();  // creates the first segment
  const auto syncs = disk.fs->datasyncs();
  const auto dir_syncs = disk.fs->dir_syncs();
  for (raft::log_index i = 2; i <= 101; ++i) store->append(i, entries(i, 1, 1));
  CHECK(disk.fs->datasyncs() == syncs);  // appends are buffered
  store->sync();
  CHECK(disk.fs->datasyncs() == syncs + 1);
  CHECK(disk.fs->datasyncs_of("/d/log/" + seg(1)) == 2);
  CHECK(disk.fs->dir_syncs() == dir_syncs);
  store->sync();  // nothing pending: no I/O at all
  CHECK(disk.fs->datasyncs() == syncs + 1);
  CHECK(disk.fs->dir_syncs() == dir_syncs);
}

TEST_CASE("a batch spanning segments costs one fdatasync per segment and one directory fsync per new one") {
  crash_disk disk{300};
  auto [store, state] = disk.restart();
  store->save_hard_state(1, std::nullopt);
  store->append(1, entries(1, 40, 1));
  store->sync();
  const auto files = disk.segments();
  REQUIRE(files.size() >= 3);
  CHECK(disk.fs->datasyncs() == files.size());
  CHECK(disk.fs->dir_syncs() == 4 + files.size());  // crash_disk's two, load's two, one per segment
  for (const auto& name : files) {
    CHECK(disk.fs->datasyncs_of("/d/log/" + name) == 1);
    CHECK(disk.fs->read("/d/log/" + name)->size() <= 300);
  }
}

TEST_CASE("segments are named by their first index and hold contiguous records") {
  crash_disk disk{200};
  {
    auto [store, state] = disk.restart();
    store->save_hard_state(1, std::nullopt);
    for (raft::log_index i = 1; i <= 30; ++i) {
      store->append(i, entries(i, 1, 1));
      store->sync();
    }
  }
  raft::log_index expected = 1;
  const auto files = disk.segments();
  for (std::size_t k = 0; k < files.size(); ++k) {
    CHECK(files[k] == seg(expected));
    const auto scan = raft::log_format::scan_segment(*disk.fs->read("/d/log/" + files[k]), files[k],
                                                     expected, k + 1 == files.size());
    CHECK_FALSE(scan.torn);
    expected += scan.records.size();
  }
  CHECK(expected == 31);
}

TEST_CASE("a record larger than the segment limit gets a segment of its own") {
  crash_disk disk{100};
  {
    auto [store, state] = disk.restart();
    store->save_hard_state(1, std::nullopt);
    store->append(1, {log_entry{1, "small"}, log_entry{1, std::string(500, 'x')}, log_entry{1, "after"}});
    store->sync();
  }
  CHECK(disk.segments() == std::vector<std::string>{seg(1), seg(2), seg(3)});
  auto [store, state] = disk.restart();
  REQUIRE(state.entries.size() == 3);
  CHECK(state.entries[1].command == std::string(500, 'x'));
}

TEST_CASE("a snapshot removes the segments it covers entirely and a restart starts from it") {
  crash_disk disk{200};
  const auto all = entries(1, 40, 2);
  std::vector<std::string> before;
  {
    auto [store, state] = disk.restart();
    store->save_hard_state(2, std::nullopt);
    store->append(1, all);
    store->sync();
    before = disk.segments();
    store->save_snapshot(17, 2, "snapshot at 17");
    CHECK(store->snapshot_index() == 17);
    CHECK(store->term_at(17) == 2);
    CHECK(store->last_index() == 40);
  }
  const auto after = disk.segments();
  REQUIRE(after.size() < before.size());
  // The first segment left holds entry 18; every earlier one is gone.
  const auto first = *raft::log_format::parse_segment_name(after.front());
  CHECK(first <= 18);
  CHECK(std::find(before.begin(), before.end(), after.front()) != before.end());
  for (const auto& name : before)
    if (*raft::log_format::parse_segment_name(name) < first)
      CHECK(std::find(after.begin(), after.end(), name) == after.end());
  if (after.size() > 1) CHECK(*raft::log_format::parse_segment_name(after[1]) > 18);

  disk.fs->crash();
  auto [store, state] = disk.restart();
  CHECK(state.snapshot_index == 17);
  CHECK(state.snapshot_term == 2);
  CHECK(state.snapshot == "snapshot at 17");
  CHECK(state.entries == std::vector<log_entry>(all.begin() + 17, all.end()));
  store->append(41, entries(41, 2, 2));
  store->sync();
}

TEST_CASE("a snapshot beyond the log empties it and the next append starts a segment after it") {
  crash_disk disk{200};
  {
    auto [store, state] = disk.restart();
    store->save_hard_state(3, std::nullopt);
    store->append(1, entries(1, 20, 1));
    store->sync();
    store->save_snapshot(50, 3, "installed");
    CHECK(store->last_index() == 50);
    CHECK(disk.segments().empty());
    store->append(51, entries(51, 3, 3));
    store->sync();
    CHECK(disk.segments() == std::vector<std::string>{seg(51)});
  }
  disk.fs->crash();
  auto [store, state] = disk.restart();
  CHECK(state.snapshot_index == 50);
  CHECK(state.entries == entries(51, 3, 3));
}

TEST_CASE("covered segments that a crash brought back are ignored and removed on load") {
  crash_disk disk{200};
  {
    auto [store, state] = disk.restart();
    store->save_hard_state(1, std::nullopt);
    store->append(1, entries(1, 40, 1));
    store->sync();
    store->save_snapshot(30, 1, "s");  // the removals are not fsynced until the next sync
  }
  const auto files_before_crash = disk.segments();
  disk.fs->crash();
  REQUIRE(disk.segments().size() > files_before_crash.size());
  auto [store, state] = disk.restart();
  CHECK(state.snapshot_index == 30);
  CHECK(state.entries == std::vector<log_entry>(entries(31, 10, 1)));
  CHECK(disk.segments() == files_before_crash);
  REQUIRE(store->recovery_notes().size() == 1);
  CHECK_THAT(store->recovery_notes()[0], Catch::Matchers::Contains("holding no entry after index 30"));
}

TEST_CASE("size_bytes counts the synced records after the snapshot and the state file") {
  crash_disk disk{300};
  auto [store, state] = disk.restart();
  store->save_hard_state(1, 1);
  const auto state_bytes = raft::encode_state(1, 1).size();
  CHECK(store->size_bytes() == state_bytes);
  const auto batch = entries(1, 30, 1);
  std::uint64_t records = 0;
  for (const auto& e : batch) records += raft::log_format::record_size(e.command.size());
  store->append(1, batch);
  CHECK(store->size_bytes() == state_bytes);  // not synced yet
  store->sync();
  CHECK(store->size_bytes() == state_bytes + records);
  store->save_snapshot(20, 1, "s");
  std::uint64_t after = 0;
  for (std::size_t k = 20; k < 30; ++k) after += raft::log_format::record_size(batch[k].command.size());
  CHECK(store->size_bytes() == state_bytes + after);
  store->truncate_suffix(26);
  store->sync();
  std::uint64_t kept = 0;
  for (std::size_t k = 20; k < 25; ++k) kept += raft::log_format::record_size(batch[k].command.size());
  CHECK(store->size_bytes() == state_bytes + kept);
}

TEST_CASE("calls that break the log's rules are refused and change nothing") {
  crash_disk disk;
  auto [store, state] = disk.restart();
  store->save_hard_state(2, std::nullopt);
  store->append(1, entries(1, 3, 2));
  CHECK_THROWS_WITH(store->append(5, entries(5, 1, 2)),
                    "log_store: append at index 5, but the log ends at 3 (entries are contiguous)");
  CHECK_THROWS_WITH(store->append(4, entries(4, 1, 1)),
                    Catch::Matchers::Contains("terms never decrease along a log"));
  CHECK_THROWS_WITH(store->append(4, entries(4, 1, 3)),
                    Catch::Matchers::Contains("above the saved current term 2 (save_hard_state first)"));
  CHECK_THROWS_AS(store->save_hard_state(1, std::nullopt), std::invalid_argument);
  CHECK_THROWS_AS(store->save_hard_state(raft::max_term, std::nullopt), std::invalid_argument);
  store->sync();
  store->save_snapshot(2, 2, "s");
  CHECK_THROWS_WITH(store->truncate_suffix(2), Catch::Matchers::Contains("the snapshot covers up to 2"));
  CHECK_THROWS_AS(store->save_snapshot(2, 2, "again"), std::invalid_argument);
  CHECK_THROWS_AS(store->save_snapshot(3, 1, "older term"), std::invalid_argument);
  CHECK(store->last_index() == 3);
  store->append(4, entries(4, 1, 2));  // still usable
  store->sync();
}

TEST_CASE("a snapshot whose term the log contradicts is refused until the log is truncated") {
  crash_disk disk;
  auto [store, state] = disk.restart();
  store->save_hard_state(3, std::nullopt);
  store->append(1, entries(1, 5, 1));
  CHECK_THROWS_WITH(store->save_snapshot(4, 3, "s"),
                    Catch::Matchers::Contains("truncate the conflicting log first"));
  store->truncate_suffix(1);
  store->save_snapshot(4, 3, "s");
  CHECK(store->last_index() == 4);
}

TEST_CASE("a log store needs an initialised data directory and refuses a second init") {
  raft::crash_fs files;
  auto shared = std::make_shared<raft::crash_fs>();
  shared->make_dir("/d");
  CHECK_THROWS_WITH(disk_log_store(shared, "/d", std::make_shared<raft::memory_store>()),
                    Catch::Matchers::StartsWith("/d/log: no log directory"));
  CHECK_THROWS_WITH(disk_log_store::init(*shared, "/missing"), "/missing: no such data directory");
  disk_log_store::init(*shared, "/d");
  CHECK_THROWS_WITH(disk_log_store::init(*shared, "/d"), Catch::Matchers::StartsWith("/d/log: already exists"));
}

TEST_CASE("init survives a power cut right after it returns") {
  crash_disk disk;  // init ran
  disk.fs->crash();
  CHECK(disk.fs->is_dir("/d/log"));
  CHECK_NOTHROW(disk.restart());
}

TEST_CASE("a second store on the same data directory is refused") {
  raft_test::temp_dir dir;
  auto files = std::make_shared<raft::posix_fs>();
  disk_log_store::init(*files, dir.path());
  auto hard = std::make_shared<raft::memory_store>();
  disk_log_store first{files, dir.path(), hard};
  CHECK_THROWS_WITH(disk_log_store(files, dir.path(), hard),
                    dir.path() + "/log: in use by another log store (the directory is locked)");
}

TEST_CASE("calls before load are refused") {
  crash_disk disk;
  auto store = disk.open();
  CHECK_THROWS_AS(store->append(1, entries(1, 1, 1)), std::logic_error);
  CHECK_THROWS_AS(store->sync(), std::logic_error);
  store->load();
  CHECK_THROWS_AS(store->load(), std::logic_error);
}

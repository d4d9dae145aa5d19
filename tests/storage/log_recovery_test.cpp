#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include "log_test_support.hpp"
#include "storage/log_format.hpp"
#include "storage/posix_fs.hpp"
#include "temp_dir.hpp"

using raft::corrupt_log;
using raft::disk_log_store;
using raft::log_entry;
using raft_test::crash_disk;
using raft_test::entries;

namespace {

namespace lf = raft::log_format;

std::string seg(raft::log_index first) { return lf::segment_name(first); }

/// Every file under `dir` of `f` with its bytes.
std::map<std::string, std::string> snapshot_of(raft::fs& f, const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& name : f.list(dir)) {
    const std::string path = dir + "/" + name;
    if (f.is_dir(path))
      for (auto& [p, bytes] : snapshot_of(f, path)) files[p] = bytes;
    else
      files[path] = *f.read(path);
  }
  return files;
}

/// Overwrites `path` durably with `bytes` (as damage would leave it).
void overwrite(raft::fs& f, const std::string& path, const std::string& bytes) {
  auto file = f.open(path, raft::fs::open_mode::create_or_truncate);
  file->write_at(0, bytes);
  file->datasync();
}

/// A crash_disk holding entries 1..n of term 1, synced, with small segments.
crash_disk disk_with(std::size_t n, std::uint64_t segment_bytes = 400) {
  crash_disk disk{segment_bytes};
  auto [store, state] = disk.restart();
  store->save_hard_state(1, std::nullopt);
  store->append(1, entries(1, n, 1));
  store->sync();
  return disk;
}

/// Expects load() of `disk` to throw corrupt_log with exactly `message`, rewriting nothing.
void expect_refused(const crash_disk& disk, const std::string& message) {
  const auto before = snapshot_of(*disk.fs, "/d");
  auto store = disk.open();
  CHECK_THROWS_MATCHES(store->load(), corrupt_log, Catch::Matchers::Message(message));
  CHECK(snapshot_of(*disk.fs, "/d") == before);
  CHECK(message.find('\n') == std::string::npos);
}

} // namespace

TEST_CASE("a torn last record is cut at every byte it could have been torn at") {
  // Entries 1..9 synced; entry 10 is written, and the power is cut before its fdatasync
  // returns, keeping 0 .. all of its bytes.
  const log_entry last{1, std::string(40, 'L')};
  const auto record = lf::record_size(last.command.size());
  for (std::uint64_t kept = 0; kept <= record; ++kept) {
    crash_disk disk = disk_with(9, 1 << 20);
    {
      auto [store, state] = disk.restart();
      store->append(10, {last});
      disk.fs->power_cut_after(1);  // the write happens, the fdatasync does not
      CHECK_THROWS_AS(store->sync(), raft::power_cut);
    }
    disk.fs->crash_keeping(kept);
    const std::uint64_t size = disk.fs->read("/d/log/" + seg(1))->size();
    auto [store, state] = disk.restart();
    auto expected = entries(1, 9, 1);
    if (kept == record) expected.push_back(last);
    CHECK(state.entries == expected);
    CHECK(store->recovery_notes().size() == (kept == 0 || kept == record ? 0u : 1u));
    // The cut was made durable before load returned: another power cut changes nothing.
    disk.fs->crash();
    CHECK(disk.fs->read("/d/log/" + seg(1))->size() == size - (kept == record ? 0 : kept));
    store = disk.open();
    CHECK(store->load().entries == expected);
    store->append(state.last_index() + 1, entries(state.last_index() + 1, 1, 1));
    store->sync();
  }
}

TEST_CASE("a torn last record in real files is cut at every byte position") {
  raft_test::temp_dir dir;
  auto files = std::make_shared<raft::posix_fs>();
  disk_log_store::init(*files, dir.path());
  auto hard = std::make_shared<raft::memory_store>();
  hard->save(1, std::nullopt);
  {
    disk_log_store store{files, dir.path(), hard};
    store.load();
    store.append(1, entries(1, 10, 1));
    store.sync();
  }
  const std::string path = dir / ("log/" + seg(1));
  const std::string whole = raft_test::read_text(path);
  const std::uint64_t last_start = whole.size() - lf::record_size(raft_test::command_for(10, 1).size());
  for (std::uint64_t cut = last_start; cut < whole.size(); ++cut) {
    raft_test::write_text(path, whole.substr(0, cut));
    disk_log_store store{files, dir.path(), hard};
    const auto state = store.load();
    CHECK(state.entries == entries(1, 9, 1));
    CHECK(std::filesystem::file_size(path) == last_start);
    CHECK((cut == last_start) == store.recovery_notes().empty());
  }
}

TEST_CASE("a last record that fails its checksum is cut as a torn write") {
  crash_disk disk = disk_with(10, 1 << 20);
  const std::string path = "/d/log/" + seg(1);
  std::string bytes = *disk.fs->read(path);
  bytes[bytes.size() - 2] ^= 0x01;  // inside entry 10's command
  overwrite(*disk.fs, path, bytes);
  auto [store, state] = disk.restart();
  CHECK(state.entries == entries(1, 9, 1));
  REQUIRE(store->recovery_notes().size() == 1);
  CHECK_THAT(store->recovery_notes()[0], Catch::Matchers::Contains("last record fails its checksum"));
}

TEST_CASE("a zero-filled tail after the last record is cut") {
  crash_disk disk = disk_with(10, 1 << 20);
  const std::string path = "/d/log/" + seg(1);
  overwrite(*disk.fs, path, *disk.fs->read(path) + std::string(4096, '\0'));
  auto [store, state] = disk.restart();
  CHECK(state.entries == entries(1, 10, 1));
  CHECK_THAT(store->recovery_notes().at(0), Catch::Matchers::Contains("zero-filled tail"));
}

TEST_CASE("a new last segment torn before the end of its first record is removed") {
  // A roll created segment 6 and the power was cut before its fdatasync, but its name and
  // some of its bytes reached the disk: every length from empty to one byte short of a record.
  std::string whole{lf::segment_magic};
  lf::append_record(whole, 6, 1, raft_test::command_for(6, 1));
  for (std::size_t kept = 0; kept < whole.size(); ++kept) {
    crash_disk disk = disk_with(5, 1 << 20);
    overwrite(*disk.fs, "/d/log/" + seg(6), whole.substr(0, kept));
    disk.fs->sync_dir("/d/log");
    auto [store, state] = disk.restart();
    CHECK(state.entries == entries(1, 5, 1));
    CHECK(disk.segments() == std::vector<std::string>{seg(1)});
    disk.fs->crash();  // the removal was made durable before load returned
    CHECK(disk.segments() == std::vector<std::string>{seg(1)});
  }
}

TEST_CASE("a damaged record in the middle is refused and the files are left byte for byte") {
  crash_disk disk = disk_with(10, 1 << 20);
  const std::string path = "/d/log/" + seg(1);
  std::string bytes = *disk.fs->read(path);
  const auto scan = lf::scan_segment(bytes, path, 1, true);
  const auto offset = scan.records[4].offset;  // entry 5
  bytes[offset + lf::record_header_size] ^= 0x20;
  overwrite(*disk.fs, path, bytes);
  const auto computed = [&] {
    try {
      lf::scan_segment(bytes, path, 1, true);
    } catch (const corrupt_log& e) {
      return std::string{e.what()};
    }
    return std::string{};
  }();
  CHECK_THAT(computed, Catch::Matchers::Matches(
                           "/d/log/00000000000000000001\\.seg: record at offset " + std::to_string(offset) +
                           " \\(index 5\\): checksum mismatch: stored [0-9a-f]{8}, computed [0-9a-f]{8}"));
  expect_refused(disk, computed);
}

TEST_CASE("a damaged header in the middle is refused even when its length points past the end") {
  crash_disk disk = disk_with(10, 1 << 20);
  const std::string path = "/d/log/" + seg(1);
  std::string bytes = *disk.fs->read(path);
  const auto offset = lf::scan_segment(bytes, path, 1, true).records[7].offset;
  bytes[offset + 2] = '\x40';  // length of entry 8: megabytes, past the end of the file
  overwrite(*disk.fs, path, bytes);
  const auto before = snapshot_of(*disk.fs, "/d");
  auto store = disk.open();
  CHECK_THROWS_WITH(store->load(), Catch::Matchers::StartsWith(
                                       path + ": record at offset " + std::to_string(offset) +
                                       " (index 8): header checksum mismatch: stored "));
  CHECK(snapshot_of(*disk.fs, "/d") == before);
}

TEST_CASE("damage to the last record of a segment that is not the last is refused") {
  crash_disk disk = disk_with(30, 200);
  const auto files = disk.segments();
  REQUIRE(files.size() >= 3);
  const std::string path = "/d/log/" + files[1];
  std::string bytes = *disk.fs->read(path);
  bytes.back() ^= 0x01;
  overwrite(*disk.fs, path, bytes);
  const auto before = snapshot_of(*disk.fs, "/d");
  auto store = disk.open();
  CHECK_THROWS_WITH(store->load(), Catch::Matchers::StartsWith(path + ": record at offset ") &&
                                       Catch::Matchers::Contains("checksum mismatch"));
  CHECK(snapshot_of(*disk.fs, "/d") == before);

  // Cut short instead: also refused, since synced segments after it may hold acknowledged entries.
  overwrite(*disk.fs, path, bytes.substr(0, bytes.size() - 3));
  store.reset();
  store = disk.open();
  CHECK_THROWS_WITH(store->load(), Catch::Matchers::Contains("runs past the end of the file") &&
                                       Catch::Matchers::Contains("in a segment that is not the last"));
}

TEST_CASE("a missing segment is refused as a gap") {
  crash_disk disk = disk_with(30, 200);
  const auto files = disk.segments();
  REQUIRE(files.size() >= 3);
  disk.fs->remove("/d/log/" + files[1]);
  const auto second = *lf::parse_segment_name(files[1]);
  const auto third = *lf::parse_segment_name(files[2]);
  expect_refused(disk, "/d/log/" + files[2] + ": the segment starts at index " + std::to_string(third) +
                           ", but the one before it ends at " + std::to_string(second - 1) +
                           " (entries must be contiguous)");
}

TEST_CASE("a log that does not start at index 1 without a snapshot is refused") {
  crash_disk disk = disk_with(30, 200);
  const auto files = disk.segments();
  disk.fs->remove("/d/log/" + files[0]);
  const auto second = *lf::parse_segment_name(files[1]);
  expect_refused(disk, "/d/log/" + files[1] + ": the log starts at index " + std::to_string(second) +
                           ", but there is no snapshot: entries 1.." + std::to_string(second - 1) +
                           " are missing");
}

TEST_CASE("a stray file in the log directory is refused as a bad segment name") {
  crash_disk disk = disk_with(3);
  overwrite(*disk.fs, "/d/log/notes.txt", "hello");
  expect_refused(disk, "/d/log/notes.txt: not a log segment name (expected the first index as 20 "
                       "digits and .seg, e.g. 00000000000000000001.seg)");
}

TEST_CASE("a record with the wrong index is refused") {
  crash_disk disk = disk_with(3);
  std::string bytes{lf::segment_magic};
  lf::append_record(bytes, 1, 1, "a");
  lf::append_record(bytes, 3, 1, "c");  // a gap inside the segment
  overwrite(*disk.fs, "/d/log/" + seg(1), bytes);
  expect_refused(disk, "/d/log/" + seg(1) + ": record at offset 37 (index 2): the record holds index 3 "
                       "(records are contiguous from the index in the segment's name)");
}

TEST_CASE("a decreasing term along the log is refused") {
  crash_disk disk = disk_with(3);
  disk.hard->save(5, std::nullopt);
  std::string bytes{lf::segment_magic};
  lf::append_record(bytes, 1, 4, "a");
  lf::append_record(bytes, 2, 3, "b");
  overwrite(*disk.fs, "/d/log/" + seg(1), bytes);
  expect_refused(disk, "/d/log/" + seg(1) + ": record at offset 37 (index 2): term 3 is lower than the "
                       "previous entry's term 4 (terms never decrease along a log)");
}

TEST_CASE("a log term above the saved current term is refused") {
  crash_disk disk = disk_with(3);
  disk.hard->save(0, std::nullopt);  // a state file older than the log (memory_store allows it)
  expect_refused(disk, "/d/log/" + seg(1) + ": record at offset 8 (index 1): term 1 is above the saved "
                       "current term 0 (the state file is older than the log)");
}

TEST_CASE("an unknown segment format version is refused") {
  crash_disk disk = disk_with(3);
  std::string bytes = *disk.fs->read("/d/log/" + seg(1));
  bytes[7] = '2';
  overwrite(*disk.fs, "/d/log/" + seg(1), bytes);
  expect_refused(disk, "/d/log/" + seg(1) + ": unsupported segment format version '2' (this program reads RAFTLOG1)");
}

TEST_CASE("a damaged snapshot file is refused") {
  crash_disk disk = disk_with(20);
  {
    auto [store, state] = disk.restart();
    store->save_snapshot(10, 1, "snap");
  }
  std::string bytes = *disk.fs->read("/d/snapshot");
  bytes.back() ^= 0x01;
  overwrite(*disk.fs, "/d/snapshot", bytes);
  const auto before = snapshot_of(*disk.fs, "/d");
  auto store = disk.open();
  CHECK_THROWS_WITH(store->load(), Catch::Matchers::StartsWith("/d/snapshot: snapshot data checksum mismatch: stored "));
  CHECK(snapshot_of(*disk.fs, "/d") == before);
}

TEST_CASE("a lost snapshot file is refused when the log after it does not reach back to index 1") {
  crash_disk disk = disk_with(40, 200);
  {
    auto [store, state] = disk.restart();
    store->save_snapshot(30, 1, "snap");
    store->sync();  // the covered segments' removal is durable
  }
  disk.fs->remove("/d/snapshot");
  auto store = disk.open();
  CHECK_THROWS_WITH(store->load(), Catch::Matchers::Contains("but there is no snapshot: entries 1.."));
}

TEST_CASE("a leftover snapshot.tmp is removed on load") {
  crash_disk disk = disk_with(3);
  overwrite(*disk.fs, "/d/snapshot.tmp", "half a snapshot");
  disk.fs->sync_dir("/d");
  auto [store, state] = disk.restart();
  CHECK(state.entries == entries(1, 3, 1));
  CHECK_FALSE(disk.fs->read("/d/snapshot.tmp").has_value());
  disk.fs->crash();
  CHECK_FALSE(disk.fs->read("/d/snapshot.tmp").has_value());
}

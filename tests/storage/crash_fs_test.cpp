#include <catch2/catch.hpp>

#include <set>

#include "storage/crash_fs.hpp"

using raft::crash_fs;
using raft::fs;

namespace {

/// "/d" exists durably.
crash_fs with_dir() {
  crash_fs f;
  f.make_dir("/d");
  f.sync_dir("/");
  return f;
}

} // namespace

TEST_CASE("crash_fs loses a write that no fdatasync covered") {
  crash_fs f = with_dir();
  {
    auto file = f.open("/d/a", fs::open_mode::create_new);
    f.sync_dir("/d");
    file->write_at(0, "synced");
    file->datasync();
    file->write_at(6, " and not");
    CHECK(*f.read("/d/a") == "synced and not");
  }
  f.crash();
  CHECK(*f.read("/d/a") == "synced");
}

TEST_CASE("crash_fs loses a file whose directory entry no directory fsync covered") {
  crash_fs f = with_dir();
  auto file = f.open("/d/a", fs::open_mode::create_new);
  file->write_at(0, "data");
  file->datasync();
  f.crash();
  CHECK_FALSE(f.read("/d/a").has_value());
  CHECK(f.list("/d").empty());
}

TEST_CASE("crash_fs brings back a removed file until the directory is fsynced") {
  crash_fs f = with_dir();
  {
    auto file = f.open("/d/a", fs::open_mode::create_new);
    file->write_at(0, "old");
    file->datasync();
    f.sync_dir("/d");
  }
  f.remove("/d/a");
  CHECK_FALSE(f.read("/d/a").has_value());
  f.crash();
  CHECK(*f.read("/d/a") == "old");
  f.remove("/d/a");
  f.sync_dir("/d");
  f.crash();
  CHECK_FALSE(f.read("/d/a").has_value());
}

TEST_CASE("crash_fs keeps the old file under a name until a rename over it is fsynced") {
  crash_fs f = with_dir();
  for (const char* name : {"/d/x", "/d/x.tmp"}) {
    auto file = f.open(name, fs::open_mode::create_new);
    file->write_at(0, name);
    file->datasync();
  }
  f.sync_dir("/d");
  f.rename("/d/x.tmp", "/d/x");
  CHECK(*f.read("/d/x") == "/d/x.tmp");
  f.crash();
  CHECK(*f.read("/d/x") == "/d/x");
  CHECK(*f.read("/d/x.tmp") == "/d/x.tmp");
}

TEST_CASE("crash_fs makes a truncation durable only with fdatasync") {
  crash_fs f = with_dir();
  auto file = f.open("/d/a", fs::open_mode::create_new);
  f.sync_dir("/d");
  file->write_at(0, "0123456789");
  file->datasync();
  file->truncate(4);
  CHECK(file->size() == 4);
  f.crash();
  CHECK(*f.read("/d/a") == "0123456789");
  auto again = f.open("/d/a", fs::open_mode::existing);
  again->truncate(4);
  again->datasync();
  f.crash();
  CHECK(*f.read("/d/a") == "0123");
}

TEST_CASE("a torn crash keeps a prefix of the unsynced writes in issue order") {
  for (std::uint64_t keep = 0; keep <= 8; ++keep) {
    crash_fs f = with_dir();
    auto file = f.open("/d/a", fs::open_mode::create_new);
    f.sync_dir("/d");
    file->write_at(0, "base");
    file->datasync();
    file->write_at(4, "abcd");
    file->write_at(8, "efgh");
    f.crash_keeping(keep);
    CHECK(*f.read("/d/a") == std::string{"baseabcdefgh"}.substr(0, 4 + keep));
  }
}

TEST_CASE("crash_torn draws the kept prefix from its seed and repeats it for the same seed") {
  std::set<std::string> outcomes;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    std::string first_outcome;
    for (int run = 0; run < 2; ++run) {
      crash_fs f = with_dir();
      auto file = f.open("/d/a", fs::open_mode::create_new);
      f.sync_dir("/d");
      file->write_at(0, "abcdefgh");
      f.crash_torn(seed);
      const std::string now = *f.read("/d/a");
      CHECK(std::string{"abcdefgh"}.substr(0, now.size()) == now);
      if (run == 0) first_outcome = now;
      else CHECK(now == first_outcome);
    }
    outcomes.insert(first_outcome);
  }
  CHECK(outcomes.size() == 9);  // every cut from 0 to 8 bytes happens
}

TEST_CASE("after a failed fdatasync the writes it covered never become durable") {
  crash_fs f = with_dir();
  auto file = f.open("/d/a", fs::open_mode::create_new);
  f.sync_dir("/d");
  file->write_at(0, "kept");
  file->datasync();
  file->write_at(4, "lost");
  f.fail_next_datasync();
  CHECK_THROWS_WITH(file->datasync(), "/d/a: cannot fdatasync: Input/output error");
  CHECK(*f.read("/d/a") == "keptlost");  // the page cache still shows them
  file->datasync();                       // succeeds, but the kernel had marked them clean
  f.crash();
  CHECK(*f.read("/d/a") == "kept");
}

TEST_CASE("a failed write changes nothing") {
  crash_fs f = with_dir();
  auto file = f.open("/d/a", fs::open_mode::create_new);
  f.fail_next_write();
  CHECK_THROWS_WITH(file->write_at(0, "x"), "/d/a: cannot write: No space left on device");
  CHECK(file->size() == 0);
  file->write_at(0, "y");
  CHECK(*f.read("/d/a") == "y");
}

TEST_CASE("a power cut stops every call from its moment until the crash") {
  crash_fs f = with_dir();
  auto file = f.open("/d/a", fs::open_mode::create_new);
  const std::size_t before = f.mutations();
  f.power_cut_after(1);
  file->write_at(0, "x");
  CHECK_THROWS_AS(file->datasync(), raft::power_cut);
  CHECK(f.powered_off());
  CHECK_THROWS_AS(f.read("/d/a"), raft::power_cut);
  CHECK(f.mutations() == before + 1);
  f.crash();
  CHECK_FALSE(f.powered_off());
  CHECK_FALSE(f.read("/d/a").has_value());  // never synced into /d
  CHECK_THROWS_AS(file->write_at(0, "y"), std::logic_error);  // a handle of the dead process
}

TEST_CASE("crash_fs counts fdatasyncs per file and directory fsyncs") {
  crash_fs f = with_dir();
  auto a = f.open("/d/a", fs::open_mode::create_new);
  auto b = f.open("/d/b", fs::open_mode::create_new);
  a->datasync();
  a->datasync();
  b->datasync();
  f.sync_dir("/d");
  CHECK(f.datasyncs() == 3);
  CHECK(f.datasyncs_of("/d/a") == 2);
  CHECK(f.datasyncs_of("/d/b") == 1);
  CHECK(f.dir_syncs() == 2);  // with_dir's and this one
}

TEST_CASE("a directory lock is exclusive and released with its holder or by a crash") {
  crash_fs f = with_dir();
  {
    auto lock = f.lock("/d");
    CHECK_THROWS_WITH(f.lock("/d/"), "/d/: in use by another log store (the directory is locked)");
  }
  auto lock = f.lock("/d");
  f.crash();
  CHECK_NOTHROW(f.lock("/d"));
}

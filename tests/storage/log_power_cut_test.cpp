#include <catch2/catch.hpp>

#include "log_test_support.hpp"
#include "storage/log_format.hpp"

using raft::log_entry;
using raft::log_store_failed;
using raft_test::between;
using raft_test::crash_disk;
using raft_test::entries;
using raft_test::model_log;

namespace {

std::string seg(raft::log_index first) { return raft::log_format::segment_name(first); }

/// Entries 1..n of term 1, synced, in segments of `segment_bytes`; the current term is 3.
crash_disk disk_with(std::size_t n, std::uint64_t segment_bytes) {
  crash_disk disk{segment_bytes};
  auto [store, state] = disk.restart();
  store->save_hard_state(3, std::nullopt);
  store->append(1, entries(1, n, 1));
  store->sync();
  return disk;
}

model_log log_of(std::vector<log_entry> e) {
  model_log m;
  m.entries = std::move(e);
  return m;
}

model_log reload(const crash_disk& disk) { return model_log::of(disk.restart().second); }

/// Runs `operation` on a store over a fresh `make()` disk with the power cut after `step`
/// mutating calls, then crashes (torn by `seed` when it is odd). Returns whether the
/// operation finished before the cut, and the disk.
template <class Make, class Operation>
std::pair<bool, crash_disk> cut_at(Make make, std::size_t step, std::uint64_t seed, Operation operation) {
  crash_disk disk = make();
  bool finished = false;
  {
    auto [store, state] = disk.restart();
    disk.fs->power_cut_after(step);
    try {
      operation(*store);
      finished = true;
    } catch (const raft::power_cut&) {
      // the machine went down in the middle
    }
  }
  if (seed % 2 == 1)
    disk.fs->crash_torn(seed);
  else
    disk.fs->crash();
  return {finished, std::move(disk)};
}

} // namespace

TEST_CASE("a power cut after sync loses nothing that was synced") {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    crash_disk disk{300};
    std::vector<log_entry> synced;
    {
      auto [store, state] = disk.restart();
      store->save_hard_state(1, std::nullopt);
      for (raft::log_index first = 1; first < 60; first += 7) {
        const auto batch = entries(first, 7, 1);
        store->append(first, batch);
        store->sync();
        synced.insert(synced.end(), batch.begin(), batch.end());
      }
    }
    disk.fs->crash_torn(seed);
    CHECK(reload(disk) == log_of(synced));
  }
}

TEST_CASE("a power cut before sync loses only the entries appended since the last sync") {
  crash_disk disk = disk_with(10, 300);
  {
    auto [store, state] = disk.restart();
    store->append(11, entries(11, 20, 2));
    store->truncate_suffix(25);
  }
  disk.fs->crash();
  CHECK(reload(disk) == log_of(entries(1, 10, 1)));
}

TEST_CASE("a power cut at every step of a sync leaves the synced entries and a prefix of the batch") {
  const auto before = log_of(entries(1, 10, 1));
  auto after = before;
  after.append(entries(11, 30, 2));
  for (std::uint64_t seed = 0; seed < 2; ++seed) {
    for (std::size_t step = 0;; ++step) {
      auto [finished, disk] = cut_at([] { return disk_with(10, 200); }, step, seed + step * 2,
                                     [](raft::log_store& s) {
                                       s.append(11, entries(11, 30, 2));
                                       s.sync();
                                     });
      const auto recovered = reload(disk);
      CHECK(between(recovered, before, after));
      if (finished) {
        CHECK(recovered == after);
        break;
      }
    }
  }
}

TEST_CASE("entries a killed process wrote but never synced are made durable by the next load") {
  crash_disk disk = disk_with(5, 200);
  {
    auto [store, state] = disk.restart();
    store->append(6, entries(6, 30, 1));  // several new segments
    std::size_t step = 0;
    // Stop it before the last fdatasync and directory fsync of that sync.
    crash_disk probe = disk_with(5, 200);
    {
      auto [p, ps] = probe.restart();
      const auto start = probe.fs->mutations();
      p->append(6, entries(6, 30, 1));
      p->sync();
      step = probe.fs->mutations() - start - 2;
    }
    disk.fs->power_cut_after(step);
    CHECK_THROWS_AS(store->sync(), raft::power_cut);
  }
  disk.fs->kill_process();
  auto all = entries(1, 35, 1);
  CHECK(reload(disk) == log_of(all));  // load synced what it found
  disk.fs->crash();
  CHECK(reload(disk) == log_of(all));
}

TEST_CASE("a truncation across a segment boundary is durable after the next sync") {
  crash_disk disk = disk_with(40, 200);
  const auto files = disk.segments();
  REQUIRE(files.size() >= 5);
  // Cut in the middle of the second segment: the later segments go, the second is shortened.
  const raft::log_index second = *raft::log_format::parse_segment_name(files[1]);
  const raft::log_index from = second + 1;
  auto expected = entries(1, from - 1, 1);
  const auto replacement = entries(from, 3, 3);
  expected.insert(expected.end(), replacement.begin(), replacement.end());
  {
    auto [store, state] = disk.restart();
    store->truncate_suffix(from);
    CHECK(store->last_index() == from - 1);
    CHECK(store->term_at(from - 1) == 1);
    store->append(from, replacement);
    store->sync();
  }
  disk.fs->crash();
  const auto now = disk.segments();
  REQUIRE(now.size() >= 2);
  CHECK(now[0] == files[0]);
  CHECK(now[1] == files[1]);
  for (std::size_t k = 2; k < now.size(); ++k) CHECK(*raft::log_format::parse_segment_name(now[k]) >= from);
  CHECK(now.size() < files.size());
  CHECK(reload(disk) == log_of(expected));
}

TEST_CASE("a truncation at a segment's first index removes that segment") {
  crash_disk disk = disk_with(40, 200);
  const auto files = disk.segments();
  const raft::log_index third = *raft::log_format::parse_segment_name(files[2]);
  {
    auto [store, state] = disk.restart();
    store->truncate_suffix(third);
    store->sync();
  }
  disk.fs->crash();
  CHECK(disk.segments() == std::vector<std::string>{files[0], files[1]});
  CHECK(reload(disk) == log_of(entries(1, third - 1, 1)));
}

TEST_CASE("a power cut at every step of a truncation across segments never brings back a removed entry") {
  // The old log 1..40 has term 1 before `from` and term 2 from there on. It is replaced from
  // `from` on by 6 entries of term `replacement` (3: a newer leader's entries; 1: an older
  // term's entries that a later leader kept, Figure 8, so that a revived old entry would not
  // even break the order of terms), which a sync acknowledges; then 10 entries of term 3
  // follow. At every power cut the log is a prefix of the old log or of the new one (keeping
  // at least 1..from-1), never old entries after new ones; after the acknowledging sync,
  // between the new log and the newer one; after the last sync, the newer one exactly.
  for (raft::term_t replacement : {raft::term_t{3}, raft::term_t{1}}) {
    for (raft::log_index from = 2; from <= 40; from += 3) {
      auto old_log = log_of(entries(1, from - 1, 1));
      old_log.append(entries(from, 41 - from, 2));
      auto new_log = old_log;
      new_log.truncate(from);
      new_log.append(entries(from, 6, replacement));
      auto newer_log = new_log;
      newer_log.append(entries(from + 6, 10, 3));
      auto make = [&] {
        crash_disk disk{200};
        auto [store, state] = disk.restart();
        store->save_hard_state(3, std::nullopt);
        store->append(1, old_log.entries);
        store->sync();
        return disk;
      };
      for (std::size_t step = 0;; ++step) {
        bool acknowledged = false;
        auto [finished, disk] = cut_at(make, step, from + step, [&](raft::log_store& s) {
          s.truncate_suffix(from);
          s.append(from, entries(from, 6, replacement));
          s.sync();
          acknowledged = true;
          s.append(from + 6, entries(from + 6, 10, 3));
          s.sync();
        });
        INFO("replacement term " << replacement << ", from " << from << ", power cut after " << step
                                 << " steps");
        const auto recovered = reload(disk);
        INFO("recovered " << raft_test::describe(recovered));
        if (acknowledged)
          CHECK(between(recovered, new_log, newer_log));
        else
          CHECK(between(recovered, old_log, new_log));
        if (finished) {
          CHECK(recovered == newer_log);
          break;
        }
      }
    }
  }
}

TEST_CASE("a failed fdatasync makes sync throw and the store refuse every later call") {
  crash_disk disk = disk_with(10, 1 << 20);
  {
    auto [store, state] = disk.restart();
    store->append(11, entries(11, 5, 2));
    disk.fs->fail_next_datasync();
    CHECK_THROWS_WITH(store->sync(), "/d/log/" + seg(1) + ": cannot fdatasync: Input/output error");
    const auto refused = Catch::Matchers::Contains("refused: the log store stopped after a failure "
                                                   "(/d/log/" + seg(1) + ": cannot fdatasync: "
                                                   "Input/output error); restart to recover what is durable");
    CHECK_THROWS_WITH(store->append(16, entries(16, 1, 2)), refused);
    CHECK_THROWS_AS(store->append(16, entries(16, 1, 2)), log_store_failed);
    CHECK_THROWS_AS(store->sync(), log_store_failed);
    CHECK_THROWS_AS(store->truncate_suffix(5), log_store_failed);
    CHECK_THROWS_AS(store->save_hard_state(4, std::nullopt), log_store_failed);
    CHECK_THROWS_AS(store->save_snapshot(5, 1, "s"), log_store_failed);
  }
  disk.fs->crash();
  CHECK(reload(disk) == log_of(entries(1, 10, 1)));
}

TEST_CASE("a failed write makes sync throw and the store refuse every later call") {
  crash_disk disk = disk_with(10, 1 << 20);
  auto [store, state] = disk.restart();
  store->append(11, entries(11, 5, 2));
  disk.fs->fail_next_write();
  CHECK_THROWS_WITH(store->sync(), "/d/log/" + seg(1) + ": cannot write: No space left on device");
  CHECK_THROWS_AS(store->append(16, entries(16, 1, 2)), log_store_failed);
  CHECK_THROWS_AS(store->sync(), log_store_failed);
}

TEST_CASE("a power cut at every step of a snapshot leaves the old state or the new one") {
  const auto before = log_of(entries(1, 40, 1));
  auto synced = before;
  synced.append(entries(41, 5, 2));
  for (const raft::log_index index : {raft::log_index{17}, raft::log_index{45}, raft::log_index{60}}) {
    auto after = synced;
    after.snapshot_at(index, index > 45 ? 3 : (index > 40 ? 2 : 1), "snapshot " + std::to_string(index));
    for (std::size_t step = 0;; ++step) {
      auto [finished, disk] = cut_at([] { return disk_with(40, 200); }, step, step,
                                     [&](raft::log_store& s) {
                                       s.append(41, entries(41, 5, 2));  // synced by save_snapshot
                                       s.save_snapshot(index, after.snapshot_term, after.snapshot);
                                       s.sync();  // the covered segments' removal
                                     });
      INFO("snapshot at " << index << ", power cut after " << step << " steps");
      const auto recovered = reload(disk);
      CHECK((between(recovered, before, synced) || recovered == after));
      if (finished) {
        CHECK(recovered == after);
        break;
      }
    }
  }
}

TEST_CASE("a power cut at every step of recovery leaves a log that recovers the same") {
  // A log with a torn tail, covered segments a crash brought back and a leftover
  // snapshot.tmp: load repairs all three; cut the power at every step of that.
  auto make = [] {
    crash_disk disk = disk_with(40, 200);
    {
      auto [store, state] = disk.restart();
      store->save_snapshot(25, 1, "s");  // removals not fsynced: they come back
    }
    disk.fs->crash();
    // The first 20 bytes of entry 41's record reached the end of the last segment.
    const std::string last = "/d/log/" + disk.segments().back();
    std::string record;
    raft::log_format::append_record(record, 41, 2, raft_test::command_for(41, 2));
    auto tail = disk.fs->open(last, raft::fs::open_mode::existing);
    tail->write_at(tail->size(), record.substr(0, 20));
    tail->datasync();
    auto f = disk.fs->open("/d/snapshot.tmp", raft::fs::open_mode::create_new);
    f->write_at(0, "partial");
    f->datasync();
    disk.fs->sync_dir("/d");
    return disk;
  };
  auto expected = log_of(entries(26, 15, 1));
  expected.snapshot_index = 25;
  expected.snapshot_term = 1;
  expected.snapshot = "s";
  for (std::size_t step = 0;; ++step) {
    crash_disk disk = make();
    bool finished = false;
    {
      auto store = disk.open();
      disk.fs->power_cut_after(step);
      try {
        const auto loaded = model_log::of(store->load());
        finished = true;
        CHECK(loaded == expected);
        for (const auto& note : store->recovery_notes()) UNSCOPED_INFO(note);
        CHECK(store->recovery_notes().size() == 3);  // torn tail, covered segments, snapshot.tmp
      } catch (const raft::power_cut&) {
      }
    }
    disk.fs->crash_torn(step);
    INFO("power cut after " << step << " steps of load");
    CHECK(reload(disk) == expected);
    if (finished) {
      CHECK(disk.fs->list("/d") == std::vector<std::string>{"log", "snapshot"});
      break;
    }
  }
}

#include <catch2/catch.hpp>

#include <random>

#include "log_test_support.hpp"
#include "storage/memory_log_store.hpp"

using raft::log_index;
using raft::term_t;
using raft_test::between;
using raft_test::crash_disk;
using raft_test::entries;
using raft_test::model_log;

namespace {

/// One random run: appends (sometimes in a new term over a truncated suffix), truncations,
/// syncs, snapshots, power cuts between calls and power cuts in the middle of a call, checked
/// against a model of what was synced (`durable`) and what the store shows (`live`).
/// `restart` crashes the machine (or the memory persister) and returns a loaded new store;
/// `cut_in_middle` arms a power cut a few steps ahead, or returns false when the store
/// cannot be cut in the middle of a call.
template <class Restart, class Cut>
void random_run(std::uint64_t seed, std::size_t operations, Restart restart, Cut cut_in_middle) {
  std::mt19937_64 rng{seed};
  auto started = restart(false);
  auto store = std::move(started.first);
  auto state = std::move(started.second);
  model_log durable;
  model_log live;
  term_t term = 1;
  log_index truncated_from = UINT64_MAX;  // lowest truncation of synced entries since the last sync
  store->save_hard_state(term, std::nullopt);
  auto check_view = [&] {
    REQUIRE(store->last_index() == live.last_index());
    REQUIRE(store->snapshot_index() == live.snapshot_index);
    for (log_index i = live.snapshot_index + 1; i <= live.last_index(); i += 1 + rng() % 5)
      REQUIRE(store->term_at(i) == live.entries[i - live.snapshot_index - 1].term);
  };
  for (std::size_t op = 0; op < operations; ++op) {
    INFO("seed " << seed << ", operation " << op);
    const auto pick = rng() % 100;
    if (pick < 35) {  // append a batch
      if (rng() % 8 == 0) store->save_hard_state(++term, std::nullopt);
      const auto batch = entries(live.last_index() + 1, 1 + rng() % 12, term);
      store->append(live.last_index() + 1, batch);
      live.append(batch);
    } else if (pick < 45 && live.last_index() > live.snapshot_index) {  // truncate
      const log_index from = live.snapshot_index + 1 + rng() % (live.last_index() - live.snapshot_index);
      store->truncate_suffix(from);
      live.truncate(from);
      truncated_from = std::min(truncated_from, from);
    } else if (pick < 75) {
      store->sync();
      durable = live;
      truncated_from = UINT64_MAX;
    } else if (pick < 82) {  // snapshot somewhere in or beyond the log
      const log_index index = live.snapshot_index + 1 + rng() % (live.last_index() - live.snapshot_index + 5);
      const term_t t = index <= live.last_index() ? live.entries[index - live.snapshot_index - 1].term : term;
      const std::string data = "snap " + std::to_string(index) + " seed " + std::to_string(seed);
      store->save_snapshot(index, t, data);
      live.snapshot_at(index, t, data);
      durable = live;  // synced first, then the snapshot
      truncated_from = UINT64_MAX;
    } else if (pick < 92) {  // power cut between calls: exactly what was synced survives
      store.reset();
      std::tie(store, state) = restart(rng() % 2 == 0);
      REQUIRE(model_log::of(state) == durable);
      live = durable;
      truncated_from = UINT64_MAX;
    } else {  // power cut in the middle of a sync or snapshot, a few steps in
      if (!cut_in_middle(rng() % 12)) continue;
      const model_log before = durable;
      model_log target = live;
      const bool snapshot = rng() % 3 == 0 && live.last_index() > live.snapshot_index;
      model_log synced = live;
      try {
        if (snapshot) {
          const log_index index = live.snapshot_index + 1 + rng() % (live.last_index() - live.snapshot_index);
          const term_t t = live.entries[index - live.snapshot_index - 1].term;
          target.snapshot_at(index, t, "cut " + std::to_string(index));
          store->save_snapshot(index, t, target.snapshot);
        } else {
          store->sync();
        }
      } catch (const raft::power_cut&) {
      }
      store.reset();
      std::tie(store, state) = restart(true);
      const auto recovered = model_log::of(state);
      INFO("recovered " << raft_test::describe(recovered) << "\nbefore " << raft_test::describe(before)
                        << "\nsynced " << raft_test::describe(synced) << "\ntarget "
                        << raft_test::describe(target));
      REQUIRE((between(recovered, before, synced, truncated_from) || recovered == target));
      durable = live = recovered;
      truncated_from = UINT64_MAX;
    }
    check_view();
  }
}

} // namespace

TEST_CASE("random calls and power cuts on the disk store always recover what the model synced") {
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    const std::uint64_t segment = 120 + seed * 37 % 500;
    crash_disk disk{segment};
    auto restart = [&, crash = std::uint64_t{0}](bool torn) mutable {
      if (torn)
        disk.fs->crash_torn(seed * 1000 + ++crash);
      else
        disk.fs->crash();
      return disk.restart();
    };
    auto cut = [&](std::size_t steps) {
      disk.fs->power_cut_after(steps);
      return true;
    };
    random_run(seed, 300, restart, cut);
  }
}

TEST_CASE("random calls and crashes on the memory store always recover what the model synced") {
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    raft::memory_persister persister;
    auto restart = [&](bool) {
      persister.crash();
      auto store = persister.open();
      auto state = store->load();
      return std::make_pair(std::move(store), std::move(state));
    };
    random_run(seed, 300, restart, [](std::size_t) { return false; });
  }
}

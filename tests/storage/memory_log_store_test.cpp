#include <catch2/catch.hpp>

#include "log_test_support.hpp"
#include "storage/log_format.hpp"
#include "storage/memory_log_store.hpp"
#include "storage/state_file.hpp"

using raft::log_store_failed;
using raft::memory_persister;
using raft_test::entries;
using raft_test::model_log;

TEST_CASE("a restarted peer gets exactly what its crashed incarnation synced") {
  memory_persister persister;
  auto store = persister.open();
  store->load();
  store->save_hard_state(2, 1);
  store->append(1, entries(1, 5, 2));
  store->sync();
  store->append(6, entries(6, 3, 2));
  store->truncate_suffix(4);  // not synced: undone by the crash
  persister.crash();
  auto next = persister.open();
  const auto state = next->load();
  CHECK(state.current_term == 2);
  CHECK(state.voted_for == std::optional<raft::peer_id>{1});
  CHECK(state.entries == entries(1, 5, 2));
  CHECK(persister.syncs() == 1);
}

TEST_CASE("a crashed incarnation that keeps running cannot change what its successor loads") {
  memory_persister persister;
  auto old = persister.open();
  old->load();
  old->save_hard_state(1, std::nullopt);
  old->append(1, entries(1, 2, 1));
  old->sync();
  auto next = persister.open();  // the restart cuts the old incarnation off
  CHECK_THROWS_AS(old->append(3, entries(3, 1, 1)), log_store_failed);
  CHECK_THROWS_AS(old->sync(), log_store_failed);
  CHECK_THROWS_AS(old->save_hard_state(5, 2), log_store_failed);
  CHECK_THROWS_AS(old->save_snapshot(1, 1, "s"), log_store_failed);
  const auto state = next->load();
  CHECK(state.current_term == 1);
  CHECK(state.entries == entries(1, 2, 1));
}

TEST_CASE("the memory store applies snapshots and truncations like the disk store") {
  memory_persister persister;
  auto store = persister.open();
  store->load();
  store->save_hard_state(3, std::nullopt);
  store->append(1, entries(1, 10, 1));
  store->truncate_suffix(8);
  store->append(8, entries(8, 4, 3));
  store->save_snapshot(6, 1, "six");
  CHECK(store->snapshot_index() == 6);
  CHECK(store->last_index() == 11);
  CHECK(store->term_at(6) == 1);
  CHECK(store->term_at(8) == 3);
  persister.crash();
  const auto state = persister.open()->load();
  model_log expected;
  expected.append(entries(1, 7, 1));
  expected.append(entries(8, 4, 3));
  expected.snapshot_at(6, 1, "six");
  CHECK(model_log::of(state) == expected);
}

TEST_CASE("the persister's size is the synced records after the snapshot and the state file") {
  memory_persister persister;
  auto store = persister.open();
  store->load();
  store->save_hard_state(1, std::nullopt);
  const auto base = raft::encode_state(1, std::nullopt).size();
  CHECK(persister.size_bytes() == base);
  const auto batch = entries(1, 20, 1);
  store->append(1, batch);
  CHECK(persister.size_bytes() == base);
  store->sync();
  std::uint64_t records = 0;
  for (std::size_t k = 10; k < 20; ++k) records += raft::log_format::record_size(batch[k].command.size());
  store->save_snapshot(10, 1, "s");
  CHECK(persister.size_bytes() == base + records);
  CHECK(store->size_bytes() == persister.size_bytes());
}

TEST_CASE("the memory store refuses the calls the disk store refuses") {
  memory_persister persister;
  auto store = persister.open();
  CHECK_THROWS_AS(store->sync(), std::logic_error);
  store->load();
  store->save_hard_state(2, std::nullopt);
  CHECK_THROWS_AS(store->append(2, entries(2, 1, 1)), std::invalid_argument);
  CHECK_THROWS_AS(store->append(1, entries(1, 1, 3)), std::invalid_argument);
  CHECK_THROWS_AS(store->save_hard_state(1, std::nullopt), std::invalid_argument);
  store->append(1, entries(1, 3, 2));
  store->save_snapshot(2, 2, "s");
  CHECK_THROWS_AS(store->truncate_suffix(2), std::invalid_argument);
  CHECK_THROWS_AS(store->save_snapshot(2, 2, "s"), std::invalid_argument);
}

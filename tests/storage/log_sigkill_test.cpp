#include <catch2/catch.hpp>

#include <chrono>
#include <cstring>
#include <iostream>
#include <random>
#include <thread>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log_test_support.hpp"
#include "storage/file_store.hpp"
#include "storage/posix_fs.hpp"
#include "temp_dir.hpp"

using raft::log_index;
using raft::term_t;
using raft_test::between;
using raft_test::entries;
using raft_test::model_log;

namespace {

/// What the child tells the parent through the pipe, one fixed-size message per write (well
/// under PIPE_BUF, so each arrives whole). The child announces an operation before it starts
/// it and reports when it has returned: done means synced.
struct message {
  enum kind_t : std::uint64_t { batch = 1, snapshot = 2, done = 3 } kind;
  std::uint64_t a = 0;  ///< batch: truncate from (0: none); snapshot: index
  std::uint64_t b = 0;  ///< batch: first index
  std::uint64_t c = 0;  ///< batch: count
  std::uint64_t term = 0;
};

constexpr std::uint64_t segment_bytes = 4096;

std::shared_ptr<raft::disk_log_store> open_store(const std::string& dir) {
  return std::make_shared<raft::disk_log_store>(std::make_shared<raft::posix_fs>(), dir,
                                                std::make_shared<raft::file_store>(dir),
                                                raft::disk_log_options{segment_bytes});
}

/// The child: recovers, then appends (sometimes over a truncated suffix, in a new term), syncs
/// and snapshots in a loop until it is killed, announcing each step through `out`.
[[noreturn]] void child(const std::string& dir, int out, std::uint64_t seed) {
  try {
    auto store = open_store(dir);
    const auto state = store->load();
    std::mt19937_64 rng{seed};
    term_t term = std::max<term_t>(state.current_term, 1);
    if (state.current_term == 0) store->save_hard_state(term, std::nullopt);
    auto send = [&](const message& m) {
      if (::write(out, &m, sizeof m) != static_cast<ssize_t>(sizeof m)) throw std::runtime_error("pipe");
    };
    for (;;) {
      const log_index last = store->last_index();
      const log_index snap = store->snapshot_index();
      if (last > snap + 30 && rng() % 10 == 0) {
        const log_index index = last - rng() % 20;
        send({message::snapshot, index, 0, 0, store->term_at(index)});
        store->save_snapshot(index, store->term_at(index), "snapshot " + std::to_string(index));
        send({message::done});
        continue;
      }
      log_index from = 0;
      if (last > snap + 1 && rng() % 6 == 0) from = last - rng() % std::min<log_index>(last - snap - 1, 25);
      if (from != 0) ++term;
      const log_index first = from != 0 ? from : last + 1;
      const std::size_t count = 1 + rng() % 40;
      send({message::batch, from, first, count, term});
      if (from != 0) {
        store->save_hard_state(term, std::nullopt);
        store->truncate_suffix(from);
      }
      store->append(first, entries(first, count, term));
      store->sync();
      send({message::done});
    }
  } catch (const std::exception& e) {
    std::cerr << "child: " << e.what() << std::endl;
  }
  ::_exit(3);
}

} // namespace

TEST_CASE("a restart after SIGKILL in the middle of writing keeps every entry reported synced") {
  raft_test::temp_dir dir;
  {
    raft::posix_fs files;
    raft::file_store::initialize(dir.path());
    raft::disk_log_store::init(files, dir.path());
  }
  std::mt19937_64 rng{20261125};
  model_log durable;  // what the last recovery found (and made durable)
  std::size_t kills_during_operations = 0;
  for (int round = 0; round < 25; ++round) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      child(dir.path(), fds[1], rng());
    }
    ::close(fds[1]);

    // Let it report a random number of finished operations (0: kill it while it recovers),
    // then kill it a random moment later.
    const std::size_t target = rng() % 30;
    std::vector<message> messages;
    std::size_t dones = 0;
    message m{};
    while (dones < target && ::read(fds[0], &m, sizeof m) == static_cast<ssize_t>(sizeof m)) {
      messages.push_back(m);
      if (m.kind == message::done) ++dones;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
    ::kill(pid, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    INFO("round " << round);
    REQUIRE(WIFSIGNALED(status));  // the child never stopped by itself
    REQUIRE(WTERMSIG(status) == SIGKILL);
    while (::read(fds[0], &m, sizeof m) == static_cast<ssize_t>(sizeof m)) messages.push_back(m);
    ::close(fds[0]);

    // Replay the reports: every finished operation is durable; the last one may be cut short.
    model_log before = durable;
    model_log after = durable;
    bool pending = false;
    for (const auto& msg : messages) {
      if (msg.kind == message::done) {
        before = after;
        pending = false;
        continue;
      }
      after = before;
      if (msg.kind == message::snapshot) {
        after.snapshot_at(msg.a, msg.term, "snapshot " + std::to_string(msg.a));
      } else {
        if (msg.a != 0) after.truncate(msg.a);
        after.append(entries(msg.b, msg.c, msg.term));
      }
      pending = true;
    }
    if (pending) ++kills_during_operations;

    auto store = open_store(dir.path());
    const auto recovered = model_log::of(store->load());
    const bool snapshot_op = pending && after.snapshot_index != before.snapshot_index;
    CHECK((snapshot_op ? (recovered == before || recovered == after) : between(recovered, before, after)));
    durable = recovered;
  }
  CHECK(kills_during_operations > 0);  // some kills did land in the middle of an operation
}

#include "bench/bench_cluster.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <thread>

#include "storage/disk_log_store.hpp"
#include "storage/file_store.hpp"
#include "storage/memory_log_store.hpp"

namespace raft::bench {

const char* name_of(store_kind k) {
  switch (k) {
    case store_kind::disk: return "disk";
    case store_kind::disk_nosync: return "disk-nosync";
    case store_kind::memory: return "memory";
  }
  return "?";
}

struct bench_cluster::shared {
  std::mutex mtx;
  peer_id leader = 0;
  caf::actor listener;
  std::vector<std::atomic<std::uint64_t>> applied;
  explicit shared(std::size_t n) : applied(n) {}
};

namespace {

using target_atom = caf::atom_constant<caf::atom("target")>;
using relay_actor = link_actor::extend<caf::reacts_to<target_atom, peer_actor>>;

struct relay_state {
  peer_actor target;
  static inline const char* name = "bench_relay";
};

/// Forwards every wire message to its target as it is (dropped before the target is known).
relay_actor::behavior_type relay(relay_actor::stateful_pointer<relay_state> self) {
  return handle_each_kind<relay_actor::behavior_type>(
    message_kinds{},
    [self](auto& m) {
      if (self->state.target)
        self->send(self->state.target, std::move(m));
    },
    [self](target_atom, peer_actor& p) { self->state.target = std::move(p); });
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

} // namespace

bench_cluster::bench_cluster(caf::actor_system& sys, bench_cluster_options opts)
  : sys_(sys), opts_(std::move(opts)), shared_(std::make_shared<shared>(opts_.peers)) {
  std::vector<peer_id> ids;
  for (peer_id id = 1; id <= opts_.peers; ++id)
    ids.push_back(id);
  std::vector<relay_actor> relays;
  for (std::size_t i = 0; i < opts_.peers; ++i) {
    relays.push_back(sys.spawn(relay));
    relays_.push_back(caf::actor_cast<caf::actor>(relays.back()));
  }
  for (auto id : ids) {
    peer_config pc;
    pc.core = node::with_defaults(id, ids, raft::timing{}, opts_.seed * 7919 + id);
    for (auto other : ids)
      if (other != id)
        pc.links.emplace(other, relays[other - 1]);
    if (opts_.store == store_kind::memory) {
      memory_persister persister;
      pc.store = persister.open();
      files_.push_back(nullptr);
    } else {
      auto dir = opts_.dir + "/peer-" + std::to_string(id);
      file_store::initialize(dir);
      auto files = std::make_shared<timed_fs>(opts_.store == store_kind::disk);
      disk_log_store::init(*files, dir);
      pc.store = std::make_shared<disk_log_store>(files, dir, std::make_shared<file_store>(dir));
      files_.push_back(files);
    }
    auto stats = std::make_shared<peer_stats>();
    stats_.push_back(stats);
    pc.stats = stats;
    pc.sink = [sh = shared_](peer_id self, const raft::applied& what) {
      auto* a = std::get_if<apply>(&what);
      if (!a || a->entries.empty())
        return;
      const auto t = now_ns();
      sh->applied[self - 1].fetch_add(a->entries.size(), std::memory_order_relaxed);
      caf::actor listener;
      {
        std::lock_guard<std::mutex> guard{sh->mtx};
        if (sh->leader == self)
          listener = sh->listener;
      }
      if (listener)
        caf::anon_send(listener, applied_atom::value, a->first,
                       a->first + a->entries.size() - 1, t);
    };
    peers_.push_back(spawn_peer(sys, std::move(pc), opts_.detached));
  }
  for (std::size_t i = 0; i < opts_.peers; ++i)
    caf::anon_send(relays[i], target_atom::value, peers_[i]);
}

bench_cluster::~bench_cluster() {
  stop();
}

std::optional<peer_id> bench_cluster::wait_for_leader(long timeout_ms) {
  caf::scoped_actor self{sys_};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    term_t top = 0;
    std::vector<peer_id> leaders_of_top;
    bool all_answered = true;
    for (std::size_t i = 0; i < peers_.size(); ++i) {
      self->request(peers_[i], std::chrono::seconds(1), get_state_atom::value)
        .receive(
          [&](term_t term, bool is_leader) {
            if (term > top) {
              top = term;
              leaders_of_top.clear();
            }
            if (term == top && is_leader)
              leaders_of_top.push_back(static_cast<peer_id>(i + 1));
          },
          [&](caf::error&) { all_answered = false; });
    }
    if (all_answered && leaders_of_top.size() == 1)
      return leaders_of_top.front();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

void bench_cluster::listen(peer_id leader, caf::actor listener) {
  std::lock_guard<std::mutex> guard{shared_->mtx};
  shared_->leader = leader;
  shared_->listener = std::move(listener);
}

std::uint64_t bench_cluster::applied(peer_id id) const {
  return shared_->applied.at(id - 1).load();
}

std::vector<peer_report> bench_cluster::stop() {
  if (stopped_)
    return reports_;
  stopped_ = true;
  listen(0, caf::actor{});
  {
    caf::scoped_actor self{sys_};
    for (auto& p : peers_) {
      self->monitor(p);
      self->send(p, kill_atom::value);
    }
    for (std::size_t i = 0; i < peers_.size(); ++i)
      self->receive([](const caf::down_msg&) {},
                    caf::after(std::chrono::seconds(10)) >> [] {});
    for (auto& r : relays_)
      self->send_exit(r, caf::exit_reason::user_shutdown);
  }
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    peer_report r;
    r.id = static_cast<peer_id>(i + 1);
    r.applied = shared_->applied[i].load();
    if (files_[i]) {
      r.datasync_us = files_[i]->record().datasync_us;
      r.datasync_start_ns = files_[i]->record().datasync_start_ns;
      r.writes = files_[i]->record().writes;
    }
    r.sent_append_entries = stats_[i]->sent[kind_index<append_entries>::value].load();
    r.sent_append_replies = stats_[i]->sent[kind_index<append_entries_reply>::value].load();
    reports_.push_back(std::move(r));
  }
  peers_.clear();
  relays_.clear();
  return reports_;
}

} // namespace raft::bench

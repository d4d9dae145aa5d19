/// The peer actor (actors/peer.cpp) under CAF 0.17's deterministic test scheduler.
///
/// With `scheduler.policy = testing` nothing runs by itself: every actor runs on the test
/// thread when the test calls `sched.run()`, and time is virtual — timers fire only when the
/// test advances the clock. The peer's links are fake actors that record every message they
/// receive, so a test sees exactly what the peer sent and when.

#include "actors/peer.hpp"
#include "storage/memory_log_store.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;

namespace {

using raft::peer_id;
using raft::term_t;

/// One message a fake link received: the member it is the link to, and the message.
struct delivery {
  peer_id to = 0;
  raft::message msg;
};
using delivery_log = std::shared_ptr<std::vector<delivery>>;

/// A link that delivers nowhere: it records what the peer sent through it.
raft::link_actor::behavior_type fake_link(raft::link_actor::pointer, peer_id to,
                                          delivery_log log) {
  return raft::handle_each_kind<raft::link_actor::behavior_type>(
    raft::message_kinds{}, [=](auto& m) { log->push_back({to, m}); });
}

/// A log store that passes every call on to an in-memory store and lets a subclass look at
/// (or refuse) the ones that make something durable.
class store_wrapper : public raft::log_store {
public:
  raft::recovered_state load() override { return inner_->load(); }
  void save_hard_state(term_t term, std::optional<peer_id> vote) override {
    on_hard_state(term, vote);
    inner_->save_hard_state(term, vote);
  }
  void append(raft::log_index first, const raft::log_entry* entries, std::size_t n) override {
    inner_->append(first, entries, n);
  }
  void truncate_suffix(raft::log_index from) override { inner_->truncate_suffix(from); }
  void sync() override {
    on_sync();
    inner_->sync();
  }
  void save_snapshot(raft::log_index i, term_t t, std::string_view data) override {
    inner_->save_snapshot(i, t, data);
  }
  std::uint64_t size_bytes() const override { return inner_->size_bytes(); }
  raft::log_index last_index() const override { return inner_->last_index(); }
  raft::log_index snapshot_index() const override { return inner_->snapshot_index(); }
  term_t term_at(raft::log_index i) const override { return inner_->term_at(i); }

protected:
  virtual void on_hard_state(term_t, std::optional<peer_id>) {}
  virtual void on_sync() {}

private:
  std::shared_ptr<raft::memory_persister> disk_ = std::make_shared<raft::memory_persister>();
  std::shared_ptr<raft::log_store> inner_ = disk_->open();
};

/// A store that records, at the moment of each save, how much of the world had already
/// seen the peer's messages: how many messages the links had received and how many actors
/// were waiting to run. Under the test scheduler a send puts the receiving link into
/// `sched.jobs` at once, so both are zero at save time exactly when nothing was sent yet.
class probing_store final : public store_wrapper {
public:
  struct save_record {
    term_t term = 0;
    std::optional<peer_id> vote;
    std::size_t delivered = 0;
    std::size_t pending_jobs = 0;
  };

  probing_store(caf::scheduler::test_coordinator& sched, delivery_log log)
    : sched_(sched), log_(std::move(log)) {}

  void on_hard_state(term_t current_term, std::optional<peer_id> voted_for) override {
    saves.push_back({current_term, voted_for, log_->size(), sched_.jobs.size()});
  }
  void on_sync() override { syncs.push_back(log_->size()); }

  std::vector<save_record> saves;
  std::vector<std::size_t> syncs; ///< messages the links had received at each sync

private:
  caf::scheduler::test_coordinator& sched_;
  delivery_log log_;
};

/// A store whose disk is gone: every save fails.
class failing_store final : public store_wrapper {
public:
  void on_hard_state(term_t, std::optional<peer_id>) override {
    throw std::runtime_error("disk full");
  }
};

raft::append_entries heartbeat(term_t term, peer_id leader) {
  raft::append_entries m;
  m.term = term;
  m.leader_id = leader;
  return m;
}

struct test_config : caf::actor_system_config {
  test_config() { set("scheduler.policy", caf::atom("testing")); }
};

struct fixture {
  test_config cfg;
  caf::actor_system sys{cfg};
  caf::scheduler::test_coordinator& sched;
  caf::scoped_actor self{sys};
  delivery_log log = std::make_shared<std::vector<delivery>>();
  std::shared_ptr<std::vector<raft::peer_event>> events =
    std::make_shared<std::vector<raft::peer_event>>();
  std::vector<caf::actor> spawned;
  std::shared_ptr<std::vector<raft::applied>> applied =
    std::make_shared<std::vector<raft::applied>>();

  fixture() : sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {}

  fixture(const fixture&) = delete;
  fixture& operator=(const fixture&) = delete;

  /// Kills everything this test spawned, or ~actor_system would wait for it forever.
  ~fixture() {
    for (auto& a : spawned)
      caf::anon_send_exit(a, caf::exit_reason::kill);
    sched.run();
  }

  /// Spawns peer 1 of `members`, with a fake link to every other member, and runs its
  /// start (which arms the first election timer at virtual time "now").
  raft::peer_actor start_peer(std::vector<peer_id> members, raft::timing timing = {},
                              std::shared_ptr<raft::log_store> store = nullptr) {
    raft::peer_config pc;
    pc.core.self = 1;
    pc.core.members = members;
    pc.core.timing = timing;
    pc.core.seed = 7;
    pc.core.check_invariants = true;
    for (auto m : members) {
      if (m == pc.core.self)
        continue;
      auto link = sys.spawn(fake_link, m, log);
      pc.links.emplace(m, link);
      spawned.push_back(caf::actor_cast<caf::actor>(link));
    }
    if (!store)
      store = raft::memory_persister().open();
    pc.store = std::move(store);
    pc.sink = [ap = applied](peer_id, const raft::applied& a) { ap->push_back(a); };
    pc.observer = [ev = events](const raft::peer_event& e) { ev->push_back(e); };
    auto peer = raft::spawn_peer(sys, std::move(pc));
    spawned.push_back(caf::actor_cast<caf::actor>(peer));
    sched.run();
    return peer;
  }

  /// Sends `xs` to the peer from the test thread and runs everything that follows.
  template <class... Ts>
  void deliver(const raft::peer_actor& peer, Ts... xs) {
    self->send(peer, std::move(xs)...);
    sched.run();
  }

  /// GetState(): asks the peer, runs it, and takes the answer without blocking.
  std::pair<term_t, bool> state_of(const raft::peer_actor& peer) {
    self->send(peer, raft::get_state_atom::value);
    sched.run();
    std::optional<std::pair<term_t, bool>> answer;
    self->receive([&](term_t term, bool leader) { answer = std::make_pair(term, leader); },
                  caf::after(std::chrono::seconds(0)) >> [] {});
    REQUIRE(answer);
    return *answer;
  }

  /// Advances virtual time by `total` in steps of `step`, running every actor after each
  /// step. Returns how many timers fired.
  std::size_t advance(caf::timespan total, caf::timespan step = 1ms) {
    std::size_t fired = 0;
    for (caf::timespan t{0}; t < total; t += step) {
      fired += sched.clock().advance_time(step);
      sched.run();
    }
    return fired;
  }

  /// The generation of the election timer message waiting at the head of the next job's
  /// mailbox (a timer that fired but has not been handled yet).
  std::uint64_t waiting_election_generation(const raft::peer_actor& peer) {
    REQUIRE(sched.jobs.size() == 1);
    auto& job = sched.next_job<caf::scheduled_actor>();
    REQUIRE(job.address() == peer.address());
    auto* element = job.mailbox().peek();
    REQUIRE(element != nullptr);
    auto& content = element->content();
    REQUIRE(content.match_elements<caf::atom_value, std::uint64_t>());
    REQUIRE(content.get_as<caf::atom_value>(0) == raft::election_timer_atom::value);
    return content.get_as<std::uint64_t>(1);
  }

  /// The messages of kind T the links received, in order, with the member each went to.
  template <class T>
  std::vector<std::pair<peer_id, T>> received() const {
    std::vector<std::pair<peer_id, T>> out;
    for (auto& d : *log)
      if (auto* m = std::get_if<T>(&d.msg))
        out.emplace_back(d.to, *m);
    return out;
  }

  /// The down_msg for `peer` if one is waiting for the test thread (after monitor()).
  std::optional<caf::down_msg> down_of(const raft::peer_actor& peer) {
    std::optional<caf::down_msg> result;
    self->receive(
      [&](caf::down_msg& d) {
        if (d.source == peer.address())
          result = d;
      },
      caf::after(std::chrono::seconds(0)) >> [] {});
    return result;
  }

  std::vector<std::string> fatal_errors() const {
    std::vector<std::string> out;
    for (auto& e : *events)
      if (auto* s = std::get_if<std::string>(&e.what))
        out.push_back(*s);
    return out;
  }

  std::vector<raft::role_changed> role_changes() const {
    std::vector<raft::role_changed> out;
    for (auto& e : *events)
      if (auto* r = std::get_if<raft::role_changed>(&e.what))
        out.push_back(*r);
    return out;
  }
};

const std::vector<peer_id> three = {1, 2, 3};

} // namespace

TEST_CASE_METHOD(fixture, "a peer ignores an election timer message whose generation is stale") {
  // A fixed election timeout makes every due time known: armed at t, it fires at t + 300 ms.
  raft::timing fixed;
  fixed.election_min = 300ms;
  fixed.election_max = 300ms;
  auto peer = start_peer(three, fixed); // t = 0: the first election timer, due at 300 ms

  CHECK(advance(200ms) == 0);
  deliver(peer, heartbeat(1, 2)); // t = 200: a new election timer, due at 500 ms
  REQUIRE(state_of(peer) == std::make_pair(term_t{1}, false));

  // t = 300: the first timer fires. It is stale: the heartbeat re-armed the timer.
  REQUIRE(sched.clock().advance_time(100ms) == 1);
  auto old_generation = waiting_election_generation(peer);
  sched.run();
  CHECK(state_of(peer) == std::make_pair(term_t{1}, false));
  CHECK(received<raft::request_vote>().empty());

  // The same stale message delivered directly is ignored as well.
  deliver(peer, raft::election_timer_atom::value, old_generation);
  CHECK(state_of(peer) == std::make_pair(term_t{1}, false));
  CHECK(received<raft::request_vote>().empty());

  // t = 500: the current timer fires and starts an election.
  CHECK(advance(199ms) == 0);
  REQUIRE(sched.clock().advance_time(1ms) == 1);
  auto current_generation = waiting_election_generation(peer);
  CHECK(current_generation != old_generation);
  sched.run();
  CHECK(state_of(peer) == std::make_pair(term_t{2}, false));
  auto votes = received<raft::request_vote>();
  REQUIRE(votes.size() == 2);
  for (auto& [to, rv] : votes) {
    CHECK((to == 2 || to == 3));
    CHECK(rv.term == 2);
    CHECK(rv.candidate_id == 1);
  }

  // Starting the election re-armed the timer, so that generation is now stale too.
  deliver(peer, raft::election_timer_atom::value, current_generation);
  deliver(peer, raft::election_timer_atom::value, old_generation);
  CHECK(state_of(peer) == std::make_pair(term_t{2}, false));
  CHECK(received<raft::request_vote>().size() == 2);
}

TEST_CASE_METHOD(fixture,
                 "a follower keeps one election timer message pending however often its "
                 "leader re-arms it, and still times out once the last deadline passes") {
  raft::timing fixed;
  fixed.election_min = 300ms;
  fixed.election_max = 300ms;
  auto peer = start_peer(three, fixed); // t = 0: the first election timer, due at 300 ms
  for (int i = 0; i < 50; ++i) {
    advance(5ms);
    deliver(peer, heartbeat(1, 2)); // each re-arms the timer, 300 ms from now
    CHECK(sched.clock().schedule().size() == 1);
  }
  // t = 250: the last heartbeat asked for 550 ms. At 300 ms the message in flight arrives
  // and is sent again for the rest; nothing reaches the core before 550 ms.
  CHECK(advance(50ms) == 1);
  CHECK(state_of(peer) == std::make_pair(term_t{1}, false));
  CHECK(sched.clock().schedule().size() == 1);
  CHECK(advance(249ms) == 0);
  CHECK(received<raft::request_vote>().empty());
  CHECK(advance(1ms) == 1);
  CHECK(state_of(peer) == std::make_pair(term_t{2}, false));
  CHECK(received<raft::request_vote>().size() == 2);
}

TEST_CASE_METHOD(fixture, "a heartbeat from the leader resets the follower's election timer") {
  raft::timing timing; // heartbeat 100 ms, election timeout 300–600 ms
  auto peer = start_peer(three, timing);

  // Three seconds of heartbeats every 100 ms, five times election_max.
  for (int i = 0; i < 30; ++i) {
    advance(100ms);
    deliver(peer, heartbeat(1, 2));
    REQUIRE(state_of(peer) == std::make_pair(term_t{1}, false));
  }
  CHECK(received<raft::request_vote>().empty());
  CHECK(received<raft::append_entries_reply>().size() == 30);

  // Silence: no election before election_min has passed since the last heartbeat ...
  advance(timing.election_min - 1ms);
  CHECK(state_of(peer) == std::make_pair(term_t{1}, false));
  CHECK(received<raft::request_vote>().empty());

  // ... and a candidate once election_max has passed.
  advance(timing.election_max - timing.election_min + 1ms);
  CHECK(state_of(peer) == std::make_pair(term_t{2}, false));
  CHECK(received<raft::request_vote>().size() == 2);
  auto roles = role_changes();
  REQUIRE_FALSE(roles.empty());
  CHECK(roles.back().role == raft::role::candidate);
  CHECK(roles.back().term == 2);
}

TEST_CASE_METHOD(fixture, "kill stops the peer and its timers") {
  auto peer = start_peer(three);
  // Make it leader, so both an election timer and a heartbeat timer have been armed.
  advance(600ms);
  REQUIRE(received<raft::request_vote>().size() == 2);
  deliver(peer, raft::request_vote_reply{1, true, 2});
  REQUIRE(state_of(peer) == std::make_pair(term_t{1}, true));
  advance(250ms); // a few heartbeat rounds
  REQUIRE(received<raft::append_entries>().size() >= 4);
  REQUIRE(sched.clock().has_pending_timeout());

  self->monitor(peer);
  deliver(peer, raft::kill_atom::value);
  auto sent_before = log->size();

  // Every timer that was pending fires, and much more time passes: nothing is sent.
  sched.clock().trigger_timeouts();
  sched.run();
  advance(5s, 10ms);
  CHECK(log->size() == sent_before);
  CHECK_FALSE(sched.clock().has_pending_timeout());

  auto down = down_of(peer);
  REQUIRE(down);
  CHECK(down->reason == caf::exit_reason::user_shutdown);

  // A request to it fails at once: there is no one left to answer.
  std::optional<caf::error> failure;
  self->request(peer, caf::infinite, raft::get_state_atom::value)
    .receive([&](term_t, bool) { FAIL("a killed peer answered"); },
             [&](caf::error& e) { failure = e; });
  REQUIRE(failure);
  CHECK(*failure == caf::sec::request_receiver_down);
}

TEST_CASE_METHOD(fixture,
                 "the peer writes its term and vote to storage before it sends the request "
                 "that depends on them") {
  auto store = std::make_shared<probing_store>(sched, log);
  auto peer = start_peer(three, {}, store);
  REQUIRE(store->saves.empty());
  REQUIRE(sched.jobs.empty());

  // The election timer fires; run the peer alone, not yet the links.
  REQUIRE(sched.clock().trigger_timeout());
  REQUIRE(sched.jobs.size() == 1);
  sched.run_once();
  REQUIRE(store->saves.size() == 1);
  auto& election = store->saves[0];
  CHECK(election.term == 1);
  CHECK(election.vote == std::optional<peer_id>{1});
  CHECK(election.delivered == 0);
  CHECK(election.pending_jobs == 0);
  // The probe does see sends: the two RequestVotes now wait in the links' mailboxes.
  CHECK(sched.jobs.size() == 2);
  sched.run();
  auto votes = received<raft::request_vote>();
  REQUIRE(votes.size() == 2);
  CHECK(votes[0].second.term == 1);
  CHECK(votes[1].second.term == 1);

  // Granting a vote: the vote is saved before the reply that grants it leaves.
  self->send(peer, raft::request_vote{5, 2, 0, 0});
  REQUIRE(sched.jobs.size() == 1);
  sched.run_once();
  REQUIRE(store->saves.size() == 2);
  auto& grant = store->saves[1];
  CHECK(grant.term == 5);
  CHECK(grant.vote == std::optional<peer_id>{2});
  CHECK(grant.delivered == 2);
  CHECK(grant.pending_jobs == 0);
  CHECK(sched.jobs.size() == 1);
  sched.run();
  auto replies = received<raft::request_vote_reply>();
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].first == 2);
  CHECK(replies[0].second == raft::request_vote_reply{5, true, 1});
}

TEST_CASE_METHOD(fixture, "a peer whose storage fails sends nothing and stops") {
  auto peer = start_peer(three, {}, std::make_shared<failing_store>());
  self->monitor(peer);

  // The election timer fires: the peer must save term 1 and its vote before asking for
  // votes, cannot, and stops.
  advance(600ms);
  CHECK(log->empty());
  auto down = down_of(peer);
  REQUIRE(down);
  CHECK(down->reason == caf::exit_reason::user_shutdown);
  auto errors = fatal_errors();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "cannot persist term and vote: disk full");

  // Nothing more ever leaves it.
  sched.clock().trigger_timeouts();
  sched.run();
  advance(2s, 10ms);
  CHECK(log->empty());
}

TEST_CASE_METHOD(fixture, "get_state answers the term and whether the peer is leader") {
  auto peer = start_peer({1});
  CHECK(state_of(peer) == std::make_pair(term_t{0}, false));

  // A cluster of one elects itself as soon as its election timer fires.
  REQUIRE(sched.clock().trigger_timeout());
  sched.run();
  CHECK(state_of(peer) == std::make_pair(term_t{1}, true));
  auto roles = role_changes();
  REQUIRE_FALSE(roles.empty());
  CHECK(roles.back().role == raft::role::leader);
  CHECK(roles.back().term == 1);
  CHECK(roles.back().leader == std::optional<peer_id>{1});

  // It stays leader as time passes: its heartbeat timer keeps running, no election starts.
  advance(3s, 10ms);
  CHECK(state_of(peer) == std::make_pair(term_t{1}, true));
}

namespace {

/// A store whose fdatasync fails: appends are accepted, nothing can be made durable.
class failing_sync_store final : public store_wrapper {
public:
  void on_sync() override { throw std::runtime_error("fdatasync: Input/output error"); }
};

/// An AppendEntries from leader 2 of term 1 carrying `n` entries after index `prev`.
raft::append_entries entries_after(raft::log_index prev, std::size_t n) {
  raft::append_entries m = heartbeat(1, 2);
  m.prev_log_index = prev;
  m.prev_log_term = prev == 0 ? 0 : 1;
  for (std::size_t k = 0; k < n; ++k)
    m.entries.push_back({1, "cmd" + std::to_string(prev + k + 1)});
  return m;
}

} // namespace

TEST_CASE_METHOD(fixture, "a follower acknowledges entries only after one sync made every "
                          "queued AppendEntries durable (group commit)") {
  auto store = std::make_shared<probing_store>(sched, log);
  auto peer = start_peer(three, {}, store);
  // Three AppendEntries arrive before the peer runs: each writes, one sync follows them all.
  self->send(peer, entries_after(0, 2));
  self->send(peer, entries_after(2, 2));
  self->send(peer, entries_after(4, 1));
  sched.run();
  REQUIRE(store->syncs.size() == 1);
  // The sync ran before any success reply left (the links had received nothing but failures).
  CHECK(store->syncs.front() == 0);
  auto replies = received<raft::append_entries_reply>();
  REQUIRE_FALSE(replies.empty());
  for (auto& [to, r] : replies) {
    CHECK(to == 2);
    CHECK(r.success);
  }
  CHECK(replies.back().second.match_index == 5);
  CHECK(replies.size() == 1); // one acknowledgement for the whole group
}

TEST_CASE_METHOD(fixture, "a follower whose log cannot be synced never acknowledges the entries "
                          "and stops") {
  auto peer = start_peer(three, {}, std::make_shared<failing_sync_store>());
  self->monitor(peer);
  deliver(peer, entries_after(0, 3));
  for (auto& [to, r] : received<raft::append_entries_reply>())
    CHECK_FALSE(r.success);
  auto down = down_of(peer);
  REQUIRE(down);
  auto errors = fatal_errors();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "cannot sync the log: fdatasync: Input/output error");
}

TEST_CASE_METHOD(fixture, "propose answers the course's Start() at once: index, term and whether "
                          "the peer leads") {
  auto peer = start_peer({1});
  auto propose = [&](std::string cmd) {
    self->send(peer, raft::propose_atom::value, std::move(cmd));
    sched.run();
    std::optional<std::tuple<raft::log_index, term_t, bool>> answer;
    self->receive(
      [&](raft::log_index i, term_t t, bool leads) { answer = std::make_tuple(i, t, leads); },
      caf::after(std::chrono::seconds(0)) >> [] {});
    REQUIRE(answer);
    return *answer;
  };
  CHECK(propose("early") == std::make_tuple(raft::log_index{0}, term_t{0}, false));
  REQUIRE(sched.clock().trigger_timeout()); // a cluster of one elects itself
  sched.run();
  CHECK(propose("a") == std::make_tuple(raft::log_index{1}, term_t{1}, true));
  CHECK(propose("b") == std::make_tuple(raft::log_index{2}, term_t{1}, true));
  // Both are applied once the log is synced: in order, each once.
  std::vector<std::string> commands;
  for (auto& a : *applied)
    if (auto* entries = std::get_if<raft::apply>(&a))
      for (auto& e : entries->entries)
        commands.push_back(e.command);
  CHECK(commands == std::vector<std::string>{"a", "b"});
}

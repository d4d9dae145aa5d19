#include "testing/test_cluster.hpp"

#include <caf/all.hpp>

#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "actors/peer.hpp"
#include "actors/sim_network.hpp"
#include "messages/registration.hpp"
#include "storage/memory_log_store.hpp"
#include "kv/store.hpp"
#include "testing/course_checks.hpp"
#include "testing/safety_monitor.hpp"

namespace raft {

namespace {

caf::actor_system_config& configure(caf::actor_system_config& cfg) {
  register_messages(cfg);
  // With CAF's default (unbounded) throughput an actor that keeps messaging itself can
  // starve another actor's timer; one message per turn keeps timers punctual.
  cfg.set("scheduler.max-throughput", 1);
  return cfg;
}

/// A command as failure messages show it: whole when short, else its start and its length
/// (the RPC byte test's commands are 5000 characters).
using testing::shown;

std::uint64_t draw_seed() {
  std::random_device rd;
  return (std::uint64_t{rd()} << 32) ^ rd();
}

/// The applierSnap service's snapshot: its last applied index and its applied log, as
/// "index\n" then one "length:command" per entry from index 1 (the course's labgob of
/// lastIncludedIndex and xlog).
std::string encode_service(log_index index, const std::map<log_index, std::string>& log) {
  std::string out = std::to_string(index) + "\n";
  for (log_index i = 1; i <= index; ++i) {
    auto it = log.find(i);
    const std::string& cmd = it == log.end() ? std::string() : it->second;
    out += std::to_string(cmd.size()) + ":" + cmd;
  }
  return out;
}

std::optional<std::pair<log_index, std::map<log_index, std::string>>>
decode_service(const std::string& bytes) {
  auto nl = bytes.find('\n');
  if (nl == std::string::npos)
    return std::nullopt;
  log_index index = std::stoull(bytes.substr(0, nl));
  std::map<log_index, std::string> log;
  std::size_t pos = nl + 1;
  for (log_index i = 1; i <= index; ++i) {
    auto colon = bytes.find(':', pos);
    if (colon == std::string::npos)
      return std::nullopt;
    auto len = std::stoull(bytes.substr(pos, colon - pos));
    if (colon + 1 + len > bytes.size())
      return std::nullopt;
    log[i] = bytes.substr(colon + 1, len);
    pos = colon + 1 + len;
  }
  if (pos != bytes.size())
    return std::nullopt;
  return std::make_pair(index, std::move(log));
}

} // namespace

struct test_cluster::impl {
  options opts;
  std::uint64_t seed;
  caf::actor_system_config cfg;
  caf::actor_system sys;
  std::vector<peer_id> ids;
  std::unique_ptr<sim_network> net;
  std::vector<std::shared_ptr<memory_persister>> persisters;
  std::vector<peer_actor> peers;
  std::vector<std::uint64_t> incarnations;
  std::mt19937_64 rng;

  mutable std::mutex watch_mtx;
  /// Election Safety over every role change and observed state, State Machine Safety and
  /// in-order applies over the apply channels (testing/safety_monitor.hpp).
  testing::safety_monitor monitor;
  std::vector<std::string> failures; ///< peers that stopped on a fatal error, apply errors
  std::vector<observed_role> log;
  // The apply channel (guarded by watch_mtx): what each peer's service applied.
  std::vector<std::map<log_index, std::string>> logs; ///< [peer - 1]: index → command (logs[i])
  std::vector<log_index> last_applied;                    ///< [peer - 1]
  log_index highest = 0;                                  ///< maxIndex

  explicit impl(options o)
    : opts(std::move(o)),
      seed(opts.seed ? opts.seed : draw_seed()),
      sys(configure(cfg)),
      rng(seed) {
    for (std::size_t i = 1; i <= opts.peers; ++i)
      ids.push_back(static_cast<peer_id>(i));
    net = std::make_unique<sim_network>(sys, ids, seed ^ 0x9e3779b97f4a7c15ULL);
    net->set_unreliable(opts.unreliable);
    net->set_long_reordering(opts.long_reordering);
    persisters.resize(ids.size());
    peers.resize(ids.size());
    incarnations.assign(ids.size(), 0);
    logs.resize(ids.size());
    last_applied.assign(ids.size(), 0);
    for (auto id : ids) {
      persisters[id - 1] = std::make_shared<memory_persister>();
      spawn(id);
    }
  }

  /// The seed and the last role changes, for failure messages.
  std::string where() const {
    std::ostringstream os;
    os << " [cluster seed " << seed << "]";
    std::lock_guard<std::mutex> guard{watch_mtx};
    auto first = log.size() > 40 ? log.size() - 40 : 0;
    if (first < log.size())
      os << "\n  last role changes (ms since the first one):";
    for (auto i = first; i < log.size(); ++i)
      os << "\n    "
         << std::chrono::duration_cast<std::chrono::milliseconds>(log[i].at - log.front().at)
              .count()
         << " peer " << log[i].peer << " term " << log[i].term << " " << to_string(log[i].role);
    return os.str();
  }

  void on_event(std::uint64_t incarnation, const peer_event& ev) {
    std::lock_guard<std::mutex> guard{watch_mtx};
    if (incarnation != incarnations[ev.peer - 1])
      return; // a crashed incarnation's last words (its store refuses it after the crash)
    if (auto* r = std::get_if<role_changed>(&ev.what)) {
      observed_role o{std::chrono::steady_clock::now(), ev.peer, r->role, r->term, r->leader};
      log.push_back(o);
      monitor.observe_role(ev.peer, r->term, r->role == role::leader, r->leader);
      if (opts.on_role_change)
        opts.on_role_change(o);
    } else if (auto* fatal = std::get_if<std::string>(&ev.what)) {
      failures.push_back("peer " + std::to_string(ev.peer) + " " + *fatal);
    }
    // Rejected messages are not failures: every sender is a member, but a RequestVote
    // ignored under a leader's lease (thesis §4.2.3) is reported as rejected.
  }

  /// The apply channel of peer `id`: the course's applier (checkLogs through the safety
  /// monitor), or applierSnap with snapshots. logs[i] is the service's state.
  void on_apply(peer_id id, std::uint64_t incarnation, const applied& what) {
    std::lock_guard<std::mutex> guard{watch_mtx};
    if (incarnation != incarnations[id - 1])
      return; // a crashed incarnation's last words
    if (auto* snap = std::get_if<apply_snapshot>(&what)) {
      // applierSnap: ingestSnap.
      auto decoded = decode_service(*snap->data);
      if (!decoded) {
        failures.push_back("apply error: server " + std::to_string(id) +
                           " snapshot does not decode");
        return;
      }
      if (decoded->first != snap->index) {
        failures.push_back("apply error: server " + std::to_string(id) +
                           " snapshot doesn't match m.SnapshotIndex");
        return;
      }
      monitor.observe_snapshot(id, snap->index); // its commands were checked when applied
      for (auto& [i, cmd] : decoded->second)
        highest = std::max(highest, i);
      logs[id - 1] = std::move(decoded->second);
      last_applied[id - 1] = snap->index;
      return;
    }
    const auto& a = std::get<apply>(what);
    for (std::size_t k = 0; k < a.entries.size(); ++k) {
      auto index = a.first + k;
      const auto& cmd = a.entries[k].command;
      monitor.observe_applied(id, index, cmd); // checkLogs and the order of applies
      logs[id - 1][index] = cmd;
      highest = std::max(highest, index);
      last_applied[id - 1] = index;
      if (opts.snapshots && (index + 1) % 10 == 0) {
        // applierSnap: Snapshot(index, the service's state) every 10 entries, from the
        // applier; it reaches the peer after the step that applied the entry.
        caf::anon_send(peers[id - 1], snapshot_atom::value, index,
                       encode_service(index, logs[id - 1]));
      }
    }
  }

  void spawn(peer_id id) {
    peer_config pc;
    std::uint64_t incarnation;
    {
      std::lock_guard<std::mutex> guard{watch_mtx};
      incarnation = ++incarnations[id - 1];
    }
    pc.core = node::with_defaults(id, ids, opts.timing, seed * 1000003 + id * 7919 + incarnation);
    pc.core.features = opts.features;
    for (auto other : ids)
      if (other != id)
        pc.links.emplace(other, net->link(id, other));
    pc.store = persisters[id - 1]->open();
    if (opts.kv) {
      pc.machine = std::make_shared<kv::kv_store>();
      pc.snapshot_every = opts.kv_snapshot_every;
    }
    pc.observer = [this, incarnation](const peer_event& ev) { on_event(incarnation, ev); };
    pc.sink = [this, incarnation](peer_id self, const applied& what) {
      on_apply(self, incarnation, what);
    };
    {
      // Under the lock, so the new peer's first apply (its stored snapshot) waits until its
      // handle is known to on_apply.
      std::lock_guard<std::mutex> guard{watch_mtx};
      last_applied[id - 1] = 0; // start1: lastApplied[i] = 0; logs[i] are kept
      monitor.peer_restarted(id, 0);
      peers[id - 1] = spawn_peer(sys, std::move(pc));
    }
    net->attach(id, peers[id - 1]);
  }

  peer_actor handle(peer_id id) const {
    std::lock_guard<std::mutex> guard{watch_mtx};
    return peers.at(id - 1);
  }

  void stop(peer_id id) {
    peer_actor p;
    {
      std::lock_guard<std::mutex> guard{watch_mtx};
      p = peers.at(id - 1);
    }
    if (!p)
      return;
    net->detach(id);
    // Wait until it is gone, so it provably sends (and applies) nothing after this returns.
    caf::scoped_actor self{sys};
    self->monitor(p);
    self->send(p, kill_atom::value);
    self->receive([](const caf::down_msg&) {},
                  caf::after(std::chrono::seconds(5)) >> [] {});
    std::lock_guard<std::mutex> guard{watch_mtx};
    peers[id - 1] = nullptr;
  }
};

test_cluster::test_cluster(options opts) : impl_(std::make_unique<impl>(std::move(opts))) {
}

test_cluster::~test_cluster() {
  for (auto id : impl_->ids)
    impl_->stop(id);
  impl_->net->shutdown();
}

std::size_t test_cluster::size() const {
  return impl_->ids.size();
}

std::uint64_t test_cluster::seed() const {
  return impl_->seed;
}

void test_cluster::connect(peer_id id) {
  impl_->net->connect(id);
}

void test_cluster::disconnect(peer_id id) {
  impl_->net->disconnect(id);
}

bool test_cluster::connected(peer_id id) const {
  return impl_->net->connected(id);
}

void test_cluster::set_link(peer_id from, peer_id to, bool enabled) {
  impl_->net->set_link(from, to, enabled);
}

void test_cluster::set_unreliable(bool on) {
  impl_->net->set_unreliable(on);
}

void test_cluster::set_long_reordering(bool on) {
  impl_->net->set_long_reordering(on);
}

void test_cluster::partition(const std::vector<std::vector<peer_id>>& groups) {
  std::map<peer_id, std::size_t> group_of;
  for (std::size_t g = 0; g < groups.size(); ++g)
    for (auto id : groups[g])
      group_of[id] = g + 1;
  for (auto a : impl_->ids)
    for (auto b : impl_->ids)
      if (a != b)
        impl_->net->set_link(a, b, group_of[a] != 0 && group_of[a] == group_of[b]);
}

std::optional<test_cluster::peer_state> test_cluster::get_state(peer_id id) {
  auto p = impl_->handle(id);
  if (!p)
    return std::nullopt;
  std::optional<peer_state> result;
  caf::scoped_actor self{impl_->sys};
  self->request(p, std::chrono::seconds(1), get_state_atom::value)
    .receive([&](term_t term, bool is_leader) { result = peer_state{term, is_leader}; },
             [](caf::error&) {});
  if (result)
    impl_->monitor.observe_role(id, result->term, result->is_leader);
  return result;
}

std::optional<persistent_state> test_cluster::held_term_and_vote(peer_id id) {
  auto p = impl_->handle(id);
  if (!p)
    return std::nullopt;
  std::optional<persistent_state> result;
  caf::scoped_actor self{impl_->sys};
  self->request(p, std::chrono::seconds(1), get_vote_atom::value)
    .receive(
      [&](term_t term, peer_id vote) {
        result = persistent_state{};
        result->current_term = term;
        result->voted_for = vote ? std::optional<peer_id>{vote} : std::nullopt;
      },
      [](caf::error&) {});
  return result;
}

persistent_state test_cluster::stored_term_and_vote(peer_id id) const {
  auto s = impl_->persisters.at(id - 1)->persisted();
  persistent_state result;
  result.current_term = s.current_term;
  result.voted_for = s.voted_for;
  return result;
}

persistent_state test_cluster::persisted(peer_id id) const {
  return to_persistent_state(impl_->persisters.at(id - 1)->persisted());
}

void test_cluster::kill(peer_id id) {
  impl_->stop(id);
}

void test_cluster::crash(peer_id id) {
  impl_->net->detach(id); // what is in flight to it dies with it
  {
    // From here on the running incarnation is gone: whatever it still does before it stops
    // (apply, report, fail on its refused store) is not the peer's (the course's crash1
    // copies the Persister first for the same reason).
    std::lock_guard<std::mutex> guard{impl_->watch_mtx};
    ++impl_->incarnations[id - 1];
  }
  impl_->persisters.at(id - 1)->crash(); // a power cut: unsynced writes are lost
  impl_->stop(id);
}

void test_cluster::restart(peer_id id) {
  if (alive(id))
    crash(id);
  impl_->spawn(id);
}

void test_cluster::crash1(peer_id id) {
  disconnect(id);
  crash(id);
}

void test_cluster::start1(peer_id id) {
  crash1(id);
  impl_->spawn(id); // isolated until connect(id): crash1 disconnected it
}

std::optional<test_cluster::start_result> test_cluster::start(peer_id id,
                                                               const std::string& command) {
  auto p = impl_->handle(id);
  if (!p)
    return std::nullopt;
  std::optional<start_result> result;
  caf::scoped_actor self{impl_->sys};
  self->request(p, std::chrono::seconds(1), propose_atom::value, command)
    .receive([&](log_index index, term_t term,
                 bool is_leader) { result = start_result{index, term, is_leader}; },
             [](caf::error&) {});
  return result;
}

std::pair<std::size_t, std::optional<std::string>> test_cluster::n_committed(log_index index) {
  std::lock_guard<std::mutex> guard{impl_->watch_mtx};
  if (!impl_->failures.empty())
    throw cluster_check_failed(impl_->failures.front());
  if (!impl_->monitor.ok())
    throw cluster_check_failed("apply error: " + impl_->monitor.violations().front());
  auto verdict = testing::committed_at(impl_->logs, index);
  if (auto* failure = std::get_if<std::string>(&verdict))
    throw cluster_check_failed(*failure);
  auto& c = std::get<testing::committed>(verdict);
  return {c.count, c.command};
}

std::optional<std::string> test_cluster::wait(log_index index, std::size_t n,
                                              std::optional<term_t> start_term) {
  auto to = std::chrono::milliseconds(10);
  for (int iters = 0; iters < 30; ++iters) {
    auto [nd, cmd] = n_committed(index);
    if (nd >= n)
      break;
    std::this_thread::sleep_for(to);
    if (to < std::chrono::seconds(1))
      to *= 2;
    if (start_term)
      for (auto id : impl_->ids)
        if (auto st = get_state(id); st && st->term > *start_term)
          return std::nullopt; // someone has moved on; can no longer guarantee a win
  }
  auto [nd, cmd] = n_committed(index);
  if (nd < n)
    throw cluster_check_failed("only " + std::to_string(nd) + " decided for index " +
                               std::to_string(index) + "; wanted " + std::to_string(n) + " (" +
                               describe_index(index) + ")" + impl_->where());
  return cmd;
}

log_index test_cluster::one(const std::string& command, std::size_t expected, bool retry) {
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  std::size_t starts = 0;
  std::optional<log_index> last_index; // where the last attempt put the command
  while (clock::now() - t0 < std::chrono::seconds(10)) {
    // Try all the servers, maybe one is the leader.
    std::optional<log_index> index;
    for (std::size_t si = 0; si < impl_->ids.size(); ++si) {
      starts = (starts + 1) % impl_->ids.size();
      auto id = impl_->ids[starts];
      if (!connected(id))
        continue;
      if (auto r = start(id, command); r && r->is_leader) {
        index = r->index;
        break;
      }
    }
    if (index) {
      last_index = index;
      // Somebody claimed to be the leader and to have submitted our command; wait a while
      // for agreement.
      auto t1 = clock::now();
      while (clock::now() - t1 < std::chrono::seconds(2)) {
        auto [nd, cmd] = n_committed(*index);
        if (nd > 0 && nd >= expected && cmd == command)
          return *index; // committed
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (!retry)
        throw cluster_check_failed("one(" + shown(command) +
                                   ") failed to reach agreement (wanted " +
                                   std::to_string(expected) + " peers; " +
                                   describe_index(*index) + ")" + impl_->where());
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  throw cluster_check_failed(
    "one(" + shown(command) + ") failed to reach agreement (wanted " + std::to_string(expected) +
    " peers; " +
    (last_index ? "last submitted at " + describe_index(*last_index)
                : std::string("no connected peer accepted it")) +
    ")" + impl_->where());
}

std::uint64_t test_cluster::log_size() const {
  std::uint64_t most = 0;
  for (auto& p : impl_->persisters)
    most = std::max(most, p->size_bytes());
  return most;
}

log_index test_cluster::max_index() const {
  std::lock_guard<std::mutex> guard{impl_->watch_mtx};
  return impl_->highest;
}

std::optional<std::string> test_cluster::applied_at(peer_id id, log_index index) const {
  std::lock_guard<std::mutex> guard{impl_->watch_mtx};
  auto& l = impl_->logs.at(id - 1);
  auto it = l.find(index);
  if (it == l.end())
    return std::nullopt;
  return it->second;
}

namespace {

/// Requests straight to the peer actors (test_cluster::client_transport).
class cluster_transport final : public kv_transport {
public:
  cluster_transport(test_cluster::impl& c, caf::actor_system& sys) : c_(c), self_(sys, true) {}

  std::vector<peer_id> members() const override;
  std::optional<client_reply> call(peer_id id, const client_request& req,
                                   std::chrono::milliseconds limit,
                                   bool& may_have_arrived) override;

private:
  test_cluster::impl& c_;
  caf::scoped_actor self_;
};

} // namespace

std::vector<peer_id> cluster_transport::members() const {
  return c_.ids;
}

std::optional<client_reply> cluster_transport::call(peer_id id, const client_request& req,
                                                    std::chrono::milliseconds limit,
                                                    bool& may_have_arrived) {
  auto p = c_.handle(id);
  may_have_arrived = static_cast<bool>(p);
  if (!p)
    return std::nullopt;
  std::optional<client_reply> reply;
  self_->request(p, limit, req).receive([&](client_reply& r) { reply = std::move(r); },
                                        [](caf::error&) {});
  return reply;
}

std::shared_ptr<kv_transport> test_cluster::client_transport() {
  return std::make_shared<cluster_transport>(*impl_, impl_->sys);
}

std::string test_cluster::describe_index(log_index index) const {
  std::vector<std::optional<std::string>> what;
  {
    std::lock_guard<std::mutex> guard{impl_->watch_mtx};
    for (auto id : impl_->ids) {
      auto& l = impl_->logs[id - 1];
      auto it = l.find(index);
      what.push_back(it == l.end() ? std::nullopt : std::optional<std::string>{it->second});
    }
  }
  std::string out = "index " + std::to_string(index) + ":";
  for (std::size_t k = 0; k < impl_->ids.size(); ++k) {
    auto id = impl_->ids[k];
    out += (k ? ", peer " : " peer ") + std::to_string(id);
    if (!alive(id))
      out += " (crashed)";
    else if (!connected(id))
      out += " (disconnected)";
    out += what[k] ? " applied " + shown(*what[k]) : std::string(" applied nothing");
  }
  return out;
}

std::uint64_t test_cluster::rpc_count(peer_id id) const {
  return impl_->net->requests_delivered_to(id);
}

bool test_cluster::alive(peer_id id) const {
  return static_cast<bool>(impl_->handle(id));
}

peer_id test_cluster::check_one_leader() {
  for (int round = 0; round < 10; ++round) {
    auto ms = 450 + static_cast<long>(impl_->rng() % 100);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    auto states = connected_states();
    check_safety();
    auto verdict = testing::one_leader_round(states);
    if (auto* failure = std::get_if<std::string>(&verdict))
      throw cluster_check_failed(*failure + impl_->where());
    if (auto leader = std::get<std::optional<std::uint64_t>>(verdict))
      return static_cast<peer_id>(*leader);
  }
  throw cluster_check_failed("expected one leader, got none" + impl_->where());
}

term_t test_cluster::check_terms() {
  auto verdict = testing::agreed_term(connected_states()); // a killed peer does not answer
  check_safety();
  if (auto* failure = std::get_if<std::string>(&verdict))
    throw cluster_check_failed(*failure + impl_->where());
  return std::get<std::uint64_t>(verdict);
}

std::vector<testing::observed_state> test_cluster::connected_states() {
  std::vector<testing::observed_state> out;
  for (auto id : impl_->ids)
    if (connected(id))
      if (auto st = get_state(id))
        out.push_back({id, st->term, st->is_leader});
  return out;
}

void test_cluster::check_no_leader() {
  if (auto failure = testing::any_leader(connected_states()))
    throw cluster_check_failed(*failure + impl_->where());
  check_safety();
}

std::vector<std::string> test_cluster::violations() const {
  auto v = impl_->monitor.violations();
  std::lock_guard<std::mutex> guard{impl_->watch_mtx};
  v.insert(v.end(), impl_->failures.begin(), impl_->failures.end());
  return v;
}

void test_cluster::check_safety() const {
  auto v = violations();
  if (!v.empty())
    throw cluster_check_failed("safety violation: " + v.front() + impl_->where());
}

std::vector<observed_role> test_cluster::role_log() const {
  std::lock_guard<std::mutex> guard{impl_->watch_mtx};
  return impl_->log;
}

std::uint64_t test_cluster::total_messages() const {
  return impl_->net->total().messages;
}

std::uint64_t test_cluster::total_bytes() const {
  return impl_->net->total().bytes;
}

std::uint64_t test_cluster::delivered_to(peer_id id) const {
  return impl_->net->delivered_to(id);
}

std::uint64_t test_cluster::sent_by(peer_id id) const {
  return impl_->net->sent_by(id);
}

std::uint64_t test_cluster::sent_of_kind(peer_id from, std::size_t kind) const {
  std::uint64_t n = 0;
  for (auto to : impl_->ids)
    if (to != from)
      n += impl_->net->sent(from, to, kind);
  return n;
}

std::uint64_t test_cluster::sent_of_kind(std::size_t kind) const {
  std::uint64_t n = 0;
  for (auto from : impl_->ids)
    n += sent_of_kind(from, kind);
  return n;
}

std::uint64_t test_cluster::heartbeats_sent(peer_id from, peer_id to) const {
  return impl_->net->sent(from, to, 2);
}

} // namespace raft

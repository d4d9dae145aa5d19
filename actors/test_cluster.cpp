#include "actors/test_cluster.hpp"

#include <caf/all.hpp>

#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "actors/peer.hpp"
#include "actors/sim_network.hpp"
#include "messages/registration.hpp"

namespace raft {

namespace {

caf::actor_system_config& configure(caf::actor_system_config& cfg) {
  register_messages(cfg);
  // With CAF's default (unbounded) throughput an actor that keeps messaging itself can
  // starve another actor's timer; one message per turn keeps timers punctual.
  cfg.set("scheduler.max-throughput", 1);
  return cfg;
}

std::uint64_t draw_seed() {
  std::random_device rd;
  return (std::uint64_t{rd()} << 32) ^ rd();
}

} // namespace

struct test_cluster::impl {
  options opts;
  std::uint64_t seed;
  caf::actor_system_config cfg;
  caf::actor_system sys;
  std::vector<peer_id> ids;
  std::unique_ptr<sim_network> net;
  std::vector<std::shared_ptr<memory_store>> stores;
  std::vector<peer_actor> peers;
  std::vector<std::uint64_t> incarnations;
  std::mt19937_64 rng;

  mutable std::mutex watch_mtx;
  std::map<term_t, peer_id> leaders; // every (term, leader) claimed or observed
  std::vector<std::string> violations;
  std::vector<observed_role> log;

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
    stores.resize(ids.size());
    peers.resize(ids.size());
    incarnations.assign(ids.size(), 0);
    for (auto id : ids) {
      stores[id - 1] = std::make_shared<memory_store>();
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

  void note_leader(peer_id peer, term_t term, const char* how) {
    auto [it, fresh] = leaders.emplace(term, peer);
    if (!fresh && it->second != peer) {
      std::ostringstream os;
      os << "term " << term << " has two leaders: " << it->second << " and " << peer << " ("
         << how << ")";
      violations.push_back(os.str());
    }
  }

  void on_event(const peer_event& ev) {
    std::lock_guard<std::mutex> guard{watch_mtx};
    if (auto* r = std::get_if<role_changed>(&ev.what)) {
      observed_role o{std::chrono::steady_clock::now(), ev.peer, r->role, r->term, r->leader};
      log.push_back(o);
      if (r->role == role::leader)
        note_leader(ev.peer, r->term, "role change");
      if (opts.on_role_change)
        opts.on_role_change(o);
    } else if (auto* fatal = std::get_if<std::string>(&ev.what)) {
      violations.push_back("peer " + std::to_string(ev.peer) + " " + *fatal);
    }
    // Rejected messages are not failures: every sender is a member, but a RequestVote
    // ignored under a leader's lease (thesis §4.2.3) is reported as rejected.
  }

  void spawn(peer_id id) {
    peer_config pc;
    pc.core = node::with_defaults(id, ids, opts.timing,
                                           seed * 1000003 + id * 7919 + incarnations[id - 1]++);
    pc.core.features.pre_vote = opts.pre_vote;
    pc.core.features.check_quorum = opts.check_quorum;
    for (auto other : ids)
      if (other != id)
        pc.links.emplace(other, net->link(id, other));
    pc.store = stores[id - 1];
    pc.observer = [this](const peer_event& ev) { on_event(ev); };
    peers[id - 1] = spawn_peer(sys, std::move(pc));
    net->attach(id, peers[id - 1]);
  }

  void stop(peer_id id) {
    auto& p = peers.at(id - 1);
    if (!p)
      return;
    net->detach(id);
    // Wait until it is gone, so it provably sends nothing after this returns.
    caf::scoped_actor self{sys};
    self->monitor(p);
    self->send(p, kill_atom::value);
    self->receive([](const caf::down_msg&) {},
                  caf::after(std::chrono::seconds(5)) >> [] {});
    p = nullptr;
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
  auto p = impl_->peers.at(id - 1);
  if (!p)
    return std::nullopt;
  std::optional<peer_state> result;
  caf::scoped_actor self{impl_->sys};
  self->request(p, std::chrono::seconds(1), get_state_atom::value)
    .receive([&](term_t term, bool is_leader) { result = peer_state{term, is_leader}; },
             [](caf::error&) {});
  if (result && result->is_leader) {
    std::lock_guard<std::mutex> guard{impl_->watch_mtx};
    impl_->note_leader(id, result->term, "get_state");
  }
  return result;
}

std::optional<persistent_state> test_cluster::held_term_and_vote(peer_id id) {
  auto p = impl_->peers.at(id - 1);
  if (!p)
    return std::nullopt;
  std::optional<persistent_state> result;
  caf::scoped_actor self{impl_->sys};
  self->request(p, std::chrono::seconds(1), get_vote_atom::value)
    .receive(
      [&](term_t term, peer_id vote) {
        result = persistent_state{term, vote ? std::optional<peer_id>{vote} : std::nullopt, {}};
      },
      [](caf::error&) {});
  return result;
}

persistent_state test_cluster::stored_term_and_vote(peer_id id) const {
  auto s = impl_->stores.at(id - 1)->load();
  return {s.current_term, s.voted_for, {}};
}

void test_cluster::kill(peer_id id) {
  impl_->stop(id);
}

void test_cluster::crash(peer_id id) {
  impl_->stop(id);
}

void test_cluster::restart(peer_id id) {
  impl_->stop(id);
  impl_->spawn(id);
}

bool test_cluster::alive(peer_id id) const {
  return static_cast<bool>(impl_->peers.at(id - 1));
}

peer_id test_cluster::check_one_leader() {
  for (int round = 0; round < 10; ++round) {
    auto ms = 450 + static_cast<long>(impl_->rng() % 100);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    std::map<term_t, std::vector<peer_id>> leaders;
    for (auto id : impl_->ids) {
      if (!connected(id))
        continue;
      if (auto st = get_state(id); st && st->is_leader)
        leaders[st->term].push_back(id);
    }
    check_safety();
    for (auto& [term, who] : leaders)
      if (who.size() > 1)
        throw cluster_check_failed("term " + std::to_string(term) + " has " +
                                   std::to_string(who.size()) + " (>1) leaders" +
                                   impl_->where());
    if (!leaders.empty())
      return leaders.rbegin()->second.front();
  }
  throw cluster_check_failed("expected one leader, got none" + impl_->where());
}

term_t test_cluster::check_terms() {
  std::optional<term_t> term;
  for (auto id : impl_->ids) {
    if (!connected(id))
      continue;
    auto st = get_state(id);
    if (!st)
      continue; // a killed peer has no term to agree on
    if (term && *term != st->term)
      throw cluster_check_failed("servers disagree on term" + impl_->where());
    term = st->term;
  }
  check_safety();
  if (!term)
    throw cluster_check_failed("no connected peer answered" + impl_->where());
  return *term;
}

void test_cluster::check_no_leader() {
  for (auto id : impl_->ids) {
    if (!connected(id))
      continue;
    if (auto st = get_state(id); st && st->is_leader)
      throw cluster_check_failed("expected no leader among connected servers, but " +
                                 std::to_string(id) + " claims to be leader" + impl_->where());
  }
  check_safety();
}

std::vector<std::string> test_cluster::violations() const {
  std::lock_guard<std::mutex> guard{impl_->watch_mtx};
  return impl_->violations;
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

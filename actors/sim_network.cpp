#include "actors/sim_network.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <random>

#include "core/message.hpp"

namespace raft {

namespace {

using deliver_atom = caf::atom_constant<caf::atom("deliver")>;

/// A link actor also accepts its own delayed deliveries.
using sim_link_actor =
  link_actor::extend_with<kind_interfaces<message_kinds>::prefixed<deliver_atom>>;

constexpr std::size_t kinds = message_kind_count;

struct verdict {
  bool drop = false;
  caf::timespan delay{0};
};

template <class T>
std::uint64_t serialized_size(T msg) {
  std::vector<char> buf;
  caf::binary_serializer sink{nullptr, buf};
  auto err = sink(msg);
  return err ? 0 : buf.size();
}

} // namespace

struct sim_network::impl {
  mutable std::mutex mtx;
  std::vector<peer_id> ids;
  std::map<peer_id, std::size_t> index; // id → position in ids
  std::vector<std::vector<bool>> enabled;
  std::vector<bool> is_connected;
  std::vector<peer_actor> peers;
  std::vector<std::vector<sim_link_actor>> links;
  bool unreliable = false;
  bool long_reordering = false;
  std::mt19937_64 rng;
  totals all;
  std::vector<std::uint64_t> delivered, requests_delivered, sent_from;
  std::vector<std::vector<std::array<std::uint64_t, kinds>>> sent_kind;

  std::size_t at(peer_id id) const {
    auto i = index.find(id);
    if (i == index.end())
      throw std::out_of_range("no peer " + std::to_string(id) + " in the test network");
    return i->second;
  }

  std::uint64_t below(std::uint64_t n) { return rng() % n; }

  /// Counts a message sent on from → to and decides its fate (TESTER.md semantics).
  verdict route(std::size_t from, std::size_t to, std::size_t kind, bool reply,
                std::uint64_t bytes) {
    std::lock_guard<std::mutex> guard{mtx};
    ++all.messages;
    all.bytes += bytes;
    ++sent_from[from];
    ++sent_kind[from][to][kind];
    verdict v;
    if (!enabled[from][to]) {
      v.drop = true;
      return v;
    }
    if (!reply) {
      if (unreliable) {
        v.delay = std::chrono::milliseconds(below(27));
        v.drop = below(1000) < 100;
      }
    } else {
      if (unreliable && below(1000) < 100) {
        v.drop = true;
      } else if (long_reordering && below(900) < 600) {
        v.delay = std::chrono::milliseconds(200 + below(1 + below(2000)));
      }
    }
    return v;
  }

  /// The destination, if the link is still enabled at delivery time and the peer lives.
  peer_actor destination(std::size_t from, std::size_t to, bool reply) {
    std::lock_guard<std::mutex> guard{mtx};
    if (!enabled[from][to] || !peers[to])
      return {};
    ++delivered[to];
    if (!reply)
      ++requests_delivered[to];
    return peers[to];
  }
};

namespace {

struct link_state {
  std::shared_ptr<sim_network::impl> net;
  std::size_t from = 0;
  std::size_t to = 0;
  static inline const char* name = "sim_link";
};

using link_pointer = sim_link_actor::stateful_pointer<link_state>;

template <class T>
void deliver(link_pointer self, T& msg) {
  if (auto dest = self->state.net->destination(self->state.from, self->state.to, T::is_reply))
    self->send(dest, std::move(msg));
}

template <class T>
void on_send(link_pointer self, T& msg) {
  auto& st = self->state;
  message as_variant{msg};
  auto v = st.net->route(st.from, st.to, as_variant.index(), is_reply(as_variant),
                         serialized_size(msg));
  if (v.drop)
    return;
  if (v.delay.count() == 0)
    deliver(self, msg);
  else
    self->delayed_send(self, v.delay, deliver_atom::value, std::move(msg));
}

/// One handler per kind for sending, then one per kind for the delayed delivery.
template <class... Ts>
sim_link_actor::behavior_type sim_link_handlers(link_pointer self, type_list<Ts...>) {
  return {[self](Ts& m) { on_send(self, m); }...,
          [self](deliver_atom, Ts& m) { deliver(self, m); }...};
}

sim_link_actor::behavior_type sim_link(link_pointer self, std::shared_ptr<sim_network::impl> net,
                                       std::size_t from, std::size_t to) {
  self->state.net = std::move(net);
  self->state.from = from;
  self->state.to = to;
  return sim_link_handlers(self, message_kinds{});
}

} // namespace

sim_network::sim_network(caf::actor_system& sys, std::vector<peer_id> ids, std::uint64_t seed)
  : impl_(std::make_shared<impl>()) {
  auto& d = *impl_;
  auto n = ids.size();
  d.ids = std::move(ids);
  for (std::size_t i = 0; i < n; ++i)
    d.index[d.ids[i]] = i;
  d.enabled.assign(n, std::vector<bool>(n, true));
  d.is_connected.assign(n, true);
  d.peers.resize(n);
  d.rng.seed(seed);
  d.delivered.assign(n, 0);
  d.requests_delivered.assign(n, 0);
  d.sent_from.assign(n, 0);
  d.sent_kind.assign(n, std::vector<std::array<std::uint64_t, kinds>>(n, std::array<std::uint64_t, kinds>{}));
  d.links.resize(n, std::vector<sim_link_actor>(n));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      if (i != j)
        d.links[i][j] = sys.spawn(sim_link, impl_, i, j);
}

sim_network::~sim_network() {
  shutdown();
}

void sim_network::shutdown() {
  std::vector<sim_link_actor> all;
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    for (auto& row : impl_->links)
      for (auto& l : row)
        if (l)
          all.push_back(std::move(l));
    for (auto& p : impl_->peers)
      p = nullptr;
  }
  for (auto& l : all)
    caf::anon_send_exit(l, caf::exit_reason::user_shutdown);
}

link_actor sim_network::link(peer_id from, peer_id to) const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  return impl_->links[impl_->at(from)][impl_->at(to)];
}

void sim_network::attach(peer_id id, peer_actor handle) {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  impl_->peers[impl_->at(id)] = std::move(handle);
}

void sim_network::detach(peer_id id) {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  impl_->peers[impl_->at(id)] = nullptr;
}

void sim_network::connect(peer_id id) {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  auto& d = *impl_;
  auto i = d.at(id);
  d.is_connected[i] = true;
  for (std::size_t j = 0; j < d.ids.size(); ++j)
    if (j != i && d.is_connected[j])
      d.enabled[i][j] = d.enabled[j][i] = true;
}

void sim_network::disconnect(peer_id id) {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  auto& d = *impl_;
  auto i = d.at(id);
  d.is_connected[i] = false;
  for (std::size_t j = 0; j < d.ids.size(); ++j)
    if (j != i)
      d.enabled[i][j] = d.enabled[j][i] = false;
}

bool sim_network::connected(peer_id id) const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  return impl_->is_connected[impl_->at(id)];
}

void sim_network::set_link(peer_id from, peer_id to, bool enabled) {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  impl_->enabled[impl_->at(from)][impl_->at(to)] = enabled;
}

void sim_network::set_unreliable(bool on) {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  impl_->unreliable = on;
}

void sim_network::set_long_reordering(bool on) {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  impl_->long_reordering = on;
}

sim_network::totals sim_network::total() const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  return impl_->all;
}

std::uint64_t sim_network::delivered_to(peer_id id) const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  return impl_->delivered[impl_->at(id)];
}

std::uint64_t sim_network::requests_delivered_to(peer_id id) const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  return impl_->requests_delivered[impl_->at(id)];
}

std::uint64_t sim_network::sent_by(peer_id id) const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  return impl_->sent_from[impl_->at(id)];
}

std::uint64_t sim_network::sent(peer_id from, peer_id to, std::size_t kind) const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  return impl_->sent_kind[impl_->at(from)][impl_->at(to)].at(kind);
}

} // namespace raft

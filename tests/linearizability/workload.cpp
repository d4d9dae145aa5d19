#include "workload.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <random>

namespace raft::linearizability {

namespace lc = raft::lincheck;

workload::workload(caf::actor_system& sys, std::vector<peer_address> members,
                   workload_options opts, lincheck::recorder& rec)
  : sys_(sys), members_(std::move(members)), opts_(opts), rec_(rec) {
  for (std::size_t i = 0; i < opts_.clients; ++i)
    stats_.push_back(std::make_unique<per_client>());
  for (std::size_t i = 0; i < opts_.clients; ++i)
    threads_.emplace_back([this, i] { run_client(i); });
}

workload::~workload() {
  stop();
}

void workload::stop() {
  stopping_ = true;
  for (auto& t : threads_)
    if (t.joinable())
      t.join();
}

std::uint64_t workload_counts::fewest_done() const {
  return done_by_client.empty() ? 0 : *std::min_element(done_by_client.begin(),
                                                         done_by_client.end());
}

workload_counts workload::counts() const {
  workload_counts out;
  for (auto& s : stats_) {
    auto done = s->done.load();
    out.done += done;
    out.unknown += s->unknown.load();
    out.not_done += s->not_done.load();
    out.done_by_client.push_back(done);
  }
  return out;
}

void workload::run_client(std::size_t index) {
  const lc::client_id id = index + 1;
  auto& stats = *stats_[index];
  // The client's blocking actor belongs to this thread (kv_client.hpp: one per thread).
  kv_client client{sys_, members_, opts_.client};
  std::mt19937_64 rng{opts_.seed + id};
  auto draw = [&](std::uint64_t n) { return static_cast<std::size_t>(rng() % n); };
  std::map<std::string, std::optional<std::string>> last_seen; // per key: for cas
  std::uint64_t writes = 0;
  auto settle = [&](lc::recorder::ticket t, const kv_result& r, auto&& outcome_of) {
    switch (r.outcome) {
      case kv_outcome::done:
        rec_.returned(t, outcome_of(r));
        ++stats.done;
        return true;
      case kv_outcome::unknown:
        rec_.unknown(t);
        ++stats.unknown;
        return false;
      case kv_outcome::refused:
      case kv_outcome::unavailable:
        rec_.not_done(t);
        ++stats.not_done;
        return false;
    }
    return false;
  };
  while (!stopping_) {
    const std::string key = "k" + std::to_string(draw(opts_.keys));
    const unsigned roll = static_cast<unsigned>(draw(100));
    const std::string value = "c" + std::to_string(id) + "." + std::to_string(++writes);
    if (roll < opts_.get_percent) {
      auto t = rec_.call(id, key, lc::get_command());
      auto r = client.get(key);
      if (settle(t, r, [](const kv_result& x) {
            return lc::got(x.found ? x.value : std::nullopt);
          }))
        last_seen[key] = r.found ? r.value : std::nullopt;
    } else if (roll < opts_.get_percent + opts_.put_percent) {
      auto t = rec_.call(id, key, lc::put_command(value));
      if (settle(t, client.put(key, value), [](const kv_result&) { return lc::put_ok(); }))
        last_seen[key] = value;
    } else if (roll < opts_.get_percent + opts_.put_percent + opts_.cas_percent) {
      // Expect what this client last saw (often stale under contention: a failed cas), or
      // now and then an absent key.
      std::optional<std::string> expected;
      if (auto it = last_seen.find(key); it != last_seen.end() && draw(4) != 0)
        expected = it->second;
      auto t = rec_.call(id, key, lc::cas_command(expected, value));
      auto r = client.cas(key, expected, value);
      if (settle(t, r, [](const kv_result& x) {
            return x.swapped ? lc::cas_ok()
                             : lc::cas_failed(x.found ? x.value : std::nullopt);
          }))
        last_seen[key] = r.swapped ? std::optional<std::string>{value}
                                   : (r.found ? r.value : std::nullopt);
    } else {
      auto t = rec_.call(id, key, lc::delete_command());
      if (settle(t, client.del(key), [](const kv_result& x) { return lc::deleted(x.found); }))
        last_seen[key] = std::nullopt;
    }
  }
}

} // namespace raft::linearizability

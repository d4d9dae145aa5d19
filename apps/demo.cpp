/// raft-demo: a live 5-peer cluster in one process (no config needed). It elects a leader,
/// prints every role change, disconnects the leader, shows the new leader and how long the
/// failover took, reconnects the old leader and shows it step down. Exit status 0 when every
/// step happened within its deadline and no safety check failed, 1 otherwise.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include "actors/test_cluster.hpp"

using namespace raft;
using clock_type = std::chrono::steady_clock;

namespace {

const auto t0 = clock_type::now();

double ms_since(clock_type::time_point from, clock_type::time_point to = clock_type::now()) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

/// Polls `pred` every 5 ms until it holds or `limit` passes.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds limit) {
  auto deadline = clock_type::now() + limit;
  while (!pred()) {
    if (clock_type::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

/// The single connected peer that reports itself leader, if exactly one does.
std::optional<std::pair<peer_id, term_t>> sole_leader(test_cluster& c) {
  std::optional<std::pair<peer_id, term_t>> found;
  for (peer_id id = 1; id <= c.size(); ++id) {
    if (!c.connected(id))
      continue;
    auto st = c.get_state(id);
    if (st && st->is_leader) {
      if (found)
        return std::nullopt;
      found = std::make_pair(id, st->term);
    }
  }
  return found;
}

int fail(const std::string& why) {
  std::printf("FAILED: %s\n", why.c_str());
  return 1;
}

int usage() {
  std::fprintf(stderr, "usage: raft-demo [--peers N (3..9, default 5)] [--seed S]\n");
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  test_cluster::options opts;
  opts.peers = 5;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if ((arg == "--peers" || arg == "--seed") && i + 1 < argc) {
      char* end = nullptr;
      auto v = std::strtoull(argv[++i], &end, 10);
      if (*end != '\0')
        return usage();
      if (arg == "--peers") {
        if (v < 3 || v > 9)
          return usage();
        opts.peers = v;
      } else {
        opts.seed = v;
      }
    } else {
      return usage();
    }
  }
  opts.on_role_change = [](const observed_role& r) {
    std::printf("%9.1f ms  peer %u  term %-3llu %-9s", ms_since(t0, r.at), r.peer,
                static_cast<unsigned long long>(r.term), std::string(to_string(r.role)).c_str());
    if (r.leader)
      std::printf("  (leader: peer %u)", *r.leader);
    std::printf("\n");
    std::fflush(stdout);
  };

  std::printf("raft-demo: %zu peers in one process; heartbeat 100 ms, election timeout "
              "300-600 ms\n",
              opts.peers);
  test_cluster c{opts};
  std::printf("cluster seed %llu\n\n", static_cast<unsigned long long>(c.seed()));
  try {
    std::optional<std::pair<peer_id, term_t>> first;
    if (!wait_until([&] { return (first = sole_leader(c)).has_value(); },
                    std::chrono::seconds(5)))
      return fail("no leader within 5 s");
    auto [old_leader, old_term] = *first;
    std::printf("\n==> leader elected: peer %u in term %llu, %.0f ms after start\n\n", old_leader,
                static_cast<unsigned long long>(old_term), ms_since(t0));

    auto fault = clock_type::now();
    std::printf("%9.1f ms  disconnecting peer %u (the leader) from the network\n",
                ms_since(t0, fault), old_leader);
    c.disconnect(old_leader);
    std::optional<std::pair<peer_id, term_t>> second;
    if (!wait_until(
          [&] {
            second = sole_leader(c);
            return second && second->first != old_leader;
          },
          std::chrono::seconds(5)))
      return fail("no new leader within 5 s of the failure");
    auto [new_leader, new_term] = *second;
    // The failover time is taken from the new leader's own role change.
    double failover = 0;
    for (auto& r : c.role_log())
      if (r.peer == new_leader && r.role == role::leader && r.term == new_term)
        failover = ms_since(fault, r.at);
    std::printf("\n==> new leader: peer %u in term %llu; failover took %.0f ms\n\n", new_leader,
                static_cast<unsigned long long>(new_term), failover);

    auto heal = clock_type::now();
    std::printf("%9.1f ms  reconnecting peer %u\n", ms_since(t0, heal), old_leader);
    c.connect(old_leader);
    if (!wait_until(
          [&] {
            auto st = c.get_state(old_leader);
            return st && !st->is_leader && st->term >= new_term;
          },
          std::chrono::seconds(5)))
      return fail("the old leader did not step down within 5 s");
    std::printf("\n==> peer %u stepped down %.0f ms after reconnecting\n", old_leader,
                ms_since(heal));
    auto leader = c.check_one_leader();
    auto term = c.check_terms();
    c.check_safety();
    std::printf("==> one leader: peer %u in term %llu; all peers agree on the term; at most one "
                "leader in every term\n",
                leader, static_cast<unsigned long long>(term));
  } catch (const std::exception& ex) {
    return fail(ex.what());
  }
  return 0;
}

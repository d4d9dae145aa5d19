/// raft-demo: a live 5-peer cluster in one process (no config needed). It elects a leader,
/// prints every role change, disconnects the leader, shows the new leader and how long the
/// failover took, reconnects the old leader and shows it step down. Then the replicated
/// key-value store: it writes keys through the leader (kv_client), kills the leader, shows
/// the writes survive and new writes succeed under the new leader, and checks the recorded
/// history of every operation with the linearizability checker. Exit status 0 when every
/// step happened within its deadline and no check failed, 1 otherwise.
///
/// Role changes are printed from the peers' threads while the main thread reports the steps,
/// so every line is formatted whole first and written by `say` under one lock: no line is
/// ever split by another.

#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "apps/cli.hpp"
#include "client/kv_client.hpp"
#include "lincheck/checker.hpp"
#include "lincheck/recorder.hpp"
#include "testing/test_cluster.hpp"

using namespace raft;
using clock_type = std::chrono::steady_clock;

namespace {

const auto t0 = clock_type::now();

/// printf into a string.
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  va_list again;
  va_copy(again, args);
  auto n = std::vsnprintf(nullptr, 0, fmt, args);
  va_end(args);
  std::string out(n > 0 ? static_cast<std::size_t>(n) : 0, '\0');
  std::vsnprintf(out.data(), out.size() + 1, fmt, again);
  va_end(again);
  return out;
}

/// Writes `lines` (one or more, without the final newline) to stdout in one piece, each line
/// stripped of trailing spaces; safe from any thread.
void say(std::string lines) {
  static std::mutex mtx;
  std::string out;
  std::size_t start = 0;
  for (;;) {
    auto end = lines.find('\n', start);
    auto line = lines.substr(start, end == std::string::npos ? std::string::npos : end - start);
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  std::lock_guard<std::mutex> guard{mtx};
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

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
  say("FAILED: " + why);
  return 1;
}

/// The key-value store's part of the demo: a client writes and reads through whichever peer
/// leads, every call recorded for the linearizability checker. Throws on a failed step.
class kv_part {
public:
  explicit kv_part(test_cluster& c) : c_(c), client_(c.client_transport(), options()) {}

  void put(const std::string& key, const std::string& value) {
    auto t = rec_.call(1, key, lincheck::put_command(value));
    auto r = client_.put(key, value);
    settle(t, r, lincheck::put_ok());
    say(format("%9.1f ms  put %s = %s: %s (leader: peer %u)", ms_since(t0), key.c_str(),
               value.c_str(), r.outcome == kv_outcome::done ? "ok" : to_string(r.outcome),
               client_.leader()));
    if (r.outcome != kv_outcome::done)
      throw std::runtime_error("put " + key + ": " + to_string(r.outcome) + ": " + r.error);
  }

  void expect(const std::string& key, const std::string& value) {
    auto t = rec_.call(1, key, lincheck::get_command());
    auto r = client_.get(key);
    settle(t, r, lincheck::got(r.found ? r.value : std::nullopt));
    say(format("%9.1f ms  get %s: %s (leader: peer %u)", ms_since(t0), key.c_str(),
               r.outcome != kv_outcome::done ? to_string(r.outcome)
               : r.found                     ? r.value->c_str()
                                             : "(not found)",
               client_.leader()));
    if (r.outcome != kv_outcome::done || !r.found || *r.value != value)
      throw std::runtime_error("get " + key + " did not return " + value);
  }

  /// The whole recorded history through the checker.
  void check() {
    auto h = rec_.snapshot();
    auto verdict = lincheck::check(h);
    if (verdict.result != lincheck::verdict::linearizable)
      throw std::runtime_error("the history is " + std::string(to_string(verdict.result)) +
                               ":\n" + verdict.explanation);
    say(format("==> the history of %zu operations on %zu keys is linearizable (checked)",
               h.size(), verdict.keys));
  }

  peer_id leader() const { return client_.leader(); }

private:
  static kv_client_options options() {
    kv_client_options o;
    o.timeout = std::chrono::seconds(5);
    o.attempt = std::chrono::milliseconds(500);
    return o;
  }

  void settle(lincheck::recorder::ticket t, const kv_result& r, lincheck::outcome out) {
    if (r.outcome == kv_outcome::done)
      rec_.returned(t, std::move(out));
    else
      rec_.unknown(t); // may or may not have happened: the checker allows both
  }

  test_cluster& c_;
  kv_client client_;
  lincheck::recorder rec_;
};

} // namespace

int main(int argc, char** argv) {
  test_cluster::options opts;
  opts.peers = 5;
  CLI::App app{"Runs a live in-process cluster through a failover and checks every step.",
               "raft-demo"};
  app.option_defaults()->always_capture_default();
  app.add_option("--peers", opts.peers, "number of peers")->check(CLI::Range(3, 9));
  app.add_option("--seed", opts.seed, "seed of the peers' random election timeouts");
  if (auto status = parse_command_line(app, argc, argv))
    return *status;
  opts.kv = true;
  opts.on_role_change = [](const observed_role& r) {
    auto line = format("%9.1f ms  peer %u  term %-3llu %-9s", ms_since(t0, r.at), r.peer,
                       static_cast<unsigned long long>(r.term),
                       std::string(to_string(r.role)).c_str());
    if (r.leader)
      line += format("  (leader: peer %u)", *r.leader);
    say(line);
  };
  // Drawn here rather than by the cluster, so it is printed before any peer starts.
  if (opts.seed == 0) {
    std::random_device rd;
    opts.seed = (std::uint64_t{rd()} << 32) ^ rd();
  }

  say(format("raft-demo: %zu peers in one process; heartbeat 100 ms, election timeout "
             "300-600 ms\ncluster seed %llu\n",
             opts.peers, static_cast<unsigned long long>(opts.seed)));
  test_cluster c{opts};
  try {
    std::optional<std::pair<peer_id, term_t>> first;
    if (!wait_until([&] { return (first = sole_leader(c)).has_value(); },
                    std::chrono::seconds(5)))
      return fail("no leader within 5 s");
    auto [old_leader, old_term] = *first;
    say(format("\n==> leader elected: peer %u in term %llu, %.0f ms after start\n", old_leader,
               static_cast<unsigned long long>(old_term), ms_since(t0)));

    auto fault = clock_type::now();
    say(format("%9.1f ms  disconnecting peer %u (the leader) from the network",
               ms_since(t0, fault), old_leader));
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
    say(format("\n==> new leader: peer %u in term %llu; failover took %.0f ms\n", new_leader,
               static_cast<unsigned long long>(new_term), failover));

    auto heal = clock_type::now();
    say(format("%9.1f ms  reconnecting peer %u", ms_since(t0, heal), old_leader));
    c.connect(old_leader);
    if (!wait_until(
          [&] {
            auto st = c.get_state(old_leader);
            return st && !st->is_leader && st->term >= new_term;
          },
          std::chrono::seconds(5)))
      return fail("the old leader did not step down within 5 s");
    say(format("\n==> peer %u stepped down %.0f ms after reconnecting", old_leader,
               ms_since(heal)));
    auto leader = c.check_one_leader();
    auto term = c.check_terms();
    c.check_safety();
    say(format("==> one leader: peer %u in term %llu; all peers agree on the term; at most one "
               "leader in every term",
               leader, static_cast<unsigned long long>(term)));

    // The replicated key-value store.
    say("\n==> the key-value store: writes through the leader\n");
    kv_part kv{c};
    for (int i = 1; i <= 5; ++i)
      kv.put("key" + std::to_string(i), "value" + std::to_string(i));
    auto writer = kv.leader();
    auto kill = clock_type::now();
    say(format("\n%9.1f ms  killing peer %u (the leader)", ms_since(t0, kill), writer));
    c.crash(writer);
    std::optional<std::pair<peer_id, term_t>> third;
    if (!wait_until(
          [&] {
            third = sole_leader(c);
            return third && third->first != writer;
          },
          std::chrono::seconds(5)))
      return fail("no new leader within 5 s of killing the leader");
    say(format("\n==> new leader: peer %u in term %llu, %.0f ms after the kill; the writes "
               "survive:\n",
               third->first, static_cast<unsigned long long>(third->second), ms_since(kill)));
    for (int i = 1; i <= 5; ++i)
      kv.expect("key" + std::to_string(i), "value" + std::to_string(i));
    say("\n==> new writes under the new leader:\n");
    for (int i = 6; i <= 8; ++i)
      kv.put("key" + std::to_string(i), "value" + std::to_string(i));
    kv.put("key1", "value1-updated");
    kv.expect("key1", "value1-updated");
    kv.expect("key8", "value8");
    kv.check();
    c.check_safety();
  } catch (const std::exception& ex) {
    return fail(ex.what());
  }
  return 0;
}

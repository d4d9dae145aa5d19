#include <catch2/catch.hpp>

#include <random>

#include "lincheck/register_model.hpp"
#include "ops.hpp"

using namespace lt;

namespace {

/// The definition, searched by brute force: some sequence holds every operation with a known
/// outcome and any of the unknown ones, puts an operation after every known one that
/// returned before its call, and the register accepts each step.
bool brute_force(const history& h, std::vector<bool>& used, std::size_t known_left, const register_state& s) {
  if (known_left == 0) return true;
  for (std::size_t x = 0; x < h.size(); ++x) {
    if (used[x]) continue;
    bool ready = true;  // no pending known operation returned before x was called
    for (std::size_t y = 0; y < h.size() && ready; ++y)
      if (!used[y] && y != x && h[y].known() && h[y].done->ret < h[x].call) ready = false;
    if (!ready) continue;
    basic_step<bytes> st = step(s, h[x]);
    if (!st.legal) continue;
    used[x] = true;
    const bool ok = brute_force(h, used, known_left - (h[x].known() ? 1 : 0), st.next);
    used[x] = false;
    if (ok) return true;
  }
  return false;
}

bool brute_force(const history& h) {
  std::vector<bool> used(h.size(), false);
  std::size_t known = 0;
  for (const operation& op : h) known += op.known() ? 1 : 0;
  return brute_force(h, used, known, std::nullopt);
}

/// A small random history of one key: random operations, intervals and outcomes (most are
/// not linearizable), values from a small set so that they collide.
history random_history(std::mt19937_64& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto value = [&]() -> bytes { return bytes(1, static_cast<char>('a' + pick(3))); };
  auto maybe = [&]() -> std::optional<bytes> {
    if (pick(4) == 0) return std::nullopt;
    return value();
  };
  history h;
  const int n = 2 + pick(6);
  for (int i = 0; i < n; ++i) {
    const op_time call = pick(20), ret = call + pick(8);
    command cmd;
    outcome out;
    switch (pick(4)) {
      case 0: cmd = put_command(value()); out = put_ok(); break;
      case 1: cmd = get_command(); out = got(maybe()); break;
      case 2: cmd = delete_command(); out = deleted(pick(2) == 0); break;
      default:
        cmd = cas_command(maybe(), value());
        out = pick(2) == 0 ? cas_ok() : raft::lincheck::cas_failed(maybe());
    }
    const client_id c = static_cast<client_id>(i);
    h.push_back(pick(3) == 0 ? make_unknown(c, call, "k", cmd) : make_op(c, call, ret, "k", cmd, out));
  }
  return h;
}

/// A short history of one key executed on a real register, values from {a, b} so that
/// unknown writes and cas chains collide, half the outcomes unknown (of those, half took
/// effect). Linearizable by construction.
history executed_history(std::mt19937_64& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto value = [&]() -> bytes { return bytes(1, static_cast<char>('a' + pick(2))); };
  register_state s;
  history h;
  const int n = 3 + pick(8);
  for (int i = 0; i < n; ++i) {
    const op_time point = 10 * i, call = point - pick(25), ret = point + pick(25);
    command cmd;
    switch (pick(4)) {
      case 0: cmd = put_command(value()); break;
      case 1: cmd = get_command(); break;
      case 2: cmd = delete_command(); break;
      default: cmd = cas_command(pick(3) == 0 ? std::nullopt : std::optional<bytes>(value()), value());
    }
    outcome out;
    switch (cmd.kind) {
      case op_kind::put: out = put_ok(); break;
      case op_kind::get: out = got(s); break;
      case op_kind::del: out = deleted(s.has_value()); break;
      case op_kind::cas: out = s == cmd.expected ? cas_ok() : raft::lincheck::cas_failed(s); break;
    }
    const bool unknown = pick(2) == 0, takes_effect = !unknown || pick(2) == 0;
    if (takes_effect) s = step<bytes>(s, cmd, &out).next;
    const client_id c = static_cast<client_id>(i);
    h.push_back(unknown ? make_unknown(c, call, "k", cmd) : make_op(c, call, ret, "k", cmd, out));
  }
  return h;
}

} // namespace

TEST_CASE("histories executed on a real register with colliding values and many unknown outcomes are accepted") {
  std::mt19937_64 rng(99);
  for (int trial = 0; trial < 20000; ++trial) {
    history h = executed_history(rng);
    REQUIRE(brute_force(h));
    check_result r = check(h);
    if (r.result != verdict::linearizable) {
      std::string shown;
      for (const operation& op : h) shown += describe(op) + "\n";
      FAIL("trial " << trial << ": the checker says " << to_string(r.result) << "\n" << shown << r.explanation);
    }
  }
}

TEST_CASE("the checker agrees with a brute-force search on small random histories") {
  std::mt19937_64 rng(2024);
  int linearizable_seen = 0, violations_seen = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    history h = random_history(rng);
    const bool expected = brute_force(h);
    check_result r = check(h);
    if (r.result != (expected ? verdict::linearizable : verdict::not_linearizable)) {
      std::string shown;
      for (const operation& op : h) shown += describe(op) + "\n";
      FAIL("trial " << trial << ": brute force says " << (expected ? "linearizable" : "not")
                    << ", the checker " << to_string(r.result) << "\n" << shown << r.explanation);
    }
    (expected ? linearizable_seen : violations_seen)++;
  }
  // Both answers must be common, or the comparison shows little.
  CHECK(linearizable_seen > 3000);
  CHECK(violations_seen > 3000);
}

TEST_CASE("the operations a violation names contradict each other on their own") {
  // Every explanation claims its operations admit no order whatever else happened: check
  // the claim with the brute force on those operations alone (the others left out), from
  // every starting state a window allows.
  std::mt19937_64 rng(77);
  int explained = 0;
  for (int trial = 0; trial < 5000; ++trial) {
    history h = random_history(rng);
    check_result r = check(h);
    if (r.result != verdict::not_linearizable) continue;
    ++explained;
    history core;
    for (std::size_t i : r.operations) core.push_back(h[i]);
    for (const std::optional<bytes>& start : {std::optional<bytes>{}, std::optional<bytes>{"a"},
                                              std::optional<bytes>{"b"}, std::optional<bytes>{"c"},
                                              std::optional<bytes>{"fresh"}}) {
      history with_start = core;
      // A put of the starting state that returns before everything stands for "the key
      // held this at the start" (a delete-first stands for absent).
      if (start) with_start.push_back(make_op(999, -10, -5, "k", put_command(*start), put_ok()));
      const bool windowed = r.explanation.find("whatever") != std::string::npos &&
                            r.explanation.find("held at time") != std::string::npos;
      if (!start || windowed) {
        INFO(r.explanation);
        CHECK_FALSE(brute_force(with_start));
      }
    }
  }
  CHECK(explained > 1000);
}

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "helpers.hpp"

using namespace kvt;

namespace {

/// A random command log as a leader might build it: several clients with sessions, a clock
/// that mostly advances (sometimes lags, as after a leader change), retries of earlier
/// requests, stale duplicates, requests of expired sessions, oversize and garbage entries.
class log_generator {
public:
  explicit log_generator(std::uint64_t seed) : rng_(seed) {}

  bytes next(std::uint64_t index) {
    const auto roll = pick(100);
    if (roll < 3) {
      bytes garbage(pick(20), '\0');
      for (auto& c : garbage) c = static_cast<char>(rng_());
      return garbage;
    }
    clock_ += pick(4) == 0 ? 0 : pick(400);
    const std::uint64_t stamp = pick(10) == 0 && clock_ > 500 ? clock_ - 500 : clock_;
    if (roll < 10 || clients_.empty()) {
      clients_.push_back({index, 0, {}});  // the id is the index of this entry
      return encode(make(op::open_session, 0, 0, stamp));
    }
    // Mostly recent clients (still open), sometimes any (often expired or evicted).
    auto& c = pick(4) == 0 ? clients_[pick(clients_.size())]
                           : clients_[clients_.size() - 1 - pick(std::min<std::size_t>(clients_.size(), 6))];
    if (roll < 25 && !c.sent.empty()) {
      // A retry: usually of the last request, sometimes of an older one (stale).
      request again = pick(4) == 0 ? c.sent[pick(c.sent.size())] : c.sent.back();
      again.time_ms = stamp;
      return encode(again);
    }
    request r;
    r.kind = static_cast<op>(1 + pick(4));
    r.client = pick(20) == 0 ? 9999 : c.id;  // sometimes a session that never existed
    r.seq = ++c.seq;
    r.time_ms = stamp;
    r.key = "k" + std::to_string(pick(6));
    if (pick(50) == 0) r.key = bytes(max_key_bytes + 1, 'K');
    r.value = "v" + std::to_string(pick(1000));
    if (pick(80) == 0) r.value = bytes(max_value_bytes + 1, 'V');
    if (r.kind == op::cas && pick(3) != 0) r.expected = "v" + std::to_string(pick(1000));
    c.sent.push_back(r);
    return encode(r);
  }

private:
  struct client_state {
    std::uint64_t id;
    std::uint64_t seq;
    std::vector<request> sent;
  };
  std::uint64_t pick(std::uint64_t n) { return rng_() % n; }

  std::mt19937_64 rng_;
  std::uint64_t clock_ = 0;
  std::vector<client_state> clients_;
};

store_options options() {
  store_options o;
  o.session_timeout_ms = 3000;  // short enough that idle clients expire in a run
  o.max_sessions = 8;           // small enough that the LRU bound evicts too
  return o;
}

} // namespace

TEST_CASE("two replicas fed the same random log answer alike and have identical snapshots after every step") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    log_generator gen(seed);
    kv_store a(options());
    kv_store b(options());
    std::size_t expired = 0, duplicates_or_stale = 0;
    for (std::uint64_t index = 1; index <= 1500; ++index) {
      const bytes cmd = gen.next(index);
      const bytes ra = a.apply(index, cmd);
      const bytes rb = b.apply(index, cmd);
      REQUIRE(ra == rb);
      REQUIRE(a.snapshot() == b.snapshot());
      const auto out = decoded(ra);
      if (out.code == status::session_expired) ++expired;
      if (out.code == status::stale_sequence) ++duplicates_or_stale;
      // Every so often b is replaced by a replica restored from a's snapshot (one catching up
      // by snapshot, §7): it must agree from then on.
      if (index % 250 == 0) {
        b = kv_store(options());
        b.restore(a.snapshot());
      }
    }
    // The generator really reached expiry and stale duplicates (otherwise this proves little).
    CHECK(expired > 0);
    CHECK(duplicates_or_stale > 0);
  }
}

TEST_CASE("session expiry is deterministic: replicas fed the same log end byte-identical") {
  store_options o;
  o.session_timeout_ms = 100;
  o.max_sessions = 4;
  std::vector<bytes> log;
  std::uint64_t t = 0;
  for (std::uint64_t i = 1; i <= 400; ++i) {
    t += (i * 37) % 60;
    if (i % 7 == 1) {
      log.push_back(encode(make(op::open_session, 0, 0, t)));
    } else {
      // The session opened in this block of 7 entries or one of the two before: some still
      // open, some expired by the clock or evicted by the bound.
      const std::uint64_t block = i / 7, back = i % 3;
      const std::uint64_t client = (block >= back ? block - back : 0) * 7 + 1;
      log.push_back(encode(make(op::put, client, i, t, "k" + std::to_string(i % 5), "v")));
    }
  }
  kv_store a(o), b(o);
  std::vector<bytes> answers_a, answers_b;
  for (std::uint64_t i = 0; i < log.size(); ++i) answers_a.push_back(a.apply(i + 1, log[i]));
  for (std::uint64_t i = 0; i < log.size(); ++i) answers_b.push_back(b.apply(i + 1, log[i]));
  CHECK(answers_a == answers_b);
  CHECK(a.snapshot() == b.snapshot());
  std::size_t expired = 0;
  for (const auto& ans : answers_a) expired += decoded(ans).code == status::session_expired;
  CHECK(expired > 0);
  CHECK(a.sessions() <= 4);
}

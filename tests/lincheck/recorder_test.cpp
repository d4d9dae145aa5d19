#include <catch2/catch.hpp>

#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "lincheck/recorder.hpp"
#include "ops.hpp"

using namespace lt;

namespace {

/// A key-value map behind one lock: linearizable by construction.
class locked_store {
public:
  void put(const bytes& k, const bytes& v) {
    std::lock_guard<std::mutex> l(m_);
    data_[k] = v;
  }
  std::optional<bytes> get(const bytes& k) {
    std::lock_guard<std::mutex> l(m_);
    auto it = data_.find(k);
    if (it == data_.end()) return std::nullopt;
    return it->second;
  }
  bool del(const bytes& k) {
    std::lock_guard<std::mutex> l(m_);
    return data_.erase(k) > 0;
  }
  std::optional<bytes> cas(const bytes& k, const std::optional<bytes>& expected, const bytes& v, bool& ok) {
    std::lock_guard<std::mutex> l(m_);
    auto it = data_.find(k);
    std::optional<bytes> cur;
    if (it != data_.end()) cur = it->second;
    ok = cur == expected;
    if (ok) data_[k] = v;
    return cur;
  }

private:
  std::mutex m_;
  std::map<bytes, bytes> data_;
};

} // namespace

TEST_CASE("the recorder keeps every call and return of concurrent client threads") {
  recorder rec;
  locked_store store;
  constexpr int clients = 8, per_client = 500;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::mt19937 rng(static_cast<unsigned>(c));
      for (int i = 0; i < per_client; ++i) {
        const bytes key = "k" + std::to_string(rng() % 3);
        const bytes value = std::to_string(c) + "." + std::to_string(i);
        switch (rng() % 4) {
          case 0: {
            auto t = rec.call(static_cast<client_id>(c), key, put_command(value));
            store.put(key, value);
            rec.returned(t, put_ok());
            break;
          }
          case 1: {
            auto t = rec.call(static_cast<client_id>(c), key, get_command());
            rec.returned(t, got(store.get(key)));
            break;
          }
          case 2: {
            auto t = rec.call(static_cast<client_id>(c), key, delete_command());
            rec.returned(t, deleted(store.del(key)));
            break;
          }
          default: {
            std::optional<bytes> expected = store.get(key);  // usually still current
            auto t = rec.call(static_cast<client_id>(c), key, cas_command(expected, value));
            bool ok = false;
            std::optional<bytes> seen = store.cas(key, expected, value, ok);
            rec.returned(t, ok ? cas_ok() : raft::lincheck::cas_failed(seen));
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();

  history h = rec.snapshot();
  REQUIRE(h.size() == static_cast<std::size_t>(clients * per_client));
  for (const operation& op : h) {
    REQUIRE(op.known());
    CHECK(op.call <= op.done->ret);
  }
  check_result r = check(h);
  INFO(r.explanation);
  CHECK(r.result == verdict::linearizable);
}

TEST_CASE("a stale read recorded by the recorder is caught") {
  recorder rec;
  auto t = rec.call(1, "x", put_command("a"));
  rec.returned(t, put_ok());
  t = rec.call(1, "x", put_command("b"));
  rec.returned(t, put_ok());
  t = rec.call(2, "x", get_command());
  rec.returned(t, got(bytes("a")));  // served by a replica that missed the second put
  check_result r = check(rec.snapshot());
  CHECK(r.result == verdict::not_linearizable);
}

TEST_CASE("calls not yet settled and calls settled as unknown appear with an unknown outcome") {
  recorder rec;
  auto a = rec.call(1, "x", put_command("a"));
  auto b = rec.call(2, "x", put_command("b"));
  rec.unknown(b);
  history h = rec.snapshot();
  REQUIRE(h.size() == 2);
  CHECK_FALSE(h[0].known());
  CHECK_FALSE(h[1].known());
  rec.returned(a, put_ok());
  CHECK(rec.snapshot()[0].known());
  CHECK(rec.snapshot()[0].call <= rec.snapshot()[0].done->ret);
}

TEST_CASE("calls settled as not done are left out of the history") {
  recorder rec;
  auto a = rec.call(1, "x", put_command("a"));
  auto b = rec.call(2, "x", put_command("b"));  // refused by the store: it changed nothing
  auto c = rec.call(3, "x", get_command());
  rec.returned(a, put_ok());
  rec.not_done(b);
  rec.returned(c, got(bytes("a")));
  history h = rec.snapshot();
  REQUIRE(h.size() == 2);
  CHECK(h[0].client == 1);
  CHECK(h[1].client == 3);
  CHECK(check(h).result == verdict::linearizable);
}

TEST_CASE("settling a call twice or a call never made is an error") {
  recorder rec;
  auto a = rec.call(1, "x", get_command());
  rec.returned(a, got(std::nullopt));
  CHECK_THROWS_AS(rec.returned(a, got(std::nullopt)), std::logic_error);
  CHECK_THROWS_AS(rec.unknown(a), std::logic_error);
  CHECK_THROWS_AS(rec.not_done(a), std::logic_error);
  CHECK_THROWS_AS(rec.unknown(a + 1), std::logic_error);
  CHECK_THROWS_AS(rec.not_done(a + 1), std::logic_error);
}

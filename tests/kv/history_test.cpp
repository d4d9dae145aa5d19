#include <catch2/catch.hpp>

#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

#include "helpers.hpp"
#include "lincheck/checker.hpp"
#include "lincheck/recorder.hpp"

using namespace kvt;
namespace lc = raft::lincheck;

namespace {

/// One KV replica whose log is the order in which requests take its lock: what a single
/// Raft leader applying committed entries one by one does.
class locked_replica {
public:
  response submit(request r) {
    std::lock_guard<std::mutex> l(m_);
    // No Catch2 assertions here: they are not safe from several threads.
    auto d = decode_response(store_.apply(++index_, encode(r)));
    if (auto* e = std::get_if<decode_error>(&d)) return response{status::bad_request, false, {}, {}, e->message};
    return std::get<response>(d);
  }

private:
  std::mutex m_;
  kv_store store_;
  std::uint64_t index_ = 0;
};

lc::command to_lincheck(const request& r) {
  switch (r.kind) {
    case op::put: return lc::put_command(r.value);
    case op::get: return lc::get_command();
    case op::del: return lc::delete_command();
    case op::cas: return lc::cas_command(r.expected, r.value);
    case op::open_session: break;
  }
  throw std::logic_error("no lincheck command for open_session");
}

lc::outcome to_lincheck(const request& r, const response& out) {
  switch (r.kind) {
    case op::put: return lc::put_ok();
    case op::get: return lc::got(out.value);
    case op::del: return lc::deleted(out.found);
    case op::cas: return out.code == status::ok ? lc::cas_ok() : lc::cas_failed(out.value);
    case op::open_session: break;
  }
  throw std::logic_error("no lincheck outcome for open_session");
}

} // namespace

TEST_CASE("concurrent clients of one KV replica record a history the checker finds linearizable") {
  for (unsigned round = 0; round < 5; ++round) {
    locked_replica rep;
    lc::recorder rec;
    std::vector<std::thread> threads;
    std::mutex fail_mutex;
    std::string failure;
    for (unsigned t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937_64 rng(round * 100 + t);
        const auto opened = rep.submit(make(op::open_session, 0, 0, 0));
        const std::uint64_t id = opened.client.value_or(0);
        std::uint64_t seq = 0;
        for (int i = 0; i < 300; ++i) {
          request r = make(static_cast<op>(1 + rng() % 4), id, ++seq, 0,
                           "k" + std::to_string(rng() % 3), "v" + std::to_string(rng() % 5));
          if (r.kind == op::cas && rng() % 3 != 0) r.expected = "v" + std::to_string(rng() % 5);
          const auto ticket = rec.call(t + 1, r.key, to_lincheck(r));
          const response out = rep.submit(r);
          // A retry now, as a client that lost the answer would send: from the cache.
          const response again = rng() % 4 == 0 ? rep.submit(r) : out;
          rec.returned(ticket, to_lincheck(r, out));
          if (!(again == out) || (out.code != status::ok && out.code != status::cas_failed)) {
            std::lock_guard<std::mutex> l(fail_mutex);
            failure = "client " + std::to_string(t) + ": " + to_string(out.code) + " " + out.message;
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    REQUIRE(failure.empty());
    const auto h = rec.snapshot();
    REQUIRE(h.size() == 4 * 300);
    const auto result = lc::check(h);
    INFO(result.explanation);
    CHECK(result.result == lc::verdict::linearizable);
  }
}

TEST_CASE("a read answered by a replica that lags behind the log is caught by the checker") {
  // The control: the same recording, but the read goes to a replica restored from an older
  // snapshot (a stale follower answering locally): the checker must say no.
  replica leader;
  client c{leader, leader.open()};
  lc::history h;
  c.put("k", "1");
  h.push_back(lc::make_op(1, 10, 20, "k", lc::put_command("1"), lc::put_ok()));
  kv_store lagging;
  lagging.restore(leader.store.snapshot());
  c.put("k", "2");
  h.push_back(lc::make_op(1, 30, 40, "k", lc::put_command("2"), lc::put_ok()));
  replica stale;
  stale.store.restore(lagging.snapshot());
  stale.index = leader.index;
  auto read = stale.submit(make(op::get, c.id, ++c.seq, 0, "k"));
  REQUIRE(read.value == bytes("1"));
  h.push_back(lc::make_op(2, 50, 60, "k", lc::get_command(), lc::got(read.value)));
  CHECK(lc::check(h).result == lc::verdict::not_linearizable);
  // The same read through the leader's log is linearizable.
  h.back().done->out = lc::got(c.get("k").value);
  CHECK(lc::check(h).result == lc::verdict::linearizable);
}

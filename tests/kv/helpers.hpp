#pragma once
/// A tiny log driver for the KV tests: hands out increasing log indices and builds encoded
/// commands for one client session, as the Raft log and a client library later will.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include <catch2/catch.hpp>

#include "kv/codec.hpp"
#include "kv/store.hpp"

namespace kvt {

using namespace raft::kv;

inline response decoded(const bytes& b) {
  auto d = decode_response(b);
  REQUIRE(std::holds_alternative<response>(d));
  return std::get<response>(d);
}

inline request make(op kind, std::uint64_t client, std::uint64_t seq, std::uint64_t time_ms,
                    bytes key = {}, bytes value = {}, std::optional<bytes> expected = {}) {
  request r;
  r.kind = kind;
  r.client = client;
  r.seq = seq;
  r.time_ms = time_ms;
  r.key = std::move(key);
  r.value = std::move(value);
  r.expected = std::move(expected);
  return r;
}

/// One replica fed through the encoded path with its own log index counter.
struct replica {
  kv_store store;
  std::uint64_t index = 0;

  explicit replica(store_options o = {}) : store(o) {}

  response submit(const request& r) { return decoded(store.apply(++index, encode(r))); }

  std::uint64_t open(std::uint64_t time_ms = 0) {
    auto out = submit(make(op::open_session, 0, 0, time_ms));
    REQUIRE(out.code == status::ok);
    REQUIRE(out.client);
    return *out.client;
  }
};

/// A client with one session: each call uses the next sequence number.
struct client {
  replica& rep;
  std::uint64_t id;
  std::uint64_t seq = 0;
  std::uint64_t time_ms = 0;

  response put(bytes k, bytes v) { return rep.submit(make(op::put, id, ++seq, time_ms, std::move(k), std::move(v))); }
  response get(bytes k) { return rep.submit(make(op::get, id, ++seq, time_ms, std::move(k))); }
  response del(bytes k) { return rep.submit(make(op::del, id, ++seq, time_ms, std::move(k))); }
  response cas(bytes k, std::optional<bytes> expected, bytes v) {
    return rep.submit(make(op::cas, id, ++seq, time_ms, std::move(k), std::move(v), std::move(expected)));
  }
};

} // namespace kvt

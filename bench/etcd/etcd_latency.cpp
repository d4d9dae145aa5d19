/// etcd-latency: closed-loop gRPC clients of an etcd v3 cluster, as one JSON document shaped
/// like kv-bench's (bench/kv_bench.cpp), so scripts/bench-kv can put etcd's latency beside
/// ours. Debian ships etcd without its `benchmark` tool; this does what that tool's `put`
/// and `range` do (time each call of a client that waits for its answer before the next),
/// with etcd's own API (bench/etcd/etcd_kv.proto) through gRPC's C++ library.
///
///   etcd-latency --endpoints H:P[,H:P...] [--op put|get] [--clients N] [--seconds S]
///                [--warmup-seconds W] [--value-bytes V] [--key-bytes K] [--keys N]
///                [--serializable] [--any-member]
///
/// The clients talk to the leader (found with Maintenance.Status), as kv-bench's sessions
/// do once they found ours, unless --any-member: then client i uses endpoint i mod n. Reads
/// are linearizable Range calls (etcd's default: ReadIndex on the leader) unless
/// --serializable. `get` first writes every key once. Keys are "k" and a zero-padded number
/// of K bytes, drawn uniformly; values are V bytes.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "apps/cli.hpp"
#include "bench/etcd/etcd_kv.grpc.pb.h"
#include "bench/bench_stats.hpp"
#include "bench/kv_load.hpp"
#include "bench/machine_load.hpp"

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;
using namespace raft::bench;

namespace {

struct options : kv_load {
  std::string endpoints;
  std::string op = "put";
  bool serializable = false;
  bool any_member = false;
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= s.size()) {
    auto comma = s.find(',', at);
    if (comma == std::string::npos)
      comma = s.size();
    if (comma > at)
      out.push_back(s.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

std::shared_ptr<grpc::Channel> channel_to(const std::string& endpoint) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1); // a connection of its own per client
  return grpc::CreateCustomChannel(endpoint, grpc::InsecureChannelCredentials(), args);
}

/// The endpoint of the member that leads, asked of each with Maintenance.Status; empty when
/// none answers with a leader it is.
std::string leader_endpoint(const std::vector<std::string>& endpoints) {
  for (auto& e : endpoints) {
    auto stub = etcdserverpb::Maintenance::NewStub(channel_to(e));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 2s);
    etcdserverpb::StatusRequest req;
    etcdserverpb::StatusResponse resp;
    if (stub->Status(&ctx, req, &resp).ok() && resp.leader() != 0 &&
        resp.leader() == resp.header().member_id())
      return e;
  }
  return {};
}

struct client_results {
  std::vector<std::uint32_t> us;
  std::uint64_t errors = 0;
  std::string first_error;
};

/// One closed-loop client on `endpoint` until `until`; records what ends in [from, until).
void run_client(const std::string& endpoint, const options& o, bool write, unsigned seed,
                clock_type::time_point from, clock_type::time_point until, client_results& r) {
  auto stub = etcdserverpb::KV::NewStub(channel_to(endpoint));
  std::minstd_rand rng{seed};
  const std::string value(o.value_bytes, 'v');
  for (;;) {
    auto began = clock_type::now();
    if (began >= until)
      return;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 5s);
    grpc::Status status;
    auto key = key_of(rng() % o.keys, o.key_bytes);
    if (write) {
      etcdserverpb::PutRequest req;
      req.set_key(key);
      req.set_value(value);
      etcdserverpb::PutResponse resp;
      status = stub->Put(&ctx, req, &resp);
    } else {
      etcdserverpb::RangeRequest req;
      req.set_key(key);
      req.set_serializable(o.serializable);
      etcdserverpb::RangeResponse resp;
      status = stub->Range(&ctx, req, &resp);
      if (status.ok() && resp.kvs_size() != 1)
        status = grpc::Status(grpc::StatusCode::NOT_FOUND, "key " + key + " not found");
    }
    auto ended = clock_type::now();
    if (ended < from || ended >= until)
      continue;
    if (!status.ok()) {
      if (r.errors++ == 0)
        r.first_error = status.error_message();
      continue;
    }
    r.us.push_back(static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(ended - began).count()));
  }
}

/// Writes every key once, with up to 64 clients at once.
std::size_t preload(const std::string& endpoint, const options& o) {
  std::atomic<std::size_t> next{0}, written{0};
  const std::string value(o.value_bytes, 'v');
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < std::min<std::size_t>(64, o.keys); ++t)
    threads.emplace_back([&] {
      auto stub = etcdserverpb::KV::NewStub(channel_to(endpoint));
      for (auto i = next++; i < o.keys; i = next++) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + 5s);
        etcdserverpb::PutRequest req;
        req.set_key(key_of(i, o.key_bytes));
        req.set_value(value);
        etcdserverpb::PutResponse resp;
        if (stub->Put(&ctx, req, &resp).ok())
          ++written;
      }
    });
  for (auto& t : threads)
    t.join();
  return written;
}

int run(const options& o) {
  auto endpoints = split(o.endpoints);
  auto leader = leader_endpoint(endpoints);
  if (leader.empty()) {
    std::fprintf(stderr, "etcd-latency: no member of %s says it leads\n", o.endpoints.c_str());
    return 1;
  }
  const bool write = o.op == "put";
  std::size_t preloaded = 0;
  if (!write) {
    preloaded = preload(leader, o);
    if (preloaded != o.keys) {
      std::fprintf(stderr, "etcd-latency: only %zu of %zu keys written\n", preloaded, o.keys);
      return 1;
    }
  }
  auto start = clock_type::now();
  auto from = start + std::chrono::duration_cast<clock_type::duration>(
                        std::chrono::duration<double>(o.warmup_seconds));
  auto until = from + std::chrono::duration_cast<clock_type::duration>(
                        std::chrono::duration<double>(o.seconds));
  std::vector<client_results> results(o.clients);
  std::vector<std::thread> threads;
  std::array<double, 3> load_before{}, load_after{};
  double cpu_before = 0, cpu_after = 0;
  for (std::size_t i = 0; i < o.clients; ++i) {
    auto& e = o.any_member ? endpoints[i % endpoints.size()] : leader;
    threads.emplace_back(run_client, e, std::cref(o), write, static_cast<unsigned>(i + 1), from,
                         until, std::ref(results[i]));
  }
  std::this_thread::sleep_until(from);
  load_before = load_average();
  cpu_before = own_cpu_seconds();
  std::this_thread::sleep_until(until);
  load_after = load_average();
  cpu_after = own_cpu_seconds();
  for (auto& t : threads)
    t.join();

  std::vector<std::uint32_t> all;
  std::uint64_t errors = 0;
  std::string first_error;
  for (auto& r : results) {
    all.insert(all.end(), r.us.begin(), r.us.end());
    errors += r.errors;
    if (first_error.empty())
      first_error = r.first_error;
  }
  const double window = std::chrono::duration<double>(until - from).count();
  auto lat = latency_ms(all);
  json out;
  out["program"] = "etcd-latency";
  out["endpoints"] = o.endpoints;
  out["leader_endpoint"] = leader;
  out["clients_on"] = o.any_member ? "every member in turn" : "the leader";
  out["op"] = o.op;
  out["read"] = o.serializable ? "serializable" : "linearizable";
  put_load(out, o);
  out["preloaded_keys"] = preloaded;
  out["ops"] = all.size();
  out["ops_per_second"] = rounded(static_cast<double>(all.size()) / window, 1);
  out["writes_per_second"] = write ? out["ops_per_second"] : json(0.0);
  out["reads_per_second"] = write ? json(0.0) : out["ops_per_second"];
  out["p50_ms"] = lat["p50_ms"];
  out["p99_ms"] = lat["p99_ms"];
  out["p999_ms"] = lat["p999_ms"];
  out["errors"] = errors;
  if (!first_error.empty())
    out["first_error"] = first_error;
  out["latency"] = lat;
  out["load_average"] = {{"before", load_before}, {"after", load_after}};
  out["cpu"] = {{"etcd_latency_percent", rounded(100 * (cpu_after - cpu_before) / window, 1)}};
  std::printf("%s\n", out.dump(1).c_str());
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"Closed-loop gRPC clients of an etcd v3 cluster; prints one JSON document.",
               "etcd-latency"};
  app.option_defaults()->always_capture_default();
  app.add_option("--endpoints", o.endpoints, "the members' client addresses, host:port,...")
    ->required();
  app.add_option("--op", o.op, "what the clients do")->check(raft::one_of({"put", "get"}));
  // etcd's own limits: 1.5 MiB per request by default; keys and values kept well inside.
  add_load_options(app, o, 2000, 4096, 1 << 20);
  app.add_flag("--serializable", o.serializable, "reads from any member's state, no ReadIndex");
  app.add_flag("--any-member", o.any_member, "client i uses endpoint i mod n, not the leader");
  if (auto status = raft::parse_command_line(app, argc, argv))
    return *status;
  try {
    return run(o);
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "etcd-latency: %s\n", ex.what());
    return 1;
  }
}

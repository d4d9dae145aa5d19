/// raft-forge (tests only): a raw CAF client that sends forged wire messages to a node's
/// published endpoint, to check what the endpoint lets through (actors/endpoint.hpp).
///
///   raft-forge --port P --kind KIND --claim FIRST[:LAST] --term T --count N
///              [--hello-config FILE]
///
/// Connects to 127.0.0.1:P, optionally sends first the `cluster_hello` the node of FILE would
/// send (its identity and node.id) and keeps the session token of the welcome, then for
/// every claimed sender id FIRST … LAST sends N messages of KIND (request_vote,
/// append_entries or pre_vote) that name that id as their sender, carry term T and the
/// token (0, never issued, without a hello). It then asks the node for its status: the endpoint handles one
/// sender's messages in order, so the answer arrives only after every forged message was
/// handled. Prints one JSON line, e.g. {"sent":300,"hello":"accepted","term":4,"leader":2},
/// and exits 0; exits 1 when the node cannot be reached or does not answer, 2 for usage
/// errors. The process tests run it (tests/process/forged_sender_test.cpp). When FILE has a
/// [tls] table, raft-forge connects over TLS with that table's certificate and key, as the
/// member of FILE would, and answers the node's challenge with a member proof signed with
/// that key and claiming FILE's node.id (`hello` is then "accepted" or "refused"; without
/// a key to sign with it stays "challenged"); otherwise over plain TCP.
///
/// Past the endpoint, to whatever else the node's CAF registry holds:
///
///   raft-forge --port P --kind exit --actors FIRST:LAST [--reason kill|user_shutdown]
///              [--hello-config FILE]
///   raft-forge --port P --kind KIND --claim ID --term T --count N --actors FIRST:LAST ...
///
/// `--actors` addresses actor ids FIRST … LAST of the node directly, as CAF's binary
/// protocol allows any party connected to a node: it makes a proxy for each id (CAF's
/// forwarding_actor_proxy over its own BASP broker) and sends it, instead of anything to the
/// endpoint, an exit message of `--reason` (default kill, which no CAF actor can trap) from
/// this client, or N wire messages of KIND without a token (what a peer or a link accepts).
/// The JSON line then counts `sent` messages over all ids.
///
///   raft-forge --port P --kind config-put --count N [--hello-config FILE]
///
/// puts N values of 1 MiB each, under keys raft-forge-0 … raft-forge-<N-1>, into the node's
/// `ConfigServ`, the key-value actor every CAF 0.17 system runs and any connected party can
/// reach by name, then asks it for raft-forge-0: the JSON line says `"stored":true` when
/// the answer holds the value, false when it holds none or none comes within 2 s.

#include <caf/all.hpp>
#include <caf/forwarding_actor_proxy.hpp>
#include <caf/io/all.hpp>
#include <caf/io/basp_broker.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "actors/node_system.hpp"
#include "actors/peer_interface.hpp"
#include "config/cluster_identity.hpp"
#include "config/load_config.hpp"
#include "core/timing.hpp"
#include "tls/member_proof.hpp"

using namespace raft;
using namespace std::chrono_literals;

namespace {

int usage(const std::string& why) {
  std::fprintf(stderr,
               "raft-forge: %s\nusage: raft-forge --port P --kind KIND --claim FIRST[:LAST] "
               "--term T --count N [--hello-config FILE] [--actors FIRST:LAST]\n"
               "       raft-forge --port P --kind exit --actors FIRST:LAST "
               "[--reason kill|user_shutdown] [--hello-config FILE]\n",
               why.c_str());
  return 2;
}

std::optional<std::uint64_t> number(const std::string& s) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::strtoull(s.c_str(), nullptr, 10);
}

} // namespace

int main(int argc, char** argv) {
  std::optional<std::uint64_t> port, first, last, term, count, actors_first, actors_last;
  std::string kind, hello_config;
  std::string reason = "kill";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    std::string value = argv[i + 1];
    if (key == "--port") {
      port = number(value);
    } else if (key == "--kind") {
      kind = value;
    } else if (key == "--claim") {
      auto colon = value.find(':');
      first = number(value.substr(0, colon));
      last = colon == std::string::npos ? first : number(value.substr(colon + 1));
    } else if (key == "--term") {
      term = number(value);
    } else if (key == "--count") {
      count = number(value);
    } else if (key == "--hello-config") {
      hello_config = value;
    } else if (key == "--actors") {
      auto colon = value.find(':');
      actors_first = number(value.substr(0, colon));
      actors_last = colon == std::string::npos ? actors_first : number(value.substr(colon + 1));
    } else if (key == "--reason") {
      reason = value;
    } else {
      return usage("unexpected argument '" + key + "'");
    }
  }
  const bool to_actors = actors_first.has_value();
  if (to_actors && (!actors_last || *actors_first == 0 || *actors_first > *actors_last))
    return usage("invalid --actors");
  if (kind == "exit") {
    if (argc % 2 != 1 || !port || *port > 65535 || !to_actors ||
        (reason != "kill" && reason != "user_shutdown"))
      return usage("missing or invalid arguments");
    first = last = term = count = 0;
  } else if (kind == "config-put") {
    if (argc % 2 != 1 || !port || *port > 65535 || !count || to_actors)
      return usage("missing or invalid arguments");
    first = last = term = 0;
  } else if (argc % 2 != 1 || !port || *port > 65535 || !first || !last || *first > *last ||
             *last > 0xffffffffull || !term || !count ||
             (kind != "request_vote" && kind != "append_entries" && kind != "pre_vote")) {
    return usage("missing or invalid arguments");
  }

  std::optional<cluster_hello> hello;
  timing transport_basis; // the defaults, unless the hello's config says otherwise
  std::optional<tls_settings> tls; // the hello's config's [tls]: connect as that member would
  peer_id target_id = 0;           // the member on --port, by the hello's config
  if (!hello_config.empty()) {
    auto loaded = load_cluster_config_or_report(hello_config);
    if (!loaded)
      return 2;
    hello = cluster_hello{identity_of(*loaded), loaded->node_id};
    transport_basis = loaded->timing;
    tls = loaded->tls;
    for (auto& p : loaded->peers)
      if (p.port == *port && (p.host == "127.0.0.1" || p.host == "localhost"))
        target_id = p.id;
  }

  caf::actor_system_config cfg;
  configure_node_system(cfg, transport_timing_for(transport_basis), tls);
  auto* sys = new caf::actor_system(cfg); // never destroyed: the process leaves with _exit
  caf::scoped_actor self{*sys};
  node_endpoint remote;
  caf::node_id remote_node;
  self->request(transport_of(*sys), 5s, caf::connect_atom::value,
                std::string("127.0.0.1"), static_cast<std::uint16_t>(*port))
    .receive(
      [&](const caf::node_id& nid, caf::strong_actor_ptr& ptr,
          const std::set<std::string>& ifs) {
        if (ptr && ifs == sys->message_types<node_endpoint>()) {
          remote = caf::actor_cast<node_endpoint>(ptr);
          remote_node = nid;
        }
      },
      [](caf::error&) {});
  if (!remote) {
    std::fprintf(stderr, "raft-forge: no raft node endpoint on port %llu\n",
                 static_cast<unsigned long long>(*port));
    std::fflush(stderr);
    _exit(1);
  }

  std::string hello_result = "none";
  session_token token; // none: 0, which the endpoint never issues
  if (hello) {
    hello_result = "no answer";
    self->send(remote, *hello, caf::actor_cast<caf::actor>(self));
    auto welcomed = [&](const cluster_welcome& w) {
      hello_result = w.accepted ? "accepted" : "refused";
      token = w.token;
    };
    std::optional<cluster_challenge> challenge;
    self->receive(welcomed, [&](const cluster_challenge& c) { challenge = c; },
                  caf::after(5s) >> [] {});
    if (challenge) {
      // A TLS node asks for a member proof: sign it with FILE's key, claiming FILE's
      // node.id, for the node on --port (its id from FILE's [[peer]] list).
      hello_result = "challenged";
      std::string why;
      auto signer = tls ? member_signer::load(*tls, why) : nullptr;
      if (signer) {
        auto text = proof_text(challenge->challenge, hello->identity.text(), hello->id,
                               target_id);
        self->send(remote,
                   member_proof{*hello, challenge->challenge, signer->certificate_pem(),
                                signer->sign(text)},
                   caf::actor_cast<caf::actor>(self), caf::actor{});
        self->receive(welcomed, caf::after(5s) >> [] {});
      }
    }
  }

  std::uint64_t sent = 0;
  std::optional<bool> stored; // config-put: whether ConfigServ kept the first value
  // Every target of --actors: a proxy for that actor id on the node, made the way CAF makes
  // the proxies of actors it learns of (a forwarding_actor_proxy over the BASP broker; the
  // TLS transport shares that broker). Nothing on the node has to have mentioned the id.
  std::vector<caf::actor> targets;
  if (to_actors) {
    auto broker = sys->middleman().named_broker<caf::io::basp_broker>(caf::atom("BASP"));
    for (auto aid = *actors_first; aid <= *actors_last; ++aid) {
      caf::actor_config proxy_cfg;
      targets.push_back(caf::actor_cast<caf::actor>(
        caf::make_actor<caf::forwarding_actor_proxy, caf::strong_actor_ptr>(
          static_cast<caf::actor_id>(aid), remote_node, sys, proxy_cfg, broker)));
    }
  }
  if (kind == "config-put") {
    // By name, as CAF's own remote_lookup reaches it: through the BASP broker.
    auto broker = sys->middleman().named_broker<caf::io::basp_broker>(caf::atom("BASP"));
    const std::string value(1 << 20, 'x');
    for (std::uint64_t n = 0; n < *count; ++n, ++sent)
      self->send(broker, caf::forward_atom::value, remote_node, caf::atom("ConfigServ"),
                 caf::make_message(caf::put_atom::value, "raft-forge-" + std::to_string(n),
                                   caf::make_message(value)));
    stored = false;
    self->request(broker, 2s, caf::forward_atom::value, remote_node, caf::atom("ConfigServ"),
                  caf::make_message(caf::get_atom::value, std::string("raft-forge-0")))
      .receive([&](const std::string&, const caf::message& v) { stored = !v.empty(); },
               [](caf::error&) {});
  }
  if (kind == "exit") {
    auto why = reason == "kill" ? caf::exit_reason::kill : caf::exit_reason::user_shutdown;
    for (auto& t : targets) {
      self->send_exit(t, why);
      ++sent;
    }
  }
  for (auto& t : targets) {
    const auto from = static_cast<peer_id>(*first);
    for (std::uint64_t n = 0; n < *count; ++n, ++sent) {
      if (kind == "request_vote")
        self->send(t, request_vote{*term, from, 0, 0});
      else if (kind == "append_entries")
        self->send(t, append_entries{*term, from, 0, 0, {}, 0});
      else
        self->send(t, pre_vote{*term, from, 0, 0});
    }
  }
  for (std::uint64_t id = *first; !to_actors && kind != "config-put" && id <= *last; ++id) {
    const auto from = static_cast<peer_id>(id);
    for (std::uint64_t n = 0; n < *count; ++n, ++sent) {
      if (kind == "request_vote")
        self->send(remote, token, request_vote{*term, from, 0, 0});
      else if (kind == "append_entries")
        self->send(remote, token, append_entries{*term, from, 0, 0, {}, 0});
      else
        self->send(remote, token, pre_vote{*term, from, 0, 0});
    }
  }

  std::optional<node_status> status;
  self->request(remote, 10s, status_atom::value)
    .receive([&](const node_status& s) { status = s; }, [](caf::error&) {});
  if (!status) {
    std::fprintf(stderr, "raft-forge: no status answer after sending\n");
    std::fflush(stderr);
    _exit(1);
  }
  std::printf("{\"sent\":%llu,\"hello\":\"%s\",\"term\":%llu,\"leader\":%llu%s}\n",
              static_cast<unsigned long long>(sent), hello_result.c_str(),
              static_cast<unsigned long long>(status->term),
              static_cast<unsigned long long>(status->leader),
              !stored ? "" : *stored ? ",\"stored\":true" : ",\"stored\":false");
  std::fflush(stdout);
  _exit(0);
}

/// A member's link that was refused by a live process asks again: the refusal is not final
/// while that process lives (actors/remote_link.cpp). The other side is a fake member
/// published by the test itself, which first answers hellos as another member and then as
/// the member the config names.

#include <catch2/catch.hpp>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <atomic>
#include <memory>

#include "actors/node_system.hpp"
#include "actors/peer_interface.hpp"
#include "config/cluster_identity.hpp"
#include "config/load_config.hpp"
#include "config/transport_timing.hpp"
#include "testing/node_harness.hpp"

using namespace raft;
using namespace raft::process;

namespace {

/// A process-local stand-in for member `id` of a cluster: it answers every hello with a
/// welcome that accepts the asker and names `claims` as its own member id, and drops
/// everything else. Published with the interface of a node's endpoint, so links connect to
/// it as to a member.
struct fake_member {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::shared_ptr<std::atomic<peer_id>> claims = std::make_shared<std::atomic<peer_id>>(0);
  caf::actor actor;

  fake_member(const cluster_config& config, std::uint16_t port) {
    configure_node_system(cfg, transport_timing_for(config.timing));
    sys = std::make_unique<caf::actor_system>(cfg);
    auto identity = identity_of(config);
    actor = sys->spawn([identity, claims = claims](caf::event_based_actor* self) -> caf::behavior {
      self->set_default_handler(caf::drop);
      return {
        [=](const cluster_hello& h, const caf::actor& reply_to) {
          self->send(reply_to, cluster_welcome{identity, claims->load(), h.attempt, true,
                                               session_token{42}});
        },
      };
    });
    caf::scoped_actor self{*sys};
    std::optional<std::uint16_t> bound;
    self
      ->request(sys->middleman().actor_handle(), std::chrono::seconds(5),
                caf::publish_atom::value, port, caf::actor_cast<caf::strong_actor_ptr>(actor),
                sys->message_types<node_endpoint>(), std::string("127.0.0.1"), true)
      .receive([&](std::uint16_t p) { bound = p; }, [](caf::error&) {});
    REQUIRE(bound == port);
  }

  /// Ends the actor; the system then shuts down (closing the port).
  ~fake_member() {
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    actor = nullptr;
  }
};

std::optional<event> wait_for(const node_process& n, const std::string& name, std::uint64_t peer,
                              std::chrono::milliseconds limit) {
  return n.wait_event(
    [&](const event& e) {
      return e.name == name && e.num("peer") == std::optional<std::uint64_t>{peer};
    },
    limit);
}

} // namespace

TEST_CASE("a link refused by a live member asks again and comes up once that member answers "
          "as the member its address belongs to",
          "[process][link]") {
  cluster_dir c{3};
  auto config2 = load_cluster_config(c.config(2));
  REQUIRE(config2);
  fake_member fake{*config2.config, c.port(2)};
  fake.claims->store(3); // answers as member 3 from member 2's address
  c.node(1).start();
  c.node(3).start();
  for (auto id : {1, 3}) {
    auto refused = wait_for(c.node(id), "peer_refused", 2, 10s);
    INFO(c.logs());
    REQUIRE(refused);
    CHECK(refused->str("reason") == std::optional<std::string>{"another_member_id"});
    CHECK(refused->num("peer_claims") == std::optional<std::uint64_t>{3});
  }
  fake.claims->store(2); // the same process now answers as the member the config names
  for (auto id : {1, 3}) {
    // Asked again within the retry interval (5 s), though the refusing process still lives.
    auto up = wait_for(c.node(id), "peer_up", 2, 10s);
    INFO(c.logs());
    CHECK(up);
  }
}

#include "actors/node_system.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>

#include <caf/actor_registry.hpp>
#include <caf/io/basp/header.hpp>
#include <caf/io/basp_broker.hpp>
#include <caf/io/network/default_multiplexer.hpp>
#include <caf/make_actor.hpp>
#include <caf/message_handler.hpp>
#include <caf/monitorable_actor.hpp>
#include <caf/uniform_type_info_map.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

#include "messages/registration.hpp"

namespace raft {

namespace {

std::mutex oversized_mtx;
std::function<void(std::uint64_t)> oversized_report;

/// The payload length a BASP header announces (bytes 4–7, big-endian; caf/io/basp/header.hpp).
std::uint32_t announced_payload(const std::vector<char>& header) {
  std::uint32_t n = 0;
  for (std::size_t i = 4; i < 8; ++i)
    n = (n << 8) | static_cast<std::uint8_t>(header[i]);
  return n;
}

/// CAF's BASP broker with the three amendments of configure_node_system. Everything else is
/// CAF's own behavior, which handles every message these handlers pass on to it.
class checked_basp_broker final : public caf::io::basp_broker {
public:
  using basp_broker::basp_broker;

  caf::behavior make_behavior() override {
    auto base = basp_broker::make_behavior();
    return caf::message_handler{
      // A connection the other side closed: CAF queues its cleanup behind the messages of it
      // still being deserialized (a `delete_atom` the broker gets later). Counted here, so
      // that a new connection on the same handle can have it done first (reuse below).
      [this, base](const caf::io::connection_closed_msg& msg) mutable {
        ++closing_[msg.handle];
        base(current_mailbox_element()->content());
      },
      [this, base](caf::delete_atom, caf::io::connection_handle hdl) mutable {
        if (auto i = done_early_.find(hdl); i != done_early_.end()) {
          if (--i->second == 0)
            done_early_.erase(i);
          return; // done when the handle was reused: it would now hit the new connection
        }
        if (auto i = closing_.find(hdl); i != closing_.end() && --i->second == 0)
          closing_.erase(i);
        base(current_mailbox_element()->content());
      },
      [this, base](const caf::io::new_connection_msg& msg) mutable {
        reuse(msg.handle);
        base(current_mailbox_element()->content());
      },
      [this, base](caf::io::new_data_msg& msg) mutable {
        auto i = ctx.find(msg.handle);
        const bool header = i == ctx.end() || i->second.cstate == caf::io::basp::await_header;
        if (header && msg.buf.size() == caf::io::basp::header_size &&
            announced_payload(msg.buf) > max_message_bytes) {
          const auto announced = announced_payload(msg.buf);
          connection_cleanup(msg.handle, caf::sec::malformed_basp_message);
          close(msg.handle);
          std::lock_guard<std::mutex> guard{oversized_mtx};
          if (oversized_report)
            oversized_report(announced);
          return;
        }
        base(current_mailbox_element()->content());
      },
      [this, base](caf::connect_atom, caf::io::scribe_ptr& ptr, std::uint16_t) mutable {
        const auto hdl = ptr->hdl();
        reuse(hdl);
        base(current_mailbox_element()->content());
        auto i = ctx.find(hdl);
        if (i != ctx.end())
          i->second.last_seen = clock().now();
      }}
      .or_else(base); // with a behavior, or_else gives a behavior
  }

private:
  /// A connection handle is the connection's socket descriptor, which the system hands out
  /// again once the socket is closed. If a new connection (accepted, or one the middleman
  /// made) gets the handle of a closed one whose queued cleanup has not run yet, that cleanup
  /// would later remove the new connection's routing entry and context instead (CAF 0.17.6,
  /// basp_broker.cpp: connection_closed_msg, then delete_atom). Measured on loopback clusters
  /// whose members reconnect at once (a member frozen past the connection timeout, then
  /// thawed): a node's messages for one member went to another member's actor of the same
  /// id — a hello answered by the wrong member, which the link took for a refusal — or
  /// arrived without a sender. So the old connection's cleanup is done now, before the new
  /// connection is registered, and the queued one is skipped.
  void reuse(caf::io::connection_handle hdl) {
    auto i = closing_.find(hdl);
    if (i == closing_.end())
      return;
    connection_cleanup(hdl, caf::sec::none);
    done_early_[hdl] += i->second;
    closing_.erase(i);
  }

  /// Closed connections whose queued cleanup has not run yet, by handle (a count each).
  std::map<caf::io::connection_handle, std::size_t> closing_;
  /// Queued cleanups already done by reuse, to be skipped when they come.
  std::map<caf::io::connection_handle, std::size_t> done_early_;
};

/// CAF's middleman with checked_basp_broker as its BASP broker: it takes the broker's name
/// before CAF's start would make its own, and CAF's OpenSSL module finds it by that name.
class checked_middleman final : public caf::io::middleman {
public:
  explicit checked_middleman(caf::actor_system& sys) : middleman(sys), backend_(&sys) {
  }

  static caf::actor_system::module* make(caf::actor_system& sys, caf::detail::type_list<>) {
    return new checked_middleman(sys);
  }

  caf::io::network::multiplexer& backend() override {
    return backend_;
  }

  void start() override {
    named_broker<checked_basp_broker>(caf::atom("BASP"));
    middleman::start();
  }

private:
  caf::io::network::default_multiplexer backend_;
};

} // namespace

void on_oversized_message(std::function<void(std::uint64_t announced)> report) {
  std::lock_guard<std::mutex> guard{oversized_mtx};
  oversized_report = std::move(report);
}

void configure_node_system(caf::actor_system_config& cfg, const transport_timing& transport,
                           const std::optional<tls_settings>& tls) {
  using namespace std::chrono_literals;
  register_messages(cfg);
  cfg.load<checked_middleman>();
  cfg.set("scheduler.max-throughput", 1);
  // CAF's work-stealing workers spin and poll for ~25 ms after each job by default, which
  // keeps an idle node at ~10% of a core with heartbeats every 100 ms. A worker with no work
  // now goes straight to its condition variable (an enqueue wakes it at once). No moderate
  // poll at all: its one attempt was a 50 us nanosleep, during which an enqueue does not
  // wake the worker (only a worker waiting on the condition variable is notified), so a
  // message arriving then waited for the sleep to end, and every idle worker switched
  // twice.
  cfg.set("work-stealing.aggressive-poll-attempts", 1);
  cfg.set("work-stealing.moderate-poll-attempts", 0);
  cfg.set("work-stealing.relaxed-sleep-duration", caf::timespan{100ms});
  cfg.set("middleman.heartbeat-interval", caf::timespan{transport.heartbeat_interval});
  cfg.set("middleman.connection-timeout", caf::timespan{transport.connection_timeout});
  if (tls) {
    cfg.load<caf::openssl::manager>();
    cfg.openssl_certificate = tls->cert_file.path;
    cfg.openssl_key = tls->key_file.path;
    cfg.openssl_cafile = tls->ca_file.path;
  }
}

caf::io::middleman_actor transport_of(caf::actor_system& sys) {
  return sys.has_openssl_manager() ? sys.openssl_manager().actor_handle()
                                   : sys.middleman().actor_handle();
}

remote_filter nothing_remote() {
  return [](const caf::type_erased_tuple&) { return false; };
}

namespace {

/// Bytes of a refused message's rendering kept for the report.
constexpr std::size_t rendering_limit = 200;

/// The guard of guard_remote_access (see there). Invariant: while it runs, `actor_` is the
/// guarded actor; after its cleanup (which the guarded actor's end triggers) it holds
/// nothing and passes nothing on.
class remote_guard final : public caf::monitorable_actor {
public:
  remote_guard(caf::actor_config& cfg, caf::strong_actor_ptr actor, std::string name,
               remote_filter allowed, std::function<void(const remote_refusal&)> on_refused)
    : caf::monitorable_actor(cfg),
      actor_(std::move(actor)),
      name_(std::move(name)),
      allowed_(std::move(allowed)),
      on_refused_(std::move(on_refused)) {
  }

  const char* name() const override {
    return "remote_guard";
  }

  /// True once the guarded actor has ended.
  bool ended() {
    std::lock_guard<std::mutex> guard{mtx_};
    return actor_ == nullptr;
  }

  void enqueue(caf::mailbox_element_ptr what, caf::execution_unit* ctx) override {
    if (what == nullptr)
      return;
    caf::strong_actor_ptr to;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      to = actor_;
    }
    auto& content = what->content();
    if (to && !content.empty() && allowed_(content)) {
      to->enqueue(std::move(what), ctx);
      return;
    }
    if (!to || !on_refused_)
      return; // the guarded actor has ended: nothing to protect, nothing to report
    // "TYPE,TYPE: (VALUES)", e.g. "@exit: (exit_msg(…, exit_reason(kill)))".
    std::string text;
    for (std::size_t i = 0; i < content.size(); ++i)
      text += (i == 0 ? "" : ",") + home_system().types().portable_name(content.type(i));
    text += ": " + (content.empty() ? std::string{"()"} : content.stringify());
    if (text.size() > rendering_limit)
      text.resize(rendering_limit);
    on_refused_(remote_refusal{name_, std::move(text)});
  }

protected:
  void on_cleanup(const caf::error&) override {
    std::lock_guard<std::mutex> guard{mtx_};
    actor_.reset();
  }

private:
  std::mutex mtx_;
  caf::strong_actor_ptr actor_;
  const std::string name_;
  const remote_filter allowed_;
  const std::function<void(const remote_refusal&)> on_refused_;
};

} // namespace

caf::strong_actor_ptr guard_remote_access(caf::actor_system& sys,
                                          const caf::strong_actor_ptr& actor, std::string name,
                                          remote_filter allowed,
                                          std::function<void(const remote_refusal&)> on_refused) {
  if (!actor)
    return nullptr;
  caf::actor_config cfg;
  auto guard = caf::make_actor<remote_guard, caf::strong_actor_ptr>(
    sys.next_actor_id(), sys.node(), &sys, cfg, actor, std::move(name), std::move(allowed),
    std::move(on_refused));
  // The guard ends with its actor (at once if that has ended already). Only a weak
  // reference here: the guard holds the actor, and the actor must not keep its guard alive.
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(guard);
  actor->get()->attach_functor([weak](const caf::error& reason) {
    if (auto g = caf::actor_cast<caf::strong_actor_ptr>(weak))
      static_cast<remote_guard*>(g->get())->cleanup(caf::error{reason}, nullptr);
  });
  // The registry keeps the first entry of an id: take it before CAF does, or replace CAF's.
  auto& registry = sys.registry();
  const auto id = actor->id();
  for (int attempt = 0; attempt < 16; ++attempt) {
    registry.put(id, guard);
    if (registry.get(id) == guard || static_cast<remote_guard*>(guard->get())->ended())
      return guard; // guarded, or nothing left to guard (the guard's end took it out again)
    registry.erase(id);
  }
  throw std::runtime_error("cannot guard actor " + std::to_string(id) + " in CAF's registry");
}

void guard_named_actors(caf::actor_system& sys,
                        const std::function<void(const remote_refusal&)>& on_refused) {
  auto& registry = sys.registry();
  for (auto name : {"SpawnServ", "ConfigServ"}) {
    const auto key = caf::atom_from_string(name);
    auto actor = registry.get(key);
    if (!actor)
      continue;
    // Every CAF node asks a node it connects to for `('sys', 'get', "info")` at its
    // SpawnServ (basp_broker.cpp, learned_new_node); CAF answers it without the actor's
    // behavior (the actor's own address and name). Let that through, nothing else.
    remote_filter allowed = nothing_remote();
    if (std::string(name) == "SpawnServ")
      allowed = [](const caf::type_erased_tuple& x) {
        return x.match_elements<caf::sys_atom, caf::get_atom, std::string>();
      };
    auto guard = guard_remote_access(sys, actor, name, std::move(allowed), on_refused);
    // A named entry is kept as first put, too: replace it.
    registry.erase(key);
    registry.put(key, guard);
  }
}

} // namespace raft

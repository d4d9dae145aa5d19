/// raft-node: runs one Raft peer of a multi-host cluster from a TOML config.
///
///   raft-node --config FILE --init
///   raft-node --config FILE [--log-format json|text] [--fault-file PATH]
///
/// `--init` makes a new node: it creates the data directory, a state file of term 0 with no
/// vote and an empty log (`log/`), prints one line and exits 0; it refuses (exit 2, the file
/// untouched) when a state file exists. A normal start never creates durable state: a
/// missing data directory, state file or log is exit 2 with a line telling the operator to
/// run `--init` on a new node. So an unmounted volume or a mistyped data_dir cannot make a
/// node that voted forget its vote and vote again in the same term (§5.2, Election Safety),
/// or forget entries it acknowledged. The log (storage/disk_log_store.hpp) is recovered at
/// start: a torn tail is cut and logged (`log_recovered`), a damaged record refused (exit 2,
/// nothing rewritten).
///
/// SIGUSR1 makes the node log a `stats` event: messages sent and received, by kind.
///
/// `--fault-file` is for tests and benchmarks only: the node reads PATH every 10 ms, and
/// while it lists peer ids (or `all`), messages to and from those peers are dropped with the
/// connections left up — a network that silently loses packets. A missing or empty file
/// means no fault. Each change is logged as a `fault` event (`cut`: the peer ids now cut
/// off) once the switch is in force; tests wait for it rather than for the file. Also
/// test-only: the words `kill:peer`, `kill:endpoint` and `kill:link:ID` in that file end that
/// internal actor with an exit message of reason `kill` (which no actor can trap), to check
/// that the node then exits instead of living on as a zombie.
///
/// No side doors: the peer, the endpoint, every link and the role feed are guarded in CAF's
/// actor registry (actors/node_system.hpp, guard_remote_access): another node can reach the
/// endpoint with its published interface and a link with the answers to its hello, nothing
/// else; whatever else it sends them, exit messages included, is dropped and logged as
/// `remote_refused` (at most once per actor per second, with the count of the others). So is
/// a message header announcing more than max_message_bytes, whose connection is closed
/// (`actor` "transport").
///
/// No zombies: the peer, the endpoint and every link are watched; if one ends for any reason
/// while the node is not shutting down, the node logs an `error` event naming the actor and
/// the reason and exits with status 1 within 1 s. State written before is intact: every save
/// replaces the state file atomically (storage/file_store.hpp).
///
/// Events go to stdout, one per line (apps/event_log.hpp). Exit status: 0 after SIGTERM or
/// SIGINT (within 2 s, even with a connect to a dead host in flight), 2 for usage, config or
/// state-file errors (a missing one included) and for `--init` finding a state file, 1 for
/// other failures (the port cannot be bound, the state cannot be written, a broken
/// invariant, an internal actor that died).

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/publish.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unistd.h>

#include "actors/endpoint.hpp"
#include "actors/node_system.hpp"
#include "actors/peer.hpp"
#include "actors/remote_link.hpp"
#include "apps/cli.hpp"
#include "actors/role_feed.hpp"
#include "apps/event_log.hpp"
#include "apps/hook_runner.hpp"
#include "apps/metrics_server.hpp"
#include "apps/node_metrics.hpp"
#include "apps/status_view.hpp"
#include "config/cluster_identity.hpp"
#include "config/load_config.hpp"
#include "kv/store.hpp"
#include "storage/disk_log_store.hpp"
#include "storage/file_store.hpp"
#include "storage/posix_fs.hpp"
#include "tls/certificate_check.hpp"
#include "tls/member_proof.hpp"

#include <arpa/inet.h>

using namespace raft;
using ef = event_field;

namespace {

/// True when `host` is a loopback address (127.0.0.0/8, ::1) or `localhost`: traffic to it
/// never leaves this machine, so running without TLS exposes nothing.
bool is_loopback_host(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

std::atomic<int> fatal_status{0};

/// Wakes the main thread's sigtimedwait at once (SIGUSR2 is blocked in every thread).
void wake_main() {
  ::kill(::getpid(), SIGUSR2);
}

/// Set by main just before it stops the actors: from then on an actor's end is expected.
std::atomic<bool> shutting_down{false};

/// No zombies: makes the end of `actor` (named `name` in the event) fatal unless main is
/// shutting down. The first fatal problem is logged as an `error` event; the peer reports
/// its own fatal errors (a failed save, a broken invariant) before it ends, so its end then
/// adds no second event.
template <class Handle>
void watch(const Handle& actor, std::string name, caf::actor_system& sys, event_log& log) {
  actor->attach_functor([name, &sys, &log](const caf::error& reason) {
    if (shutting_down.load())
      return;
    if (fatal_status.exchange(1) == 0) {
      auto why = sys.render(reason);
      log.emit("error", {ef::str("message", "internal actor '" + name + "' stopped: " + why),
                         ef::str("actor", name), ef::str("reason", why)});
    }
    wake_main();
  });
}

/// Makes a new node's data directory (`--init`; see the top of this file).
int init_node(const cluster_config& conf) {
  try {
    file_store::initialize(conf.data_dir);
    posix_fs files;
    disk_log_store::init(files, conf.data_dir);
  } catch (const state_exists& ex) {
    std::fprintf(stderr, "%s; --init is only for a new node\n", ex.what());
    return 2;
  } catch (const data_dir_in_use& ex) {
    std::fprintf(stderr, "%s\n", ex.what());
    return 2;
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "%s\n", ex.what());
    return 1;
  }
  std::printf("node %u: initialised %s/%s: term 0, no vote, and an empty log in %s/%s\n",
              conf.node_id, conf.data_dir.c_str(), file_store::state_file_name,
              conf.data_dir.c_str(), disk_log_store::log_dir_name);
  return 0;
}

/// Exits the process if an orderly shutdown has not finished in time. Everything durable
/// was written (and fsynced) before the message that depended on it, so nothing is lost.
/// Set by whoever reports the `stopped` event: main after an orderly shutdown, or the
/// watchdog when that shutdown overran (so the event is never missing).
std::atomic<bool> stopped_reported{false};

void arm_watchdog(std::chrono::milliseconds limit, int status,
                  std::function<void()> report_stopped) {
  std::thread([limit, status, report_stopped] {
    std::this_thread::sleep_for(limit);
    if (!stopped_reported.exchange(true))
      report_stopped();
    std::fflush(stdout);
    _exit(status);
  }).detach();
}

/// Reports what remote parties sent to the node's guarded actors and the guards dropped
/// (guard_remote_access, actors/node_system.hpp) as `remote_refused` events, rate-limited by
/// report_limiter: at most one per guarded actor per second, `suppressed` counting the drops
/// since that actor's previous report that got no report of their own. Thread-safe: CAF's
/// threads report, the main thread flushes.
class remote_refusals {
public:
  explicit remote_refusals(event_log& log) : log_(log) {
  }

  /// The callback for guarded actor number `index` (each guarded actor has its own).
  std::function<void(const remote_refusal&)> reporter(peer_id index) {
    return [this, index](const remote_refusal& r) {
      std::lock_guard<std::mutex> guard{mtx_};
      if (auto report = limiter_.rejected(index, r, now()))
        emit(*report);
    };
  }

  /// Reports the counts whose window has passed; the main loop calls it every tick.
  void flush() {
    std::lock_guard<std::mutex> guard{mtx_};
    for (auto& report : limiter_.flush(now()))
      emit(report);
  }

private:
  static time_point now() {
    return std::chrono::duration_cast<time_point>(
      std::chrono::steady_clock::now().time_since_epoch());
  }

  void emit(const report_limiter<remote_refusal>::report& r) {
    log_.emit("remote_refused", {ef::str("actor", r.detail.actor),
                                 ef::str("message", r.detail.message),
                                 ef::num("suppressed", r.suppressed)});
  }

  event_log& log_;
  std::mutex mtx_;
  /// Guarded actors number at most 3 + the members: the capacity never overflows.
  report_limiter<remote_refusal> limiter_{1024, std::chrono::seconds(1)};
};

/// Logs the message counters: `sent_KIND` and `received_KIND` for every message kind.
void log_stats(const peer_stats& stats, event_log& log) {
  std::vector<event_field> fields;
  for (std::size_t k = 0; k < peer_stats::kinds; ++k) {
    auto name = std::string(kind_name(k));
    fields.push_back(ef::num("sent_" + name, stats.sent[k].load()));
    fields.push_back(ef::num("received_" + name, stats.received[k].load()));
  }
  log.emit("stats", fields);
}

/// Reads the fault file (see the top of this file) into `faults`; logs each change.
void poll_fault_file(const std::string& path, const cluster_config& conf, fault_switch& faults,
                     event_log& log) {
  std::set<peer_id> cut;
  std::ifstream in{path};
  std::string word;
  while (in >> word) {
    if (word == "all") {
      for (auto& p : conf.others())
        cut.insert(p.id);
    } else {
      char* end = nullptr;
      auto id = std::strtoul(word.c_str(), &end, 10);
      if (*end == '\0' && id != conf.node_id)
        cut.insert(static_cast<peer_id>(id));
    }
  }
  if (faults.set(cut)) {
    std::string ids;
    for (auto id : cut)
      ids += (ids.empty() ? "" : " ") + std::to_string(id);
    log.emit("fault", {ef::str("cut", ids)});
  }
}

/// Test-only kill commands in the fault file (see the top of this file); each command is
/// carried out once.
void poll_kill_commands(const std::string& path,
                        const std::map<std::string, caf::strong_actor_ptr>& targets,
                        std::set<std::string>& done) {
  std::ifstream in{path};
  std::string word;
  while (in >> word) {
    auto i = targets.find(word);
    if (i != targets.end() && done.insert(word).second)
      caf::anon_send_exit(i->second, caf::exit_reason::kill);
  }
}

} // namespace

int main(int argc, char** argv) {
  std::string config_path;
  std::string fault_file;
  bool init = false;
  std::string log_format = "json";
  CLI::App app{"Runs one peer of a Raft cluster from a TOML config (config/README.md).",
               "raft-node"};
  app.option_defaults()->always_capture_default();
  app.add_option("--config", config_path, "the node's TOML config")
    ->required()
    ->type_name("FILE");
  auto* init_flag =
    app.add_flag("--init", init, "make a new node's state (term 0, no vote) and exit");
  app.add_option("--log-format", log_format, "how events are written to stdout")
    ->check(one_of({"json", "text"}));
  app.add_option("--fault-file", fault_file, "tests only: peer ids to cut off, read every 10 ms")
    ->type_name("PATH")
    ->excludes(init_flag);
  if (auto status = parse_command_line(app, argc, argv))
    return *status;
  auto fmt = log_format == "text" ? event_log::format::text : event_log::format::json;

  auto loaded = load_cluster_config_or_report(config_path);
  if (!loaded)
    return 2;
  const auto conf = *loaded;
  const auto& me = conf.self();
  if (conf.tls) {
    // Checked before --init too: a node whose certificate cannot work should not be set up.
    auto problems =
      check_tls_files(*conf.tls, member_certificate_name(conf.node_id), config_path);
    for (auto& e : problems)
      std::fprintf(stderr, "%s\n", e.c_str());
    if (!problems.empty())
      return 2;
  }
  if (init)
    return init_node(conf);
  // With [tls]: this node's key signs its member proofs; the CA checks the others' (README
  // "Mutual TLS").
  std::shared_ptr<const member_signer> signer;
  std::shared_ptr<const proof_verifier> verifier;
  if (conf.tls) {
    std::string why;
    signer = member_signer::load(*conf.tls, why);
    if (signer)
      verifier = proof_verifier::load(conf.tls->ca_file.path, why);
    if (!signer || !verifier) {
      std::fprintf(stderr, "%s\n", why.c_str());
      return 2;
    }
  }
  const cluster_identity identity = identity_of(conf);

  // Signals are taken by sigwait in the main thread; every thread started from here on
  // inherits the blocked mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGUSR1);
  sigaddset(&stop_signals, SIGUSR2); // wake_main()
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  event_log log{conf.node_id, fmt};
  std::shared_ptr<disk_log_store> store;
  recovered_state restored;
  try {
    auto hard_state = std::make_shared<file_store>(conf.data_dir);
    store = std::make_shared<disk_log_store>(std::make_shared<posix_fs>(), conf.data_dir,
                                             hard_state);
    restored = store->load();
  } catch (const state_missing& ex) {
    // Never create a state here: only an operator knows that this node is new.
    std::fprintf(stderr,
                 "%s; on a new node, run 'raft-node --config %s --init' first (a node that "
                 "ran before must not be initialised again: check data_dir and that its "
                 "volume is mounted)\n",
                 ex.what(), config_path.c_str());
    return 2;
  } catch (const std::exception& ex) {
    // Never reset a state we cannot read: that could let this node vote twice in a term.
    std::fprintf(stderr, "%s\n", ex.what());
    return 2;
  }

  // What other nodes send that is not for them to send: to a guarded actor (reporters: 0
  // the endpoint, 1 the peer, 2 the role feed, 4 CAF's named actors, 100 + ID the link to
  // member ID) or a header announcing more than max_message_bytes (3, "transport": its
  // connection is closed).
  remote_refusals refusals{log};
  on_oversized_message([report = refusals.reporter(3)](std::uint64_t announced) {
    report(remote_refusal{"transport", "a message header announcing " +
                                         std::to_string(announced) + " bytes (limit " +
                                         std::to_string(max_message_bytes) +
                                         "): connection closed"});
  });
  caf::actor_system_config cfg;
  configure_node_system(cfg, transport_timing_for(conf.timing), conf.tls);
  // The system lives on the heap: if shutdown overruns, the watchdog exits without it.
  auto sys = std::make_unique<caf::actor_system>(cfg);
  guard_named_actors(*sys, refusals.reporter(4)); // CAF's SpawnServ and ConfigServ

  peer_config pc;
  pc.core = node::with_defaults(conf.node_id, conf.member_ids(), conf.timing,
                                         std::random_device{}() ^
                                           (std::uint64_t{conf.node_id} << 32));
  pc.store = store;
  pc.recovered = restored;
  // The replicated state machine: the key-value store (kv/store.hpp), snapshotted every
  // [kv] snapshot_every entries.
  kv::store_options kv_options;
  kv_options.session_timeout_ms = conf.kv.session_timeout_ms;
  kv_options.max_sessions = static_cast<std::size_t>(conf.kv.max_sessions);
  pc.machine = std::make_shared<kv::kv_store>(kv_options);
  pc.snapshot_every = conf.kv.snapshot_every;
  std::vector<peer_id> other_ids;
  for (auto& other : conf.others())
    other_ids.push_back(other.id);
  auto stats = std::make_shared<peer_stats>(other_ids);
  pc.stats = stats;
  // [metrics]: the registry the observers below update and the HTTP server reads.
  std::shared_ptr<node_metrics> metrics;
  if (conf.metrics)
    metrics = std::make_shared<node_metrics>(other_ids, stats);
  // [hooks]: run on their own thread, fed by the observer below.
  std::unique_ptr<hook_runner> hooks;
  if (!conf.hooks.on_leader.empty() || !conf.hooks.on_follower.empty())
    hooks = std::make_unique<hook_runner>(conf.node_id, conf.hooks, [&log](const hook_report& r) {
      std::vector<event_field> f{ef::str("hook", r.job.hook), ef::num("term", r.job.term),
                                 ef::str("role", std::string(to_string(r.job.role))),
                                 r.job.leader ? ef::num("leader", *r.job.leader)
                                              : ef::null("leader"),
                                 ef::str("outcome", r.outcome)};
      if (r.status)
        f.push_back(ef::num("status", static_cast<std::uint64_t>(*r.status)));
      if (r.signal)
        f.push_back(ef::num("signal", static_cast<std::uint64_t>(*r.signal)));
      if (!r.detail.empty())
        f.push_back(ef::str("detail", r.detail));
      f.push_back(ef::num("ms", static_cast<std::uint64_t>(r.took.count())));
      log.emit("hook", f);
    });
  // Pushes role changes to `raftctl watch` (actors/role_feed.hpp).
  auto feed = spawn_role_feed(*sys, node_status{conf.node_id, restored.current_term, 0, 0});
  watch(feed, "role feed", *sys, log);
  // Every actor is guarded as soon as it exists (see the top of this file): no remote
  // message reaches it but what its guard lets through.
  guard_remote_access(*sys, caf::actor_cast<caf::strong_actor_ptr>(feed), "role feed",
                      nothing_remote(), refusals.reporter(2));
  std::shared_ptr<fault_switch> faults;
  if (!fault_file.empty())
    faults = std::make_shared<fault_switch>();
  std::vector<link_actor> links;
  // The links exist before the peer (it needs them), so they reach it through this holder.
  struct peer_holder {
    std::mutex mtx;
    peer_actor peer;
  };
  auto holder = std::make_shared<peer_holder>();
  // Likewise this node's endpoint, which the links send with their member proofs (TLS).
  struct endpoint_holder {
    std::mutex mtx;
    caf::actor endpoint;
  };
  auto ep_holder = std::make_shared<endpoint_holder>();
  for (auto& other : conf.others()) {
    remote_link_config rc;
    rc.peer = other.id;
    rc.host = other.host;
    rc.port = other.port;
    rc.hello = cluster_hello{identity, conf.node_id};
    rc.faults = faults;
    rc.signer = signer;
    // With TLS only the lower id of two members dials (actors/remote_link.hpp says why).
    rc.dial = !conf.tls || conf.node_id < other.id;
    rc.local_endpoint = [ep_holder] {
      std::lock_guard<std::mutex> guard{ep_holder->mtx};
      return ep_holder->endpoint;
    };
    rc.on_refused = [&log, identity, address = other.host + ":" + std::to_string(other.port)](
                      peer_id p, const std::string& reason, const cluster_hello& theirs) {
      log.emit("peer_refused",
               {ef::num("peer", p), ef::str("direction", "outgoing"), ef::str("address", address),
                ef::str("reason", reason), ef::str("identity", identity.text()),
                ef::str("peer_identity", theirs.identity.text()),
                ef::num("peer_claims", theirs.id)});
    };
    rc.on_change = [&log, holder, metrics](peer_id p, bool up, const std::string& detail) {
      log.emit(up ? "peer_up" : "peer_down", {ef::num("peer", p), ef::str("detail", detail)});
      if (metrics)
        metrics->peer_connected(p, up);
      std::lock_guard<std::mutex> guard{holder->mtx};
      if (!holder->peer)
        return;
      if (up)
        caf::anon_send(holder->peer, link_up_atom::value, p);
      else
        caf::anon_send(holder->peer, link_down_atom::value, p); // the crash fast path
    };
    auto l = spawn_remote_link(*sys, rc);
    watch(l, "link to peer " + std::to_string(other.id), *sys, log);
    // From other nodes a link hears only the answers to its hello (never a wire message to
    // relay with its token).
    guard_remote_access(*sys, caf::actor_cast<caf::strong_actor_ptr>(l),
                        "link to peer " + std::to_string(other.id),
                        inputs_of<hello_reply_actor>(), refusals.reporter(100 + other.id));
    pc.links.emplace(other.id, l);
    links.push_back(l);
  }
  // Runs on the peer's thread: everything below only logs, stores atomics or enqueues.
  pc.observer = [&log, metrics, hook_ptr = hooks.get(), feed](const peer_event& ev) {
    if (auto* r = std::get_if<role_changed>(&ev.what)) {
      log.emit("role", {ef::str("role", std::string(to_string(r->role))), ef::num("term", r->term),
                        r->leader ? ef::num("leader", *r->leader) : ef::null("leader")});
      if (metrics)
        metrics->role_changed(r->role, r->term, r->leader);
      if (hook_ptr)
        hook_ptr->role_changed(r->role, r->term, r->leader);
      caf::anon_send(feed, role_atom::value,
                     node_status{ev.peer, r->term, static_cast<std::uint8_t>(r->role),
                                 r->leader.value_or(0)});
    } else if (auto* x = std::get_if<message_rejected>(&ev.what)) {
      log.emit("rejected", {ef::num("from", x->from), ef::str("reason", x->reason)});
      if (metrics)
        metrics->rejected(node_metrics::reason_label(x->reason));
    } else if (auto* fatal = std::get_if<std::string>(&ev.what)) {
      log.emit("error", {ef::str("message", *fatal)});
      fatal_status = 1;
      wake_main();
    }
  };

  auto address = me.host + ":" + std::to_string(me.port);
  log.emit("started", {ef::str("address", address), ef::num("term", restored.current_term),
                       restored.voted_for ? ef::num("voted_for", *restored.voted_for)
                                          : ef::null("voted_for"),
                       ef::num("members", conf.peers.size()),
                       ef::num("last_index", restored.last_index()),
                       ef::num("snapshot_index", restored.snapshot_index),
                       ef::str("identity", identity.text()),
                       ef::boolean("tls", conf.tls.has_value())});
  // What recovery repaired (a torn tail cut, leftovers removed): durable before this line.
  for (auto& note : store->recovery_notes())
    log.emit("log_recovered", {ef::str("message", note)});
  if (!conf.tls) {
    std::string exposed;
    for (auto& p : conf.peers)
      if (!is_loopback_host(p.host))
        exposed += (exposed.empty() ? "" : " ") + p.host + ":" + std::to_string(p.port);
    if (!exposed.empty())
      log.emit("warning",
               {ef::str("message", "no [tls] in the config: anyone who can reach these member "
                                   "addresses can take part in elections"),
                ef::str("addresses", exposed)});
  }
  peer_actor peer;
  node_endpoint ep;
  std::unique_ptr<metrics_server> server;
  int status = 0;
  try {
    // On the shared workers, like the endpoint and the links: a message from the endpoint
    // or to a link is then handed over on the same worker without a thread wake-up (each
    // costs tens of microseconds and two context switches on a loaded machine). The peer's
    // fdatasync holds up one of the workers meanwhile; the other serves the endpoint.
    peer = spawn_peer(*sys, pc, false);
    watch(peer, "peer", *sys, log);
    // Wire messages reach the peer only through the endpoint's checks; its answers to
    // `status` go out, nothing comes in.
    guard_remote_access(*sys, caf::actor_cast<caf::strong_actor_ptr>(peer), "peer",
                        nothing_remote(), refusals.reporter(1));
    {
      std::lock_guard<std::mutex> guard{holder->mtx};
      holder->peer = peer;
    }
    endpoint_config ec;
    ec.peer = peer;
    ec.self_id = conf.node_id;
    ec.members = conf.member_ids();
    ec.identity = identity;
    ec.faults = faults;
    ec.feed = feed;
    ec.verifier = verifier;
    ec.on_member_endpoint = [links = pc.links](peer_id id, const node_endpoint& theirs) {
      auto l = links.find(id);
      if (l != links.end())
        caf::anon_send(caf::actor_cast<caf::actor>(l->second), offer_atom::value, theirs);
    };
    ec.on_rejected = [&log, metrics](const report_limiter<sender_rejection>::report& r) {
      if (metrics) // a report stands for itself and the ones suppressed before it
        metrics->rejected(r.detail.reason, 1 + r.suppressed);
      log.emit("sender_rejected", {r.from ? ef::num("from", *r.from) : ef::null("from"),
                                   ef::str("kind", r.detail.kind),
                                   ef::str("reason", r.detail.reason),
                                   ef::num("suppressed", r.suppressed)});
    };
    ec.on_refused = [&log, identity](const report_limiter<hello_refusal>::report& r) {
      log.emit("peer_refused",
               {r.from ? ef::num("peer", *r.from) : ef::null("peer"),
                ef::str("direction", "incoming"), ef::str("reason", r.detail.reason),
                ef::str("identity", identity.text()),
                ef::str("peer_identity", r.detail.remote.identity.text()),
                ef::num("peer_claims", r.detail.remote.id), ef::num("suppressed", r.suppressed),
                ef::str("detail", r.detail.detail)});
    };
    ep = spawn_endpoint(*sys, ec);
    // Guarded before it is published: its published interface, and no exit message.
    guard_remote_access(*sys, caf::actor_cast<caf::strong_actor_ptr>(ep), "endpoint",
                        inputs_of<node_endpoint>(), refusals.reporter(0));
    {
      std::lock_guard<std::mutex> guard{ep_holder->mtx};
      ep_holder->endpoint = caf::actor_cast<caf::actor>(ep);
    }
    watch(ep, "endpoint", *sys, log);
    // With [tls] only CAF's OpenSSL transport listens: every connection must present a
    // certificate the cluster CA signed (actors/node_system.hpp).
    auto bound = conf.tls ? caf::openssl::publish(ep, me.port, me.host.c_str(), true)
                          : sys->middleman().publish(ep, me.port, me.host.c_str(), true);
    if (!bound) {
      log.emit("error", {ef::str("message", "cannot listen on " + address + ": " +
                                              sys->render(bound.error()))});
      status = 1;
    } else {
      log.emit("listening", {ef::str("address", address)});
    }
    if (status == 0 && metrics) {
      server = std::make_unique<metrics_server>(conf.metrics->host, conf.metrics->port,
                                                [metrics] { return metrics->render(); });
      log.emit("metrics", {ef::str("address", address_text(peer_address{
                                                0, conf.metrics->host, conf.metrics->port})),
                           ef::str("path", "/metrics")});
    }
  } catch (const std::exception& ex) {
    log.emit("error", {ef::str("message", ex.what())});
    status = 1;
  }

  // Test-only kill commands (see the top of this file), with --fault-file only.
  std::map<std::string, caf::strong_actor_ptr> kill_targets;
  std::set<std::string> kills_done;
  if (faults) {
    kill_targets.emplace("kill:peer", caf::actor_cast<caf::strong_actor_ptr>(peer));
    kill_targets.emplace("kill:endpoint", caf::actor_cast<caf::strong_actor_ptr>(ep));
    for (auto& [id, l] : pc.links)
      kill_targets.emplace("kill:link:" + std::to_string(id),
                           caf::actor_cast<caf::strong_actor_ptr>(l));
  }

  // Wait for SIGTERM/SIGINT, or for a fatal error (the peer's, or an actor that ended).
  while (status == 0 && fatal_status == 0) {
    if (faults) {
      poll_fault_file(fault_file, conf, *faults, log);
      poll_kill_commands(fault_file, kill_targets, kills_done);
    }
    timespec tick{0, faults ? 10'000'000 : 100'000'000};
    int sig = sigtimedwait(&stop_signals, nullptr, &tick);
    refusals.flush();
    if (sig == SIGUSR1)
      log_stats(*stats, log);
    if (sig == SIGTERM || sig == SIGINT) {
      log.emit("stopping", {ef::str("signal", sig == SIGTERM ? "SIGTERM" : "SIGINT")});
      break;
    }
  }
  if (status == 0)
    status = fatal_status.load();
  shutting_down = true;
  kill_targets.clear();
  // After a failure the node must be gone within 1 s of it (no zombies).
  arm_watchdog(std::chrono::milliseconds(status == 0 ? 1500 : 700), status, [&log, status] {
    log.emit("stopped", {ef::num("status", static_cast<std::uint64_t>(status))});
  });
  if (peer)
    caf::anon_send(peer, kill_atom::value);
  if (ep)
    caf::anon_send_exit(ep, caf::exit_reason::user_shutdown);
  for (auto& l : links)
    caf::anon_send_exit(l, caf::exit_reason::user_shutdown);
  peer = nullptr;
  {
    std::lock_guard<std::mutex> guard{holder->mtx};
    holder->peer = nullptr;
  }
  caf::anon_send_exit(feed, caf::exit_reason::user_shutdown);
  {
    std::lock_guard<std::mutex> guard{ep_holder->mtx};
    ep_holder->endpoint = nullptr;
  }
  ep = nullptr;
  feed = nullptr;
  links.clear();
  pc.links.clear();
  pc.observer = nullptr;
  server.reset();
  sys.reset();
  on_oversized_message(nullptr); // CAF's network thread is gone, and `refusals` goes next
  hooks.reset(); // the peer is gone: no more transitions; a running hook is cancelled
  if (stopped_reported.exchange(true))
    for (;;)
      pause(); // the watchdog reported `stopped` and is exiting; `log` must outlive it
  log.emit("stopped", {ef::num("status", static_cast<std::uint64_t>(status))});
  return status;
}

#pragma once
/// The CAF settings every networked process of the project uses (raft-node, raftctl), and
/// the guards that keep other nodes away from a node's actors (guard_remote_access).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <caf/actor_control_block.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_erased_tuple.hpp>

#include "config/cluster_config.hpp"
#include "config/transport_timing.hpp"

namespace caf {
class actor_system;
class actor_system_config;
} // namespace caf

namespace raft {

/// The largest payload a connected party may announce in one message header of CAF's
/// binary protocol: 16 MiB. CAF 0.17 allocates (and zeroes) whatever a header announces
/// before it reads a byte of it — measured: one 32-byte header announcing 4 GiB from a
/// holder of raftctl's certificate made a TLS node's resident memory grow to 4 GiB, and a
/// node limited to 1.5 GB of address space aborted (std::bad_alloc). The project's largest
/// message (a member proof with its certificate) is a few KiB; a larger one must be split.
constexpr std::uint32_t max_message_bytes = 16u << 20;

/// Registers the messages, loads the middleman, and sets:
/// - `scheduler.max-throughput` 1, so no busy actor starves another's timer;
/// - idle scheduler workers sleep on their condition variable instead of polling;
/// - middleman heartbeats and connection timeout from `transport` (transport_timing_for the
///   cluster's timing: config/transport_timing.hpp), so a frozen (SIGSTOP) or silently
///   vanished host is noticed and its link reconnects — never before an election timeout
///   would have fired; without heartbeats CAF 0.17 never notices a frozen peer.
///
/// The middleman loaded is CAF's own with its binary-protocol broker (BASP) amended three
/// times:
/// - a header announcing more than max_message_bytes closes its connection before anything
///   is allocated for the payload, and is reported through on_oversized_message;
/// - an outgoing connection's handshake gets the whole connection timeout: CAF 0.17.6 starts
///   the connection's "last seen" at zero, so the first heartbeat tick (every
///   `heartbeat_interval`) closed any connection whose handshake had not completed by then
///   with `connection_timeout` (measured: with TLS, 5 members and three raftctl runs at
///   once, most runs missed members that were up; plain TCP's faster handshake rarely
///   lost that race);
/// - a connection handle (a socket descriptor) that a new connection reuses before the
///   queued cleanup of the closed connection that had it has run gets that cleanup first:
///   CAF 0.17.6 would otherwise clean up the new connection instead, and then send one
///   member's messages to another member's actor of the same id (measured after a member
///   frozen past the connection timeout reconnected to all others at once).
///
/// With `tls`, also loads CAF's OpenSSL module (libcaf_openssl) with the certificate, key
/// and CA of `tls`: every connection made or accepted through `transport_of` then requires a
/// certificate signed by that CA on both sides (CAF sets SSL_VERIFY_PEER and
/// SSL_VERIFY_FAIL_IF_NO_PEER_CERT for client and server alike) and presents this process's
/// own. Call check_tls_files (tls/certificate_check.hpp) first: CAF reports bad files only
/// as an exception without their names.
void configure_node_system(caf::actor_system_config& cfg, const transport_timing& transport,
                           const std::optional<tls_settings>& tls = std::nullopt);


/// Sets the function called, on CAF's network thread, with the announced size of each
/// header refused for exceeding max_message_bytes (replacing any earlier one; none: nothing
/// is called). Set it before the actor system exists.
void on_oversized_message(std::function<void(std::uint64_t announced)> report);

/// The middleman actor to connect and publish through: CAF's OpenSSL one when the system
/// was configured with TLS, the plain one otherwise. Both answer `connect_atom` and
/// `publish_atom` alike.
caf::io::middleman_actor transport_of(caf::actor_system& sys);

/// A message a remote party addressed to a guarded actor, and refused (see
/// guard_remote_access).
struct remote_refusal {
  std::string actor;   ///< the guarded actor's name, as the caller gave it
  /// The message's type names and content as CAF renders them, cut at 200 bytes, e.g.
  /// `@exit: (exit_msg(6@…, exit_reason(kill)))`.
  std::string message;
};

/// What a guard lets through to its actor (see guard_remote_access).
using remote_filter = std::function<bool(const caf::type_erased_tuple&)>;

/// A filter letting through the input types of the typed interface `Handle` (e.g.
/// `node_endpoint`): a message passes when its elements match one signature's inputs
/// exactly. CAF's system messages (exit, down, error, link) are in no interface.
template <class Handle>
remote_filter inputs_of();

/// A filter letting nothing through: for actors no remote party has anything to say to.
remote_filter nothing_remote();

/// Closes CAF 0.17's side door to `actor` (measured, README "Threat model"): CAF's binary
/// protocol delivers a message from any connected party (over TLS, any holder of a
/// certificate the cluster CA signed, raftctl's included) to any actor id it finds in the
/// local actor registry, and CAF puts there every actor that was published or ever sent a
/// message to another node — the peer once it answers `raftctl status`, every link, the role
/// feed. Without a guard such a party could send an exit message (reason `kill`, which no
/// CAF actor can trap) and stop the node, or hand a link a wire message that the link then
/// relays with its own session token, past the endpoint's sender checks.
///
/// The guard is an actor without a mailbox that takes `actor`'s place in the registry (under
/// `actor`'s id; CAF never replaces an entry, so its own later registrations change
/// nothing). Every message that reaches it came from another node, because local senders
/// hold `actor` itself: it passes a message on to `actor` unchanged (sender, request id and
/// all) when `allowed` accepts it, and drops anything else — exit messages included, which
/// cannot stop it, as it has no behavior to stop — calling `on_refused` from the thread of
/// CAF's that delivered it. It ends when `actor` ends (so a remote party monitoring `actor`
/// still learns of its end) and is then removed from the registry.
///
/// Call it right after spawning `actor`, before it is published or sends anything to another
/// node. Should CAF have registered `actor` first anyway, its entry is replaced. Returns the
/// guard.
caf::strong_actor_ptr guard_remote_access(caf::actor_system& sys,
                                          const caf::strong_actor_ptr& actor, std::string name,
                                          remote_filter allowed,
                                          std::function<void(const remote_refusal&)> on_refused);

/// Guards CAF's own named actors, `SpawnServ` and `ConfigServ` (reached by name from any
/// connected party), under their names and their ids: nothing passes but the
/// `('sys', 'get', "info")` every CAF node sends SpawnServ on connecting (CAF answers it
/// itself). Nothing of the project uses them from another node; unguarded, ConfigServ keeps
/// every key and message a remote party `put`s into it (memory without bound), and SpawnServ
/// would spawn any actor type registered for remote spawning (none is). The guards report
/// as `SpawnServ` and `ConfigServ`. Call it once, right after the actor system exists.
void guard_named_actors(caf::actor_system& sys,
                        const std::function<void(const remote_refusal&)>& on_refused);

// -- implementation -------------------------------------------------------------------------

namespace detail {

template <class Signature>
struct signature_inputs;

template <class... Inputs, class Outputs>
struct signature_inputs<caf::typed_mpi<caf::detail::type_list<Inputs...>, Outputs>> {
  static bool match(const caf::type_erased_tuple& x) {
    return x.match_elements<Inputs...>();
  }
};

template <class... Signatures>
bool matches_one_of(const caf::type_erased_tuple& x, caf::detail::type_list<Signatures...>) {
  return (signature_inputs<Signatures>::match(x) || ...);
}

} // namespace detail

template <class Handle>
remote_filter inputs_of() {
  return [](const caf::type_erased_tuple& x) {
    return detail::matches_one_of(x, typename Handle::signatures{});
  };
}

} // namespace raft

#include "client/kv_client.hpp"

#include <map>
#include <thread>
#include <variant>

#include "client/remote_transport.hpp"
#include "kv/codec.hpp"
#include "messages/client.hpp"

namespace raft {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

const char* to_string(read_consistency c) {
  switch (c) {
    case read_consistency::linearizable: return "linearizable";
    case read_consistency::lease: return "lease";
    case read_consistency::local: return "local";
  }
  return "?";
}

const char* to_string(kv_outcome o) {
  switch (o) {
    case kv_outcome::done: return "done";
    case kv_outcome::unknown: return "unknown";
    case kv_outcome::refused: return "refused";
    case kv_outcome::unavailable: return "unavailable";
  }
  return "?";
}

namespace {

/// What one request to the cluster came to.
struct sent_result {
  std::optional<client_reply> reply; ///< ok or refused (nothing else ends a request)
  bool left = false;                 ///< it reached a member at least once
  /// A try before the final answer may have taken effect: it left and no answer came, or the
  /// answer was `unknown`.
  bool ambiguous = false;
  std::string why;                   ///< no reply: the last reason
};

kv_result failed(kv_outcome o, std::string why) {
  kv_result r;
  r.outcome = o;
  r.error = std::move(why);
  return r;
}

} // namespace

struct kv_client::impl {
  std::shared_ptr<kv_transport> transport;
  std::vector<peer_id> members;
  kv_client_options opts;
  std::size_t target = 0; ///< index into members: where the next request goes
  peer_id known_leader = 0;
  std::uint64_t session = 0;
  std::uint64_t seq = 0;

  impl(std::shared_ptr<kv_transport> t, kv_client_options o)
    : transport(std::move(t)), members(transport->members()), opts(o) {
    if (members.empty())
      throw std::invalid_argument("kv_client: no members");
    if (auto i = index_of(opts.prefer); i < members.size())
      target = i;
  }

  std::size_t index_of(peer_id id) const {
    for (std::size_t i = 0; i < members.size(); ++i)
      if (members[i] == id)
        return i;
    return members.size();
  }

  void next_member() {
    target = (target + 1) % members.size();
    known_leader = 0;
  }

  /// Sends `req` to the leader, following redirects and trying other members, until a final
  /// answer (ok, refused) or `deadline`.
  sent_result send(const client_request& req, steady::time_point deadline) {
    sent_result out;
    while (steady::now() < deadline) {
      auto m = members[target];
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::min(deadline, steady::now() + opts.attempt) - steady::now());
      if (left <= 0ms)
        break;
      bool arrived = false;
      auto reply = transport->call(m, req, left, arrived);
      if (!reply) {
        // No answer: if it may have reached the member, it may have taken effect there.
        out.left = out.left || arrived;
        out.ambiguous = out.ambiguous || arrived;
        out.why = "member " + std::to_string(m) +
                  (arrived ? " did not answer in time" : " cannot be reached");
        next_member();
        continue;
      }
      switch (static_cast<reply_status>(reply->status)) {
        case reply_status::ok:
        case reply_status::refused:
          out.left = true;
          known_leader = m;
          out.reply = std::move(reply);
          return out;
        case reply_status::not_leader:
          if (auto i = index_of(reply->leader); reply->leader != 0 && i < members.size() &&
                                                i != target) {
            target = i;
            known_leader = reply->leader;
          } else {
            out.why = "no leader known to member " + std::to_string(m);
            next_member();
            std::this_thread::sleep_for(20ms); // an election is under way
          }
          continue;
        case reply_status::unknown:
          // Appended, then another leader's entry took its place or a snapshot covered it:
          // the same request again is safe (its session and sequence number).
          out.left = true;
          out.ambiguous = true;
          out.why = "leadership changed while the request was in the log";
          continue;
      }
      out.why = "member " + std::to_string(m) + " answered with an unknown status";
      next_member();
    }
    return out;
  }

  static std::optional<kv::response> decode(const client_reply& r, std::string& why) {
    auto d = kv::decode_response(r.result);
    if (auto* e = std::get_if<kv::decode_error>(&d)) {
      why = "undecodable answer: " + e->message;
      return std::nullopt;
    }
    return std::get<kv::response>(d);
  }

  /// Opens a session if the client has none. Returns false (with `why`) when none could be
  /// opened by `deadline`.
  bool ensure_session(steady::time_point deadline, std::string& why) {
    if (session != 0)
      return true;
    kv::request open;
    open.kind = kv::op::open_session;
    auto sent = send(client_request{static_cast<std::uint8_t>(request_kind::write), kv::encode(open)},
                     deadline);
    if (!sent.reply) {
      why = sent.why;
      return false;
    }
    auto resp = decode(*sent.reply, why);
    if (!resp || resp->code != kv::status::ok || !resp->client) {
      if (resp)
        why = "could not open a session: " + (resp->message.empty() ? std::string(to_string(resp->code))
                                                                    : resp->message);
      return false;
    }
    session = *resp->client;
    seq = 0;
    return true;
  }

  kv_result write(kv::request r) {
    auto deadline = steady::now() + opts.timeout;
    for (;;) {
      std::string why;
      if (!ensure_session(deadline, why))
        return failed(kv_outcome::unavailable, why);
      r.client = session;
      r.seq = ++seq;
      auto sent = send(client_request{static_cast<std::uint8_t>(request_kind::write), kv::encode(r)},
                       deadline);
      if (!sent.reply)
        return failed(sent.left ? kv_outcome::unknown : kv_outcome::unavailable, sent.why);
      auto resp = decode(*sent.reply, why);
      if (!resp)
        return failed(kv_outcome::unknown, why);
      if (sent.reply->status == static_cast<std::uint8_t>(reply_status::refused))
        return refused(*resp);
      switch (resp->code) {
        case kv::status::ok:
        case kv::status::cas_failed: {
          kv_result out;
          out.outcome = kv_outcome::done;
          out.found = resp->found;
          out.swapped = resp->code == kv::status::ok;
          out.value = resp->value;
          return out;
        }
        case kv::status::session_expired:
          // Nothing executed this time. If an earlier try of this write may have, its
          // outcome went with the session; otherwise a new session and a resend.
          session = 0;
          if (sent.ambiguous)
            return failed(kv_outcome::unknown, "the session expired before the write was "
                                               "confirmed");
          continue;
        case kv::status::too_large:
        case kv::status::bad_request:
          return refused(*resp);
        case kv::status::stale_sequence:
          return failed(kv_outcome::unknown, "the store no longer holds this write's result");
      }
      return failed(kv_outcome::unknown, "unknown status");
    }
  }

  static kv_result refused(const kv::response& resp) {
    return failed(kv_outcome::refused,
                  resp.message.empty() ? std::string(to_string(resp.code)) : resp.message);
  }

  kv_result read(const std::string& key, read_consistency how) {
    auto deadline = steady::now() + opts.timeout;
    kv::request q;
    q.kind = kv::op::get;
    q.key = key;
    request_kind kind = how == read_consistency::local ? request_kind::read_local
                        : how == read_consistency::lease ? request_kind::read_lease
                                                         : request_kind::read_linearizable;
    auto sent = send(client_request{static_cast<std::uint8_t>(kind), kv::encode(q)}, deadline);
    if (!sent.reply)
      return failed(sent.left ? kv_outcome::unknown : kv_outcome::unavailable, sent.why);
    std::string why;
    auto resp = decode(*sent.reply, why);
    if (!resp)
      return failed(kv_outcome::unknown, why);
    if (resp->code != kv::status::ok)
      return refused(*resp);
    kv_result out;
    out.outcome = kv_outcome::done;
    out.found = resp->found;
    out.value = resp->value;
    return out;
  }
};

kv_client::kv_client(caf::actor_system& sys, std::vector<peer_address> members,
                     kv_client_options opts)
  : kv_client(make_remote_transport(sys, std::move(members)), opts) {
}

kv_client::kv_client(std::shared_ptr<kv_transport> transport, kv_client_options opts)
  : impl_(std::make_unique<impl>(std::move(transport), opts)) {
}

kv_client::~kv_client() = default;

kv_result kv_client::put(const std::string& key, const std::string& value) {
  kv::request r;
  r.kind = kv::op::put;
  r.key = key;
  r.value = value;
  return impl_->write(std::move(r));
}

kv_result kv_client::get(const std::string& key) {
  return impl_->read(key, impl_->opts.reads);
}

kv_result kv_client::get(const std::string& key, read_consistency how) {
  return impl_->read(key, how);
}

kv_result kv_client::del(const std::string& key) {
  kv::request r;
  r.kind = kv::op::del;
  r.key = key;
  return impl_->write(std::move(r));
}

kv_result kv_client::cas(const std::string& key, const std::optional<std::string>& expected,
                         const std::string& value) {
  kv::request r;
  r.kind = kv::op::cas;
  r.key = key;
  r.expected = expected;
  r.value = value;
  return impl_->write(std::move(r));
}

peer_id kv_client::leader() const {
  return impl_->known_leader;
}

std::uint64_t kv_client::session() const {
  return impl_->session;
}

} // namespace raft

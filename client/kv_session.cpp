#include "client/kv_session.hpp"

#include <algorithm>
#include <stdexcept>

namespace raft {

using namespace std::chrono_literals;

/// How long a session waits before it tries again when no member knows a leader.
constexpr auto election_pause = 20ms;

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

kv_result failed(kv_outcome o, std::string why) {
  kv_result r;
  r.outcome = o;
  r.error = std::move(why);
  return r;
}

kv_result refused(const kv::response& resp) {
  return failed(kv_outcome::refused,
                resp.message.empty() ? std::string(to_string(resp.code)) : resp.message);
}

std::optional<kv::response> decode(const client_reply& r, std::string& why) {
  auto d = kv::decode_response(r.result);
  if (auto* e = std::get_if<kv::decode_error>(&d)) {
    why = "undecodable answer: " + e->message;
    return std::nullopt;
  }
  return std::get<kv::response>(std::move(d));
}

} // namespace

kv_session::kv_session(std::vector<peer_id> members, kv_client_options opts)
  : members_(std::move(members)), opts_(opts) {
  if (members_.empty())
    throw std::invalid_argument("kv_session: no members");
  for (std::size_t i = 0; i < members_.size(); ++i)
    if (members_[i] == opts_.prefer)
      target_ = i;
}

void kv_session::start(operation op, clock::time_point now) {
  if (op_)
    throw std::logic_error("kv_session: an operation is under way");
  op.deadline = now + opts_.timeout;
  op_ = std::move(op);
  prepare_request();
}

void kv_session::start_put(std::string key, std::string value, clock::time_point now) {
  operation op;
  op.write = true;
  op.command.kind = kv::op::put;
  op.command.key = std::move(key);
  op.command.value = std::move(value);
  start(std::move(op), now);
}

void kv_session::start_del(std::string key, clock::time_point now) {
  operation op;
  op.write = true;
  op.command.kind = kv::op::del;
  op.command.key = std::move(key);
  start(std::move(op), now);
}

void kv_session::start_cas(std::string key, std::optional<std::string> expected,
                           std::string value, clock::time_point now) {
  operation op;
  op.write = true;
  op.command.kind = kv::op::cas;
  op.command.key = std::move(key);
  op.command.expected = std::move(expected);
  op.command.value = std::move(value);
  start(std::move(op), now);
}

void kv_session::start_get(std::string key, read_consistency how, clock::time_point now) {
  operation op;
  op.command.kind = kv::op::get;
  op.command.key = std::move(key);
  op.kind = how == read_consistency::local ? request_kind::read_local
            : how == read_consistency::lease ? request_kind::read_lease
                                             : request_kind::read_linearizable;
  start(std::move(op), now);
}

/// Builds what goes to the members next, with fresh attempts: a read's query; a write's
/// open_session while the session has no id; otherwise the write with the session and the
/// next sequence number (kept for every retry of this request).
void kv_session::prepare_request() {
  auto& op = *op_;
  op.tries = attempts{};
  if (!op.write) {
    op.request = client_request{static_cast<std::uint8_t>(op.kind), kv::encode(op.command)};
    return;
  }
  op.opening = session_ == 0;
  if (op.opening) {
    kv::request open;
    open.kind = kv::op::open_session;
    op.request = client_request{static_cast<std::uint8_t>(request_kind::write), kv::encode(open)};
    return;
  }
  op.command.client = session_;
  op.command.seq = ++seq_;
  op.request =
    client_request{static_cast<std::uint8_t>(request_kind::write), kv::encode(op.command)};
}

void kv_session::finish(kv_result r) {
  op_->result = std::move(r);
}

void kv_session::next_member() {
  target_ = (target_ + 1) % members_.size();
  known_leader_ = 0;
}

kv_session::action kv_session::next(clock::time_point now) {
  if (!op_ || op_->awaiting)
    throw std::logic_error(op_ ? "kv_session: an answer is awaited" : "kv_session: no operation");
  auto& op = *op_;
  if (op.result) {
    done d{std::move(*op.result)};
    op_.reset();
    return d;
  }
  if (op.pause_next) {
    op.pause_next = false;
    if (now + election_pause < op.deadline)
      return pause{election_pause};
  }
  auto limit =
    std::chrono::duration_cast<std::chrono::milliseconds>(std::min(op.deadline, now + opts_.attempt) - now);
  if (limit <= 0ms) {
    no_answer_by_deadline();
    return next(now);
  }
  op.awaiting = true;
  return send_request{members_[target_], op.request, limit};
}

/// The request got no final answer in time: what the operation comes to.
void kv_session::no_answer_by_deadline() {
  auto& op = *op_;
  if (op.write && op.opening) // a lost open_session is harmless: nothing of the write left
    return finish(failed(kv_outcome::unavailable, op.tries.why));
  finish(failed(op.tries.left ? kv_outcome::unknown : kv_outcome::unavailable, op.tries.why));
}

void kv_session::no_reply(bool may_have_arrived) {
  if (!op_ || !op_->awaiting)
    throw std::logic_error("kv_session: no request is out");
  auto& op = *op_;
  op.awaiting = false;
  // If it may have reached the member, it may have taken effect there.
  op.tries.left = op.tries.left || may_have_arrived;
  op.tries.ambiguous = op.tries.ambiguous || may_have_arrived;
  op.tries.why = "member " + std::to_string(members_[target_]) +
                 (may_have_arrived ? " did not answer in time" : " cannot be reached");
  next_member();
}

void kv_session::replied(const client_reply& reply) {
  if (!op_ || !op_->awaiting)
    throw std::logic_error("kv_session: no request is out");
  auto& op = *op_;
  op.awaiting = false;
  auto m = members_[target_];
  switch (static_cast<reply_status>(reply.status)) {
    case reply_status::ok:
    case reply_status::refused:
      op.tries.left = true;
      known_leader_ = m;
      return answered(reply);
    case reply_status::not_leader: {
      auto i = static_cast<std::size_t>(
        std::find(members_.begin(), members_.end(), reply.leader) - members_.begin());
      if (reply.leader != 0 && i < members_.size() && i != target_) {
        target_ = i;
        known_leader_ = reply.leader;
      } else {
        op.tries.why = "no leader known to member " + std::to_string(m);
        next_member();
        op.pause_next = true; // an election is under way
      }
      return;
    }
    case reply_status::unknown:
      // Appended, then another leader's entry took its place or a snapshot covered it: the
      // same request again is safe (its session and sequence number).
      op.tries.left = true;
      op.tries.ambiguous = true;
      op.tries.why = "leadership changed while the request was in the log";
      return;
  }
  op.tries.why = "member " + std::to_string(m) + " answered with an unknown status";
  next_member();
}

/// A final answer (ok or refused) to the request under way.
void kv_session::answered(const client_reply& reply) {
  auto& op = *op_;
  std::string why;
  auto resp = decode(reply, why);
  if (op.write && op.opening) {
    if (!resp || resp->code != kv::status::ok || !resp->client) {
      if (resp)
        why = "could not open a session: " +
              (resp->message.empty() ? std::string(to_string(resp->code)) : resp->message);
      return finish(failed(kv_outcome::unavailable, why));
    }
    session_ = *resp->client;
    seq_ = 0;
    return prepare_request(); // now the write itself
  }
  if (!resp)
    return finish(failed(kv_outcome::unknown, why));
  if (!op.write) {
    if (resp->code != kv::status::ok)
      return finish(refused(*resp));
    kv_result out;
    out.outcome = kv_outcome::done;
    out.found = resp->found;
    out.value = std::move(resp->value);
    return finish(std::move(out));
  }
  if (reply.status == static_cast<std::uint8_t>(reply_status::refused))
    return finish(refused(*resp));
  switch (resp->code) {
    case kv::status::ok:
    case kv::status::cas_failed: {
      kv_result out;
      out.outcome = kv_outcome::done;
      out.found = resp->found;
      out.swapped = resp->code == kv::status::ok;
      out.value = std::move(resp->value);
      return finish(std::move(out));
    }
    case kv::status::session_expired:
      // Nothing executed this time. If an earlier try of this write may have, its outcome
      // went with the session; otherwise a new session and a resend.
      session_ = 0;
      if (op.tries.ambiguous)
        return finish(failed(kv_outcome::unknown, "the session expired before the write was "
                                                  "confirmed"));
      return prepare_request();
    case kv::status::too_large:
    case kv::status::bad_request:
      return finish(refused(*resp));
    case kv::status::stale_sequence:
      return finish(failed(kv_outcome::unknown, "the store no longer holds this write's result"));
  }
  finish(failed(kv_outcome::unknown, "unknown status"));
}

} // namespace raft

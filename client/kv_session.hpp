#pragma once
/// kv_session: the rules of one key-value client session, without any I/O — leader finding,
/// retries, exactly-once writes. The blocking kv_client (client/kv_client.hpp) and the
/// asynchronous session actor (client/kv_session_actor.hpp) both drive it, so there is one
/// copy of these rules:
///
///     session.start_put(key, value, now);
///     for (;;) {
///       auto a = session.next(now);
///       // send_request: send it, then call replied(answer) or no_reply(may_have_arrived)
///       // pause: wait that long
///       // done: the operation's result; the session is free for the next one
///     }
///
/// Finding the leader: a request goes to the member believed to lead; a follower answers
/// `not_leader` with the leader it knows, and the session goes there (or, with no hint,
/// tries the next member after a short pause: an election is under way). A member that does
/// not answer within `attempt` is left for the next one. All of it within the operation's
/// `timeout`.
///
/// Exactly-once writes: the first write opens a session (its id is the log index of the
/// open_session entry) and every write carries the session and a sequence number one higher
/// than the last. A write retried after a timeout, a lost leader or a new leader carries the
/// same number, so the store applies it at most once and answers a retry of an applied write
/// from its cache (kv/store.hpp). If the session expired, the store executed nothing: the
/// session opens a new one and resends, unless an earlier try of the same write may have
/// executed, in which case the outcome is unknown. One operation at a time per session (the
/// store keeps one cached result per session).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "client/kv_result.hpp"
#include "kv/codec.hpp"
#include "messages/client.hpp"

namespace raft {

class kv_session {
public:
  using clock = std::chrono::steady_clock;

  /// Send `request` to member `to` and wait up to `limit` for its reply; then call
  /// replied() or no_reply().
  struct send_request {
    peer_id to = 0;
    client_request request;
    std::chrono::milliseconds limit{0};
  };
  /// Wait this long, then call next() again.
  struct pause {
    std::chrono::milliseconds duration{0};
  };
  /// The operation ended; the session is free.
  struct done {
    kv_result result;
  };
  using action = std::variant<send_request, pause, done>;

  /// The members in the order a session tries them (not empty: throws invalid_argument).
  kv_session(std::vector<peer_id> members, kv_client_options opts = {});

  /// Start an operation; none may be under way (throws logic_error). `timeout` runs from
  /// `now`.
  void start_put(std::string key, std::string value, clock::time_point now);
  void start_del(std::string key, clock::time_point now);
  /// Writes `value` if the key holds `expected` (nullopt: if the key is absent).
  void start_cas(std::string key, std::optional<std::string> expected, std::string value,
                 clock::time_point now);
  void start_get(std::string key, read_consistency how, clock::time_point now);

  /// What to do next for the operation under way (throws logic_error when there is none, or
  /// while an answer to the last send_request is awaited).
  action next(clock::time_point now);
  /// The member's answer to the last send_request.
  void replied(const client_reply& reply);
  /// No answer to the last send_request within its limit; `may_have_arrived` is false only
  /// when the request certainly did not reach the member (no connection could be made).
  void no_reply(bool may_have_arrived);

  /// An operation is under way.
  bool busy() const { return op_.has_value(); }
  /// The member this session believes leads (0: none known yet).
  peer_id leader() const { return known_leader_; }
  /// The session id (0 before its first write).
  std::uint64_t id() const { return session_; }
  const kv_client_options& options() const { return opts_; }

private:
  /// What one request to the cluster came to so far (from its first try to its answer).
  struct attempts {
    bool left = false;      ///< it reached a member at least once
    bool ambiguous = false; ///< a try may have taken effect: it left and no answer came, or
                            ///< the answer was `unknown`
    std::string why;        ///< no answer yet: the last reason
  };
  struct operation {
    bool write = false;
    kv::request command;           ///< write: the command (client and seq set when sent)
    request_kind kind = request_kind::write;
    clock::time_point deadline;
    bool opening = false;          ///< write: the open_session request is under way
    client_request request;        ///< what is sent to the members now
    attempts tries;
    bool awaiting = false;         ///< a send_request is out
    bool pause_next = false;       ///< next() pauses first (no leader known)
    std::optional<kv_result> result;
  };

  void start(operation op, clock::time_point now);
  void prepare_request();
  void finish(kv_result r);
  void next_member();
  void answered(const client_reply& reply);
  void no_answer_by_deadline();

  std::vector<peer_id> members_;
  kv_client_options opts_;
  std::size_t target_ = 0; ///< index into members_: where the next request goes
  peer_id known_leader_ = 0;
  std::uint64_t session_ = 0;
  std::uint64_t seq_ = 0;
  std::optional<operation> op_;
};

} // namespace raft

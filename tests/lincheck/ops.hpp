#pragma once
/// Short names for writing histories by hand in the checker's tests: client, call, return,
/// key, then the arguments and the outcome.

#include <optional>
#include <string>

#include "lincheck/checker.hpp"
#include "lincheck/operation.hpp"

namespace lt {

using namespace raft::lincheck;
inline constexpr std::nullopt_t absent = std::nullopt;

inline operation put(client_id c, op_time call, op_time ret, bytes key, bytes value) {
  return make_op(c, call, ret, std::move(key), put_command(std::move(value)), put_ok());
}
inline operation get(client_id c, op_time call, op_time ret, bytes key, std::optional<bytes> seen) {
  return make_op(c, call, ret, std::move(key), get_command(), got(std::move(seen)));
}
inline operation del(client_id c, op_time call, op_time ret, bytes key, bool existed) {
  return make_op(c, call, ret, std::move(key), delete_command(), deleted(existed));
}
inline operation cas_ok(client_id c, op_time call, op_time ret, bytes key,
                        std::optional<bytes> expected, bytes value) {
  return make_op(c, call, ret, std::move(key), cas_command(std::move(expected), std::move(value)),
                 raft::lincheck::cas_ok());
}
inline operation cas_failed(client_id c, op_time call, op_time ret, bytes key,
                            std::optional<bytes> expected, bytes value, std::optional<bytes> seen) {
  return make_op(c, call, ret, std::move(key), cas_command(std::move(expected), std::move(value)),
                 raft::lincheck::cas_failed(std::move(seen)));
}
inline operation unknown_put(client_id c, op_time call, bytes key, bytes value) {
  return make_unknown(c, call, std::move(key), put_command(std::move(value)));
}
inline operation unknown_get(client_id c, op_time call, bytes key) {
  return make_unknown(c, call, std::move(key), get_command());
}
inline operation unknown_del(client_id c, op_time call, bytes key) {
  return make_unknown(c, call, std::move(key), delete_command());
}
inline operation unknown_cas(client_id c, op_time call, bytes key, std::optional<bytes> expected,
                             bytes value) {
  return make_unknown(c, call, std::move(key), cas_command(std::move(expected), std::move(value)));
}

inline bool linearizable(const history& h) { return check(h).result == verdict::linearizable; }

} // namespace lt

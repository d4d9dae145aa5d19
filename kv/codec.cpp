#include "kv/codec.hpp"

#include "kv/byte_io.hpp"

namespace raft::kv {

const char* to_string(op o) {
  switch (o) {
    case op::open_session: return "open_session";
    case op::get: return "get";
    case op::put: return "put";
    case op::del: return "delete";
    case op::cas: return "cas";
  }
  return "?";
}

const char* to_string(status s) {
  switch (s) {
    case status::ok: return "ok";
    case status::cas_failed: return "cas failed";
    case status::bad_request: return "bad request";
    case status::too_large: return "too large";
    case status::session_expired: return "session expired";
    case status::stale_sequence: return "stale sequence";
  }
  return "?";
}

bytes encode(const request& r) {
  byte_writer w;
  w.u8(codec_version);
  w.u8(static_cast<std::uint8_t>(r.kind));
  w.u64(r.client);
  w.u64(r.seq);
  w.u64(r.time_ms);
  switch (r.kind) {
    case op::open_session: break;
    case op::get:
    case op::del: w.str(r.key); break;
    case op::put:
      w.str(r.key);
      w.str(r.value);
      break;
    case op::cas:
      w.str(r.key);
      w.u8(r.expected ? 1 : 0);
      if (r.expected) w.str(*r.expected);
      w.str(r.value);
      break;
  }
  return w.take();
}

bytes encode(const response& r) {
  byte_writer w;
  w.u8(codec_version);
  w.u8(static_cast<std::uint8_t>(r.code));
  w.u8(static_cast<std::uint8_t>((r.found ? 1 : 0) | (r.value ? 2 : 0) | (r.client ? 4 : 0)));
  if (r.value) w.str(*r.value);
  if (r.client) w.u64(*r.client);
  w.str(r.message);
  return w.take();
}

namespace {

decode_error fail(std::string what) { return decode_error{std::move(what)}; }

} // namespace

std::variant<request, decode_error> decode_request(std::string_view in) {
  byte_reader rd(in);
  std::uint8_t version = 0, kind = 0;
  if (!rd.u8(version)) return fail("command: empty");
  if (version != codec_version)
    return fail("command: unknown version " + std::to_string(version) + " (expected 1)");
  if (!rd.u8(kind)) return fail("command: truncated before field \"op\"");
  if (kind > static_cast<std::uint8_t>(op::cas))
    return fail("command: field \"op\": unknown operation " + std::to_string(kind));
  request r;
  r.kind = static_cast<op>(kind);
  if (!rd.u64(r.client)) return fail("command: truncated in field \"client\"");
  if (!rd.u64(r.seq)) return fail("command: truncated in field \"seq\"");
  if (!rd.u64(r.time_ms)) return fail("command: truncated in field \"time\"");
  const auto str = [&](bytes& s, const char* field) -> std::optional<decode_error> {
    if (!rd.str(s))
      return fail(std::string("command: field \"") + field +
                  "\": truncated (its length exceeds the bytes left)");
    return std::nullopt;
  };
  std::optional<decode_error> e;
  switch (r.kind) {
    case op::open_session:
      if (r.client != 0 || r.seq != 0)
        return fail("command: open_session: fields \"client\" and \"seq\" must be 0");
      break;
    case op::get:
    case op::del:
      if ((e = str(r.key, "key"))) return *e;
      break;
    case op::put:
      if ((e = str(r.key, "key"))) return *e;
      if ((e = str(r.value, "value"))) return *e;
      break;
    case op::cas: {
      if ((e = str(r.key, "key"))) return *e;
      std::uint8_t has = 0;
      if (!rd.u8(has)) return fail("command: truncated before field \"has_expected\"");
      if (has > 1) return fail("command: field \"has_expected\": must be 0 or 1");
      if (has) {
        r.expected.emplace();
        if ((e = str(*r.expected, "expected"))) return *e;
      }
      if ((e = str(r.value, "value"))) return *e;
      break;
    }
  }
  // A get with no session (client 0, seq 0) is a query: a read outside the log
  // (kv_store::query); through the log every request but open_session needs a session.
  bool query = r.kind == op::get && r.client == 0 && r.seq == 0;
  if (r.kind != op::open_session && r.seq == 0 && !query)
    return fail("command: field \"seq\": must be at least 1");
  if (rd.remaining() != 0)
    return fail("command: " + std::to_string(rd.remaining()) + " trailing bytes");
  return r;
}

std::variant<response, decode_error> decode_response(std::string_view in) {
  byte_reader rd(in);
  std::uint8_t version = 0, code = 0, flags = 0;
  if (!rd.u8(version)) return fail("result: empty");
  if (version != codec_version)
    return fail("result: unknown version " + std::to_string(version) + " (expected 1)");
  if (!rd.u8(code)) return fail("result: truncated before field \"status\"");
  if (code > max_status) return fail("result: field \"status\": unknown " + std::to_string(code));
  if (!rd.u8(flags)) return fail("result: truncated before field \"flags\"");
  if (flags > 7) return fail("result: field \"flags\": unknown bits");
  response r;
  r.code = static_cast<status>(code);
  r.found = (flags & 1) != 0;
  if (flags & 2) {
    r.value.emplace();
    if (!rd.str(*r.value)) return fail("result: field \"value\": truncated");
  }
  if (flags & 4) {
    r.client.emplace();
    if (!rd.u64(*r.client)) return fail("result: field \"client\": truncated");
  }
  if (!rd.str(r.message)) return fail("result: field \"message\": truncated");
  if (rd.remaining() != 0)
    return fail("result: " + std::to_string(rd.remaining()) + " trailing bytes");
  return r;
}

} // namespace raft::kv

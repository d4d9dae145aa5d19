#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace kvt;

TEST_CASE("a session's id is the log index of its opening") {
  replica r;
  r.index = 41;
  CHECK(r.open() == 42);
  CHECK(r.store.has_session(42));
}

TEST_CASE("a cas retried after it succeeded returns the original success and is not applied twice") {
  replica r;
  client c{r, r.open()};
  client other{r, r.open()};
  c.put("k", "a");
  const auto swap = make(op::cas, c.id, ++c.seq, 0, "k", "b", bytes("a"));
  CHECK(r.submit(swap).code == status::ok);
  // Another client changes the key in between: a re-execution would now fail or swap again.
  other.put("k", "a");
  auto retry = r.submit(swap);
  CHECK(retry.code == status::ok);
  CHECK(other.get("k").value == bytes("a"));
}

TEST_CASE("a duplicate write is answered from the session cache and not applied twice") {
  replica r;
  client c{r, r.open()};
  client other{r, r.open()};
  const auto put = make(op::put, c.id, ++c.seq, 0, "k", "mine");
  CHECK(r.submit(put).code == status::ok);
  other.put("k", "theirs");
  CHECK(r.submit(put).code == status::ok);  // the cached answer
  CHECK(other.get("k").value == bytes("theirs"));
  // A duplicate delete returns the original "existed".
  const auto del = make(op::del, c.id, ++c.seq, 0, "k");
  CHECK(r.submit(del).found);
  CHECK(r.submit(del).found);
}

TEST_CASE("a request older than the session's last one is refused as stale, never executed") {
  replica r;
  client c{r, r.open()};
  const auto first = make(op::put, c.id, 1, 0, "k", "old");
  CHECK(r.submit(first).code == status::ok);
  c.seq = 1;
  c.put("k", "new");
  auto stale = r.submit(first);
  CHECK(stale.code == status::stale_sequence);
  CHECK(stale.message == "sequence 1 of session 1 is below the last applied 2: its result is no longer kept");
  CHECK(c.get("k").value == bytes("new"));
}

TEST_CASE("a request from a session never opened gets session expired and is not executed") {
  replica r;
  client ghost{r, 77};
  auto out = ghost.put("k", "v");
  CHECK(out.code == status::session_expired);
  CHECK(out.message == "session 77 is not open (expired or never opened): open a new session");
  client c{r, r.open()};
  CHECK_FALSE(c.get("k").found);
}

TEST_CASE("a session idle longer than the timeout by the log's clock expires and its requests are refused") {
  store_options o;
  o.session_timeout_ms = 1000;
  replica r(o);
  client idle{r, r.open(0)};
  client busy{r, r.open(0)};
  idle.put("k", "v");
  busy.time_ms = 1000;
  busy.get("k");  // exactly the timeout: still open
  CHECK(r.store.has_session(idle.id));
  busy.time_ms = 1001;
  busy.get("k");
  CHECK_FALSE(r.store.has_session(idle.id));
  CHECK(r.store.has_session(busy.id));
  // The retry of idle's put is refused, not re-executed.
  idle.seq = 0;
  idle.time_ms = 1001;
  auto out = idle.put("k", "again");
  CHECK(out.code == status::session_expired);
  CHECK(busy.get("k").value == bytes("v"));
}

TEST_CASE("the log's clock never goes back when a later leader stamps an earlier time") {
  store_options o;
  o.session_timeout_ms = 1000;
  replica r(o);
  client a{r, r.open(5000)};
  client b{r, r.open(5000)};
  b.time_ms = 3000;  // a new leader whose clock lags
  b.put("k", "v");
  CHECK(r.store.now_ms() == 5000);
  b.time_ms = 6000;
  b.get("k");
  CHECK(r.store.has_session(a.id));
  b.time_ms = 6001;
  b.get("k");
  CHECK_FALSE(r.store.has_session(a.id));
}

TEST_CASE("opening a session beyond the bound evicts the least recently used one by log index") {
  store_options o;
  o.max_sessions = 3;
  replica r(o);
  client s1{r, r.open()};
  client s2{r, r.open()};
  client s3{r, r.open()};
  s1.put("a", "1");  // s2 is now the least recently used
  client s4{r, r.open()};
  CHECK(r.store.sessions() == 3);
  CHECK_FALSE(r.store.has_session(s2.id));
  CHECK(r.store.has_session(s1.id));
  CHECK(r.store.has_session(s3.id));
  CHECK(r.store.has_session(s4.id));
  CHECK(s2.get("a").code == status::session_expired);
}

TEST_CASE("reads go through the log and a retried read returns its first answer") {
  replica r;
  client c{r, r.open()};
  client other{r, r.open()};
  other.put("k", "1");
  const auto read = make(op::get, c.id, ++c.seq, 0, "k");
  CHECK(r.submit(read).value == bytes("1"));
  other.put("k", "2");
  CHECK(r.submit(read).value == bytes("1"));
  CHECK(c.get("k").value == bytes("2"));
}

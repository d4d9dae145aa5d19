/// Every wire message survives CAF's binary serialization unchanged, both on its own and
/// inside a caf::message (which needs the type's registration: a node that lacks it could
/// not decode what a peer sends).

#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include "messages/hello.hpp"
#include "messages/registration.hpp"
#include "core/message.hpp"
#include "messages/wire.hpp"

using namespace raft;

namespace {

struct system_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  static caf::actor_system_config& registered(caf::actor_system_config& c) {
    register_messages(c);
    return c;
  }
  system_fixture() : sys(registered(cfg)) {
  }
};

template <class T>
T through_bytes(T value) {
  std::vector<char> buf;
  caf::binary_serializer sink{nullptr, buf};
  REQUIRE_FALSE(sink(value));
  T copy;
  caf::binary_deserializer source{nullptr, buf};
  REQUIRE_FALSE(source(copy));
  REQUIRE(source.remaining() == 0);
  return copy;
}

template <class T>
T through_message(caf::actor_system& sys, const T& value) {
  auto msg = caf::make_message(value);
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  REQUIRE_FALSE(sink(msg));
  caf::message decoded;
  caf::binary_deserializer source{sys, buf};
  REQUIRE_FALSE(source(decoded));
  REQUIRE(decoded.match_elements<T>());
  return decoded.get_as<T>(0);
}

template <class T>
void check_roundtrip(caf::actor_system& sys, const T& value) {
  CHECK(through_bytes(value) == value);
  CHECK(through_message(sys, value) == value);
}

} // namespace

TEST_CASE_METHOD(system_fixture, "a log entry survives serialization", "[messages]") {
  check_roundtrip(sys, log_entry{7, std::string("set x=1\0y", 9)});
}

TEST_CASE_METHOD(system_fixture, "a request_vote survives serialization", "[messages]") {
  check_roundtrip(sys, request_vote{~0ull, 4'000'000'000u, 123456789012ull, 99});
}

TEST_CASE_METHOD(system_fixture, "a request_vote_reply survives serialization", "[messages]") {
  check_roundtrip(sys, request_vote_reply{5, true, 3});
  check_roundtrip(sys, request_vote_reply{6, false, 1});
}

TEST_CASE_METHOD(system_fixture, "an append_entries with and without entries survives "
                                 "serialization",
                 "[messages]") {
  check_roundtrip(sys, append_entries{3, 2, 0, 0, {}, 0});
  check_roundtrip(sys, append_entries{9, 1, 41, 8, {{8, "a"}, {9, ""}, {9, "ccc"}}, 40});
  check_roundtrip(sys, append_entries{9, 1, 41, 8, {}, 40, 18446744073709551615u}); // seq
}

TEST_CASE_METHOD(system_fixture, "an append_entries_reply survives serialization",
                 "[messages]") {
  check_roundtrip(sys, append_entries_reply{4, true, 2});
  check_roundtrip(sys, append_entries_reply{5, false, 3});
  check_roundtrip(sys, append_entries_reply{5, true, 3, 77}); // the echoed seq
}

TEST_CASE_METHOD(system_fixture, "a cluster hello, its welcome and a session token survive "
                                 "serialization",
                 "[messages]") {
  check_roundtrip(sys, cluster_hello{{"", 0x0123456789abcdefull}, 3, 1});
  check_roundtrip(sys, cluster_hello{{"prod-eu.1", ~0ull}, 4'000'000'000u, ~0ull});
  check_roundtrip(sys, cluster_welcome{{"a", 5}, 2, 7, true, {0xfeedull}});
  check_roundtrip(sys, cluster_welcome{{"", 6}, 1, 8, false, {0}});
  check_roundtrip(sys, session_token{0x8000000000000001ull});
}

TEST_CASE("an unregistered message type cannot be decoded from the wire", "[messages]") {
  // The same bytes a registered node decodes are refused by a node without the registration.
  std::vector<char> buf;
  {
    system_fixture with;
    caf::binary_serializer sink{with.sys, buf};
    auto msg = caf::make_message(request_vote{1, 2, 3, 4});
    REQUIRE_FALSE(sink(msg));
  }
  caf::actor_system_config bare_cfg;
  caf::actor_system bare{bare_cfg};
  caf::message decoded;
  caf::binary_deserializer source{bare, buf};
  bool failed = false;
  try {
    failed = static_cast<bool>(source(decoded));
  } catch (const std::exception&) {
    failed = true;
  }
  CHECK((failed || !decoded.match_elements<request_vote>()));
}

namespace {

/// Sets every field an `inspect` overload names to a distinct non-default value: ints count
/// up from 1, bools become true, strings and vectors get content. Used on every kind of
/// core/message.hpp's list, so a new kind is covered without a line of its own here.
struct filler {
  using result_type = void;
  static constexpr bool reads_state = false;
  static constexpr bool writes_state = true;
  std::uint64_t next = 1;

  template <class... Ts>
  void operator()(Ts&... xs) {
    (fill(xs), ...);
  }
  template <class T>
  void fill(T& x) {
    if constexpr (std::is_same_v<T, bool>) {
      x = true;
    } else if constexpr (std::is_integral_v<T>) {
      x = static_cast<T>(next++);
    } else if constexpr (std::is_same_v<T, std::string>) {
      x = "field" + std::to_string(next++) + std::string("\0binary", 7);
    } else if constexpr (std::is_same_v<T, std::vector<log_entry>>) {
      x.resize(2);
      fill(x[0]);
      fill(x[1]);
    } else {
      inspect(*this, x);
    }
  }
};

} // namespace

TEST_CASE_METHOD(system_fixture, "every message kind survives serialization with every field "
                                 "set, and is registered under its name",
                 "[messages]") {
  std::size_t kinds = 0;
  for_each_kind([&](auto* kind) {
    using T = std::remove_pointer_t<decltype(kind)>;
    INFO(T::name);
    T value;
    filler f;
    f.fill(value);
    CHECK_FALSE(value == T{}); // the filler reached the fields inspect names
    check_roundtrip(sys, value);
    CHECK(sys.types().portable_name(caf::type_nr<T>::value, &typeid(T)) ==
          std::string("raft::") + T::name);
    ++kinds;
  });
  CHECK(kinds == message_kind_count);
}

TEST_CASE_METHOD(system_fixture, "an install_snapshot chunk and its reply survive "
                                 "serialization",
                 "[messages]") {
  check_roundtrip(sys, install_snapshot{7, 2, 1000, 6, 65536, std::string(65536, '\xff'), false});
  check_roundtrip(sys, install_snapshot{7, 2, 1000, 6, 0, "", true});
  check_roundtrip(sys, install_snapshot_reply{7, 3, 1000, 131072, false});
  check_roundtrip(sys, install_snapshot_reply{8, 1, 1000, 5, true});
}

/// The cluster identity a config yields (config/cluster_identity.hpp), `node.cluster_id`, and
/// the rule that no two members share an address once host names are resolved.

#include "config_test_util.hpp"

#include "config/cluster_identity.hpp"
#include "config/detail/addresses.hpp"

using namespace raft_test;
using Catch::Matchers::Contains;

namespace {

/// A config of node `self` whose [[peer]] tables are `peers` (TOML text) and whose [node]
/// table has `extra` lines.
std::string config_text(int self, const std::string& peers, const std::string& extra = "") {
  return "[node]\nid = " + std::to_string(self) + "\ndata_dir = \"/var/lib/raft-caf/" +
         std::to_string(self) + "\"\n" + extra + peers;
}

std::string peer(int id, const std::string& host, int port) {
  return "[[peer]]\nid = " + std::to_string(id) + "\nhost = \"" + host +
         "\"\nport = " + std::to_string(port) + "\n";
}

raft::cluster_identity identity(const std::string& text) {
  return raft::identity_of(config_of(text));
}

const std::string three = peer(1, "10.0.0.1", 7101) + peer(2, "10.0.0.2", 7101) +
                          peer(3, "10.0.0.3", 7101);

} // namespace

TEST_CASE("every member of one cluster computes the same identity") {
  const auto base = identity(config_text(1, three));
  // Another member's file: only [node] differs.
  CHECK(identity(config_text(2, three)) == base);
  CHECK(identity(config_text(3, three)) == base);
  // The peers in another order.
  CHECK(identity(config_text(1, peer(3, "10.0.0.3", 7101) + peer(1, "10.0.0.1", 7101) +
                                  peer(2, "10.0.0.2", 7101))) == base);
  CHECK(base.cluster_id.empty());
}

TEST_CASE("host names differing only in case and IP literals differing only in spelling give "
          "one identity") {
  const auto a = identity(config_text(1, peer(1, "raft-a.example.invalid", 7101) +
                                           peer(2, "::1", 7102) + peer(3, "10.0.0.3", 7103)));
  const auto b = identity(config_text(1, peer(1, "Raft-A.Example.INVALID", 7101) +
                                           peer(2, "0:0:0:0:0:0:0:1", 7102) +
                                           peer(3, "10.0.0.3", 7103)));
  CHECK(a == b);
}

TEST_CASE("another member list gives another identity") {
  const auto base = identity(config_text(1, three));
  const std::vector<std::string> others{
    // another port
    peer(1, "10.0.0.1", 7101) + peer(2, "10.0.0.2", 7102) + peer(3, "10.0.0.3", 7101),
    // another host
    peer(1, "10.0.0.1", 7101) + peer(2, "10.0.0.9", 7101) + peer(3, "10.0.0.3", 7101),
    // another id for one address
    peer(1, "10.0.0.1", 7101) + peer(2, "10.0.0.2", 7101) + peer(4, "10.0.0.3", 7101),
    // a member more
    three + peer(4, "10.0.0.4", 7101),
    // a member less
    peer(1, "10.0.0.1", 7101) + peer(2, "10.0.0.2", 7101),
    // two ids swapped between their addresses
    peer(1, "10.0.0.2", 7101) + peer(2, "10.0.0.1", 7101) + peer(3, "10.0.0.3", 7101),
  };
  for (const auto& peers : others) {
    CAPTURE(peers);
    const auto other = identity(config_text(1, peers));
    CHECK(other.members != base.members);
    CHECK(other != base);
    CHECK(raft::identity_mismatch(base, other) == std::string("another_member_list"));
  }
}

TEST_CASE("the member fingerprint is 64-bit FNV-1a over the documented canonical text") {
  // Test vectors of FNV-1a 64 (the algorithm's published examples).
  CHECK(raft::fnv1a_64("") == 0xcbf29ce484222325ull);
  CHECK(raft::fnv1a_64("a") == 0xaf63dc4c8601ec8cull);
  CHECK(raft::fnv1a_64("foobar") == 0x85944171f73967e8ull);
  const auto config = config_of(config_text(2, peer(3, "10.0.0.3", 7101) +
                                                 peer(1, "10.0.0.1", 7101) +
                                                 peer(2, "10.0.0.2", 7101)));
  CHECK(raft::canonical_member_list(config.peers) ==
        "raft-caf members v1\n1 10.0.0.1 7101\n2 10.0.0.2 7101\n3 10.0.0.3 7101\n");
  // The same text hashed outside this code base (a few lines of Python following the
  // algorithm above), so the value can be recomputed from config/README.md alone.
  CHECK(raft::identity_of(config).members == 0xa34a323daae9182full);
  CHECK(raft::identity_of(config).text() == "members-a34a323daae9182f");
}

TEST_CASE("an explicit cluster_id is part of the identity") {
  const auto none = identity(config_text(1, three));
  const auto alpha = identity(config_text(1, three, "cluster_id = \"alpha\"\n"));
  const auto alpha_2 = identity(config_text(2, three, "cluster_id = \"alpha\"\n"));
  const auto beta = identity(config_text(1, three, "cluster_id = \"beta\"\n"));
  CHECK(alpha.cluster_id == "alpha");
  CHECK(alpha == alpha_2);
  CHECK(alpha.members == none.members); // the member list is the same
  CHECK(alpha != none);
  CHECK(alpha != beta);
  CHECK(raft::identity_mismatch(alpha, beta) == std::string("another_cluster_id"));
  CHECK(raft::identity_mismatch(alpha, none) == std::string("another_cluster_id"));
  CHECK(raft::identity_mismatch(alpha, alpha_2) == nullptr);
  CHECK(alpha.text() == "alpha/" + none.text());
  // The member list still counts: same cluster_id, other members.
  const auto alpha_more = identity(
    config_text(1, three + peer(4, "10.0.0.4", 7101), "cluster_id = \"alpha\"\n"));
  CHECK(raft::identity_mismatch(alpha, alpha_more) == std::string("another_member_list"));
}

TEST_CASE("a cluster_id must be a short plain name") {
  const auto errors_for = [](const std::string& value) {
    return errors_of(config_text(1, three, "cluster_id = " + value + "\n"));
  };
  SECTION("letters, digits, dot, underscore and dash up to 64 characters are accepted") {
    const auto c = config_of(
      config_text(1, three, "cluster_id = \"Prod_eu-1.a" + std::string(53, 'x') + "\"\n"));
    CHECK(c.cluster_id.size() == 64);
  }
  SECTION("empty") {
    const auto e = errors_for("\"\"");
    REQUIRE(e.size() == 1);
    CHECK(e[0] == "test.toml:4:14: node.cluster_id must not be empty");
  }
  SECTION("with a space") {
    const auto e = errors_for("\"a b\"");
    REQUIRE(e.size() == 1);
    CHECK(e[0] == "test.toml:4:14: node.cluster_id must not contain whitespace or control "
                  "characters");
  }
  SECTION("with a slash") {
    const auto e = errors_for("\"a/b\"");
    REQUIRE(e.size() == 1);
    CHECK(e[0] == "test.toml:4:14: node.cluster_id must be 1 to 64 letters, digits, '.', '_' "
                  "or '-', got \"a/b\"");
  }
  SECTION("too long") {
    const auto e = errors_for("\"" + std::string(65, 'a') + "\"");
    REQUIRE(e.size() == 1);
    CHECK_THAT(e[0], Contains("node.cluster_id must be 1 to 64 letters"));
  }
  SECTION("not a string") {
    const auto e = errors_for("7");
    REQUIRE(e.size() == 1);
    CHECK(e[0] == "test.toml:4:14: node.cluster_id must be a string, not an integer");
  }
}

TEST_CASE("two members whose hosts resolve to one address fail validation") {
  // /etc/hosts maps localhost to 127.0.0.1 on every Debian system.
  const auto localhost = raft::config_detail::resolve_host("localhost");
  REQUIRE(std::find(localhost.begin(), localhost.end(), "127.0.0.1") != localhost.end());
  SECTION("a name, then the address it resolves to") {
    const auto e = errors_of(config_text(1, peer(1, "localhost", 7101) +
                                              peer(2, "127.0.0.1", 7101)));
    REQUIRE(e.size() == 1);
    CHECK(e[0] == "test.toml:10:8: duplicate address 127.0.0.1:7101: peer.host \"127.0.0.1\" "
                  "of peer 2 and \"localhost\" of peer 1 (at 6:8) both resolve to it");
  }
  SECTION("an address, then a name that resolves to it") {
    const auto e = errors_of(config_text(1, peer(1, "127.0.0.1", 7101) +
                                              peer(2, "LocalHost", 7101)));
    REQUIRE(e.size() == 1);
    CHECK(e[0] == "test.toml:10:8: duplicate address 127.0.0.1:7101: peer.host \"LocalHost\" "
                  "of peer 2 and \"127.0.0.1\" of peer 1 (at 6:8) both resolve to it");
  }
  SECTION("an IPv4-mapped IPv6 literal is the IPv4 address") {
    const auto e = errors_of(config_text(1, peer(1, "127.0.0.1", 7101) +
                                              peer(2, "::ffff:127.0.0.1", 7101)));
    REQUIRE(e.size() == 1);
    CHECK(e[0] == "test.toml:10:8: duplicate address [::ffff:127.0.0.1]:7101 (also used by "
                  "peer 1 at 6:8)");
  }
  SECTION("one address on two ports is two addresses") {
    const auto c =
      config_of(config_text(1, peer(1, "localhost", 7101) + peer(2, "127.0.0.1", 7102)));
    CHECK(c.peers.size() == 2);
  }
}

TEST_CASE("a host name that does not resolve is compared by its spelling") {
  // .invalid never resolves (RFC 2606); the node must still start while DNS is down.
  const auto ok = config_of(config_text(1, peer(1, "a.invalid", 7101) +
                                             peer(2, "b.invalid", 7101)));
  CHECK(ok.peers.size() == 2);
  const auto e = errors_of(config_text(1, peer(1, "a.invalid", 7101) +
                                            peer(2, "A.INVALID", 7101)));
  REQUIRE(e.size() == 1);
  CHECK(e[0] == "test.toml:10:8: duplicate address A.INVALID:7101 (also used by peer 1 at 6:8)");
}

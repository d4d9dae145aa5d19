/// The member proof of the hello (tls/member_proof.hpp): only the holder of the key of a
/// certificate the CA issued for the claimed id can make a proof the verifier accepts.

#include <cstdlib>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "tests/tls/test_certs.hpp"
#include "tls/member_proof.hpp"

using namespace raft;
using raft_test::test_identity;

namespace {

struct proof_dir {
  std::filesystem::path dir;
  test_identity ca = test_identity::make_ca("test CA");
  std::shared_ptr<const proof_verifier> verifier;

  proof_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "raft-proof-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    ca.write_cert(path("ca.pem"));
    std::string why;
    verifier = proof_verifier::load(path("ca.pem"), why);
    REQUIRE(verifier);
  }
  ~proof_dir() { std::filesystem::remove_all(dir); }

  std::string path(const std::string& name) const { return (dir / name).string(); }

  /// A signer holding `who`'s certificate and key.
  std::shared_ptr<const member_signer> signer(const test_identity& who, const std::string& name) {
    who.write_cert(path(name + ".pem"));
    who.write_key(path(name + ".key"));
    tls_settings tls{{path("ca.pem")}, {path(name + ".pem")}, {path(name + ".key")}};
    std::string why;
    auto s = member_signer::load(tls, why);
    INFO(why);
    REQUIRE(s);
    return s;
  }
};

const std::string challenge = proof_verifier::random_hex(32);
const std::string text = proof_text(challenge, "members-00000000000000aa", 2, 1);

} // namespace

TEST_CASE("a proof signed with the key of the claimed member's certificate is accepted") {
  proof_dir d;
  auto node2 = d.signer(test_identity::make_signed(d.ca, "node2"), "node2");
  CHECK_FALSE(d.verifier->check(node2->certificate_pem(), "node2", text, node2->sign(text)));
}

TEST_CASE("a proof with another member's certificate is refused for the claimed id") {
  proof_dir d;
  auto node3 = d.signer(test_identity::make_signed(d.ca, "node3"), "node3");
  auto failed = d.verifier->check(node3->certificate_pem(), "node2", text, node3->sign(text));
  REQUIRE(failed);
  CHECK(*failed == "certificate does not name node2");
}

TEST_CASE("a proof presenting the claimed member's certificate but signed with another key "
          "is refused") {
  proof_dir d;
  auto node2 = d.signer(test_identity::make_signed(d.ca, "node2"), "node2");
  auto node3 = d.signer(test_identity::make_signed(d.ca, "node3"), "node3");
  auto failed = d.verifier->check(node2->certificate_pem(), "node2", text, node3->sign(text));
  REQUIRE(failed);
  CHECK(*failed == "signature does not verify");
}

TEST_CASE("a proof for another challenge, node or identity does not verify") {
  proof_dir d;
  auto node2 = d.signer(test_identity::make_signed(d.ca, "node2"), "node2");
  const auto sig = node2->sign(text);
  const auto cert = node2->certificate_pem();
  CHECK(d.verifier->check(cert, "node2", proof_text(proof_verifier::random_hex(32),
                                                    "members-00000000000000aa", 2, 1), sig));
  CHECK(d.verifier->check(cert, "node2", proof_text(challenge, "members-00000000000000aa", 2, 3),
                          sig));
  CHECK(d.verifier->check(cert, "node2", proof_text(challenge, "members-00000000000000bb", 2, 1),
                          sig));
}

TEST_CASE("a proof with a certificate of another CA or an expired one is refused") {
  proof_dir d;
  auto other = test_identity::make_ca("other CA");
  auto foreign = d.signer(test_identity::make_signed(other, "node2"), "foreign");
  auto failed = d.verifier->check(foreign->certificate_pem(), "node2", text, foreign->sign(text));
  REQUIRE(failed);
  CHECK(failed->find("certificate not accepted by the CA") == 0);
  auto old = d.signer(test_identity::make_signed(d.ca, "node2", {}, std::chrono::hours(-48),
                                                 std::chrono::hours(-24)),
                      "old");
  failed = d.verifier->check(old->certificate_pem(), "node2", text, old->sign(text));
  REQUIRE(failed);
  CHECK(failed->find("expired") != std::string::npos);
}

TEST_CASE("garbage in place of a certificate or an empty signature is refused") {
  proof_dir d;
  auto node2 = d.signer(test_identity::make_signed(d.ca, "node2"), "node2");
  CHECK(d.verifier->check("not a certificate", "node2", text, node2->sign(text)) ==
        std::optional<std::string>{"no certificate in the proof"});
  CHECK(d.verifier->check(node2->certificate_pem(), "node2", text, "") ==
        std::optional<std::string>{"oversize or empty proof"});
  CHECK(d.verifier->check(std::string(100000, 'x'), "node2", text, node2->sign(text)) ==
        std::optional<std::string>{"oversize or empty proof"});
}

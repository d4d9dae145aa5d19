/// The start-up checks of the [tls] files: each problem is one line naming the config file,
/// the line and column of the key, the key and the file.

#include <cstdlib>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "config/load_config.hpp"
#include "tests/tls/test_certs.hpp"
#include "tls/certificate_check.hpp"

using namespace raft;
using raft_test::test_identity;

namespace {

/// A fresh directory with a CA (ca.pem) and node1's certificate and key, and a config
/// that names them; removed at the end.
struct tls_dir {
  std::filesystem::path dir;
  test_identity ca = test_identity::make_ca("test CA");

  tls_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "raft-tls-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    ca.write_cert(path("ca.pem"));
    auto node1 = test_identity::make_signed(ca, "node1");
    node1.write_cert(path("node1.pem"));
    node1.write_key(path("node1.key"));
  }
  ~tls_dir() { std::filesystem::remove_all(dir); }

  std::string path(const std::string& name) const { return (dir / name).string(); }

  /// The [tls] settings of a config naming these files (line 2, 3, 4 of the table).
  tls_settings settings(const std::string& ca_file = "ca.pem",
                        const std::string& cert_file = "node1.pem",
                        const std::string& key_file = "node1.key") const {
    const std::string text = "[node]\nid = 1\ndata_dir = \"/d\"\n[[peer]]\nid = 1\nhost = "
                             "\"127.0.0.1\"\nport = 7101\n[tls]\nca_file = \"" +
                             path(ca_file) + "\"\ncert_file = \"" + path(cert_file) +
                             "\"\nkey_file = \"" + path(key_file) + "\"\n";
    auto loaded = parse_cluster_config(text, "node1.toml");
    REQUIRE(loaded.ok());
    REQUIRE(loaded.config->tls);
    return *loaded.config->tls;
  }
};

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("a certificate signed by the CA naming the node passes every check") {
  tls_dir d;
  CHECK(check_tls_files(d.settings(), "node1", "node1.toml").empty());
}

TEST_CASE("a certificate naming the node only in a DNS SAN passes the name check") {
  tls_dir d;
  auto c = test_identity::make_signed(d.ca, "some host", {"node1", "h1.example"});
  c.write_cert(d.path("san.pem"));
  c.write_key(d.path("san.key"));
  CHECK(check_tls_files(d.settings("ca.pem", "san.pem", "san.key"), "node1", "node1.toml").empty());
}

TEST_CASE("an expired certificate is one error naming the config line and the expiry") {
  tls_dir d;
  auto c = test_identity::make_signed(d.ca, "node1", {}, std::chrono::hours(-48),
                                      std::chrono::hours(-24));
  c.write_cert(d.path("old.pem"));
  c.write_key(d.path("old.key"));
  auto errors = check_tls_files(d.settings("ca.pem", "old.pem", "old.key"), "node1", "node1.toml");
  REQUIRE(errors.size() == 1);
  CHECK(contains(errors[0], "node1.toml:10:13: tls.cert_file: " + d.path("old.pem")));
  CHECK(contains(errors[0], "certificate expired on"));
}

TEST_CASE("a certificate of another CA is one error saying it is not signed by the CA") {
  tls_dir d;
  auto other_ca = test_identity::make_ca("other CA");
  auto c = test_identity::make_signed(other_ca, "node1");
  c.write_cert(d.path("foreign.pem"));
  c.write_key(d.path("foreign.key"));
  auto errors =
    check_tls_files(d.settings("ca.pem", "foreign.pem", "foreign.key"), "node1", "node1.toml");
  REQUIRE(errors.size() == 1);
  CHECK(contains(errors[0], "node1.toml:10:13: tls.cert_file: "));
  CHECK(contains(errors[0], "is not signed by the CA in " + d.path("ca.pem")));
}

TEST_CASE("a certificate naming another member is one error naming both names") {
  tls_dir d;
  auto c = test_identity::make_signed(d.ca, "node2", {"node2"});
  c.write_cert(d.path("node2.pem"));
  c.write_key(d.path("node2.key"));
  auto errors =
    check_tls_files(d.settings("ca.pem", "node2.pem", "node2.key"), "node1", "node1.toml");
  REQUIRE(errors.size() == 1);
  CHECK(contains(errors[0], "tls.cert_file: "));
  CHECK(contains(errors[0], "certificate names CN node2, not node1"));
}

TEST_CASE("a key that is not the certificate's is one error on key_file") {
  tls_dir d;
  auto other = test_identity::make_signed(d.ca, "node1");
  other.write_key(d.path("other.key"));
  auto errors =
    check_tls_files(d.settings("ca.pem", "node1.pem", "other.key"), "node1", "node1.toml");
  REQUIRE(errors.size() == 1);
  CHECK(contains(errors[0], "node1.toml:11:12: tls.key_file: " + d.path("other.key")));
  CHECK(contains(errors[0], "is not the private key of the certificate in " + d.path("node1.pem")));
}

TEST_CASE("unreadable files are one error each naming the file and the reason") {
  tls_dir d;
  std::FILE* f = std::fopen(d.path("garbage.pem").c_str(), "w");
  std::fputs("not a certificate\n", f);
  std::fclose(f);
  auto errors =
    check_tls_files(d.settings("missing.pem", "garbage.pem", "missing.key"), "node1", "n.toml");
  REQUIRE(errors.size() == 3);
  CHECK(contains(errors[0], "n.toml:9:11: tls.ca_file: " + d.path("missing.pem") +
                              ": cannot read: No such file or directory"));
  CHECK(contains(errors[1], "tls.cert_file: " + d.path("garbage.pem") +
                              ": holds no PEM certificate"));
  CHECK(contains(errors[2], "tls.key_file: " + d.path("missing.key") + ": cannot read"));
}

TEST_CASE("raftctl's check accepts any certificate the CA signed whatever its name") {
  tls_dir d;
  auto c = test_identity::make_signed(d.ca, "raftctl");
  c.write_cert(d.path("raftctl.pem"));
  c.write_key(d.path("raftctl.key"));
  CHECK(check_tls_files(d.settings("ca.pem", "raftctl.pem", "raftctl.key"), "", "r.toml").empty());
}

TEST_CASE("a [tls] table without its three files is a config error naming each key") {
  auto loaded = parse_cluster_config("[node]\nid = 1\ndata_dir = \"/d\"\n[[peer]]\nid = 1\nhost = "
                                     "\"127.0.0.1\"\nport = 7101\n[tls]\nca_file = \"\"\ncert = 1\n",
                                     "t.toml");
  REQUIRE_FALSE(loaded.ok());
  std::string all;
  for (auto& e : loaded.errors) all += e + "\n";
  CAPTURE(all);
  CHECK(contains(all, "t.toml:9:11: tls.ca_file must not be empty"));
  CHECK(contains(all, "t.toml:10:1: unknown key 'cert' in [tls]"));
  CHECK(contains(all, "missing required key 'tls.cert_file'"));
  CHECK(contains(all, "missing required key 'tls.key_file'"));
}

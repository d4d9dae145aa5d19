#include "run_cluster.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <utility>

#include "testing/hosts/availability.hpp"
#include "testing/hosts/cluster_view.hpp"
#include "testing/hosts/host_cluster.hpp"
#include "testing/hosts/net_namespace.hpp"

namespace raft::linearizability {

using namespace std::chrono_literals;

const char* to_string(network n) {
  switch (n) {
    case network::loopback: return "loopback";
    case network::namespaces: return "namespaces";
  }
  return "?";
}

std::vector<std::uint64_t> run_cluster::others(std::uint64_t id) const {
  auto all = ids();
  all.erase(std::remove(all.begin(), all.end(), id), all.end());
  return all;
}

std::optional<std::string> namespaces_unavailable() {
  if (auto why = hosts::netns_unavailable())
    return why;
  return hosts::nft_unavailable();
}

namespace {

/// Ids as the fault file and the `fault` event write them: sorted, space-separated.
std::string id_list(const std::set<std::uint64_t>& ids) {
  std::string out;
  for (auto id : ids)
    out += (out.empty() ? "" : " ") + std::to_string(id);
  return out;
}

/// What both networks' clusters answer alike: a harness cluster `C` (cluster_dir,
/// host_cluster) held as `c_`.
template <class C>
class harness_cluster : public run_cluster {
public:
  template <class... Args>
  explicit harness_cluster(Args&&... args) : c_(std::forward<Args>(args)...) {}

  std::vector<std::uint64_t> ids() const override { return c_.ids(); }
  process::node_process& node(std::uint64_t id) override { return c_.node(id); }
  const process::node_process& node(std::uint64_t id) const override { return c_.node(id); }
  std::string logs() const override { return c_.logs(); }

protected:
  C c_;
};

/// Loopback: the fault switch of each node names the peers it drops.
class loopback_cluster final : public harness_cluster<process::cluster_dir> {
public:
  explicit loopback_cluster(const cluster_options& o)
    : harness_cluster(o.nodes, o.timing, o.partitions) {
    if (o.kv)
      for (auto id : c_.ids())
        process::write_file(c_.config(id),
                            c_.config_text(id, c_.data_dir(id)) + "\n[kv]\nsnapshot_every = " +
                              std::to_string(o.kv->snapshot_every) +
                              "\nsession_timeout_ms = " +
                              std::to_string(o.kv->session_timeout_ms) +
                              "\nmax_sessions = " + std::to_string(o.kv->max_sessions) + "\n");
    c_.start_all();
  }

  std::string cut(const std::set<std::uint64_t>& side,
                  const std::set<std::uint64_t>& rest) override {
    std::map<std::uint64_t, std::set<std::uint64_t>> cuts;
    for (auto id : side)
      cuts[id].insert(rest.begin(), rest.end());
    for (auto id : rest)
      cuts[id].insert(side.begin(), side.end());
    // Each switch gets what it cut before and the new peers; only switches that change.
    std::map<std::uint64_t, std::set<std::uint64_t>> changed;
    for (auto& [id, peers] : cuts) {
      auto before = cut_[id];
      cut_[id].insert(peers.begin(), peers.end());
      if (cut_[id] != before)
        changed[id] = cut_[id];
    }
    return set_switches(changed);
  }

  std::string heal() override {
    // Only switches that cut something: an unchanged switch logs no `fault` event to await.
    std::map<std::uint64_t, std::set<std::uint64_t>> none;
    for (auto& [id, peers] : cut_)
      none[id] = {};
    cut_.clear();
    return set_switches(none);
  }

  std::vector<peer_address> members() const override {
    std::vector<peer_address> out;
    for (auto id : c_.ids())
      out.push_back(peer_address{static_cast<peer_id>(id), "127.0.0.1", c_.port(id)});
    return out;
  }

  std::shared_ptr<void> enter_client_side() override { return nullptr; }

  bool wait_for_leader(std::chrono::milliseconds limit) override {
    return c_.wait_for_leader(limit).has_value();
  }

private:
  /// Sets each listed node's switch to cut exactly the peers listed for it, and waits for
  /// each to log that it is in force (the node polls the file every 10 ms).
  std::string set_switches(const std::map<std::uint64_t, std::set<std::uint64_t>>& cuts) {
    std::string problems;
    for (auto& [id, peers] : cuts) {
      std::vector<std::uint64_t> expected(peers.begin(), peers.end());
      auto text = peers.empty() ? std::string() : id_list(peers) + "\n";
      if (!c_.set_fault(id, text, expected, 5s))
        problems += "node " + std::to_string(id) + " did not log the fault switch cutting {" +
                    id_list(peers) + "}\n";
    }
    return problems;
  }

  /// What each node's switch cuts now (nodes whose switch cuts nothing are absent).
  std::map<std::uint64_t, std::set<std::uint64_t>> cut_;
};

/// The namespace network: nodes on hosts of their own, partitions made by nftables in the
/// bridge's namespace, clients on the operator's host.
class namespace_cluster final : public harness_cluster<hosts::host_cluster> {
public:
  explicit namespace_cluster(const cluster_options& o)
    : harness_cluster(o.nodes, hosts::transport_of<hosts::plain_tcp>(), o.timing) {
    if (o.kv)
      throw std::invalid_argument("a namespace cluster runs with the default [kv] settings");
    c_.start_all();
  }

  std::string cut(const std::set<std::uint64_t>& side,
                  const std::set<std::uint64_t>& rest) override {
    try {
      c_.split({{side.begin(), side.end()}, {rest.begin(), rest.end()}});
      return "";
    } catch (const std::exception& e) {
      return std::string("cut {") + id_list(side) + "} from {" + id_list(rest) +
             "}: " + e.what() + "\n";
    }
  }

  std::string heal() override {
    try {
      c_.heal();
      return "";
    } catch (const std::exception& e) {
      return std::string("heal: ") + e.what() + "\n";
    }
  }

  std::vector<peer_address> members() const override {
    std::vector<peer_address> out;
    for (auto id : c_.ids())
      out.push_back(peer_address{static_cast<peer_id>(id),
                                 hosts::bridge_network::address(static_cast<unsigned>(id)),
                                 hosts::host_cluster::member_port});
    return out;
  }

  std::shared_ptr<void> enter_client_side() override {
    return std::make_shared<hosts::namespace_entry>(
      c_.network().host(hosts::host_cluster::operator_host));
  }

  bool wait_for_leader(std::chrono::milliseconds limit) override {
    return hosts::wait_agreed_leader(c_, c_.ids(), limit).has_value();
  }

};

} // namespace

std::unique_ptr<run_cluster> make_run_cluster(const cluster_options& opts) {
  if (opts.network == network::namespaces)
    return std::make_unique<namespace_cluster>(opts);
  return std::make_unique<loopback_cluster>(opts);
}

} // namespace raft::linearizability

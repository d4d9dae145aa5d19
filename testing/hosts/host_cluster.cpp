#include "host_cluster.hpp"

#include <sstream>
#include <stdexcept>

namespace raft::hosts {

using namespace std::chrono_literals;

host_cluster::host_cluster(std::size_t nodes, const transport& how,
                           process::timing_config timing)
  : transport_(how.name), tls_(how.tls), timing_(timing) {
  if (nodes < 1 || nodes >= operator_host)
    throw std::invalid_argument("a host cluster has 1 … 253 nodes");
  for (std::uint64_t id = 1; id <= nodes; ++id)
    net_.add_host(static_cast<unsigned>(id));
  net_.add_host(operator_host);
  for (std::uint64_t id = 1; id <= nodes; ++id) {
    auto name = "node" + std::to_string(id);
    nodes_.push_back(std::make_unique<process::node_process>(id, dir_ / (name + ".toml"),
                                                             dir_ / (name + ".log"),
                                                             dir_ / (name + ".err")));
    nodes_.back()->set_launcher(net_.host(static_cast<unsigned>(id)).exec_prefix());
  }
  for (auto id : ids())
    process::write_file(config(id), config_text(id, how.node_config(id, dir_.path())));
  process::write_file(operator_config(), config_text(1, how.operator_config(dir_.path())));
  for (auto id : ids()) {
    auto r = process::run_program({process::raft_node_path(), "--config", config(id), "--init"},
                                  10s);
    if (r.exit_code != 0)
      throw std::runtime_error("raft-node --init of node " + std::to_string(id) + " exited " +
                               std::to_string(r.exit_code) + ": " + r.err);
  }
}

host_cluster::~host_cluster() {
  for (auto& n : nodes_)
    n->kill_now();
}

std::vector<std::uint64_t> host_cluster::ids() const {
  std::vector<std::uint64_t> out;
  for (std::uint64_t id = 1; id <= nodes_.size(); ++id)
    out.push_back(id);
  return out;
}

std::string host_cluster::config(std::uint64_t id) const {
  return dir_ / ("node" + std::to_string(id) + ".toml");
}

std::string host_cluster::operator_config() const {
  return dir_ / "operator.toml";
}

std::string host_cluster::data_dir(std::uint64_t id) const {
  return dir_ / ("data" + std::to_string(id));
}

std::string host_cluster::config_text(std::uint64_t self, const std::string& extra) const {
  std::ostringstream s;
  s << "[node]\nid = " << self << "\ndata_dir = \"" << data_dir(self) << "\"\n";
  for (auto id : ids())
    s << "\n[[peer]]\nid = " << id << "\nhost = \""
      << bridge_network::address(static_cast<unsigned>(id)) << "\"\nport = " << member_port
      << "\n";
  s << "\n[timing]\nheartbeat_ms = " << timing_.heartbeat_ms
    << "\nelection_timeout_min_ms = " << timing_.election_timeout_min_ms
    << "\nelection_timeout_max_ms = " << timing_.election_timeout_max_ms << "\n";
  if (!extra.empty())
    s << "\n" << extra;
  return s.str();
}

void host_cluster::start_all() {
  for (auto& n : nodes_)
    n->start();
}

void host_cluster::isolate(std::uint64_t id) {
  net_.port_down(static_cast<unsigned>(id));
}

void host_cluster::reconnect(std::uint64_t id) {
  net_.port_up(static_cast<unsigned>(id));
}

void host_cluster::drop_one_way(std::uint64_t from, std::uint64_t to) {
  net_.drop(static_cast<unsigned>(from), static_cast<unsigned>(to));
}

void host_cluster::cut_link(std::uint64_t a, std::uint64_t b) {
  split({{a}, {b}});
}

void host_cluster::split(const std::vector<std::vector<std::uint64_t>>& sides) {
  std::vector<std::pair<unsigned, unsigned>> links;
  for (std::size_t i = 0; i < sides.size(); ++i)
    for (std::size_t j = i + 1; j < sides.size(); ++j)
      for (auto a : sides[i])
        for (auto b : sides[j]) {
          links.emplace_back(static_cast<unsigned>(a), static_cast<unsigned>(b));
          links.emplace_back(static_cast<unsigned>(b), static_cast<unsigned>(a));
        }
  net_.drop(links); // one nft transaction: every link of the cut goes at once
}

void host_cluster::heal() {
  net_.heal();
}

process::status_result host_cluster::status() const {
  return process::raftctl_status(operator_config(), net_.host(operator_host).exec_prefix());
}

process::status_result host_cluster::status_from(std::uint64_t id) const {
  return process::raftctl_status(config(id), net_.host(static_cast<unsigned>(id)).exec_prefix());
}

std::string host_cluster::logs() const {
  std::string out = "transport " + transport_ + ", test directory " + dir_.path() + "\n";
  for (auto& n : nodes_)
    out += "--- node " + std::to_string(n->id()) + " stdout ---\n" +
           process::read_file(n->log_path()).value_or("") + "--- node " +
           std::to_string(n->id()) + " stderr ---\n" + n->stderr_text();
  return out;
}

} // namespace raft::hosts

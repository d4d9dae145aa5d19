#include "apps/status_view.hpp"

#include <algorithm>
#include <array>

#include <nlohmann/json.hpp>

#include "core/role.hpp"

namespace raft {

namespace {

std::string role_text(const node_status& s) {
  return std::string(to_string(static_cast<role>(s.role)));
}

} // namespace

std::string address_text(const peer_address& p) {
  const bool ipv6 = p.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + p.host + "]" : p.host) + ":" + std::to_string(p.port);
}

std::string json_line(const member_view& m, const std::string& ts) {
  nlohmann::ordered_json j;
  if (!ts.empty())
    j["ts"] = ts;
  j["id"] = m.address.id;
  j["address"] = address_text(m.address);
  j["reachable"] = m.status.has_value();
  if (m.status) {
    j["term"] = m.status->term;
    j["role"] = role_text(*m.status);
    j["leader"] = m.status->leader ? nlohmann::ordered_json(m.status->leader) : nullptr;
  } else {
    j["term"] = nullptr;
    j["role"] = nullptr;
    j["leader"] = nullptr;
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string status_table(const std::vector<member_view>& members) {
  using row = std::array<std::string, 6>;
  std::vector<row> rows{{"ID", "ADDRESS", "REACHABLE", "TERM", "ROLE", "LEADER"}};
  for (auto& m : members) {
    auto& s = m.status;
    rows.push_back({std::to_string(m.address.id), address_text(m.address), s ? "yes" : "no",
                    s ? std::to_string(s->term) : "-", s ? role_text(*s) : "-",
                    s && s->leader ? std::to_string(s->leader) : "-"});
  }
  std::array<std::size_t, 6> width{};
  for (auto& r : rows)
    for (std::size_t c = 0; c < r.size(); ++c)
      width[c] = std::max(width[c], r[c].size());
  std::string out;
  for (auto& r : rows) {
    std::string line;
    for (std::size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size())
        line += std::string(width[c] - r[c].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string watch_text_line(const member_view& m, const std::string& ts) {
  std::string line = ts + "  node " + std::to_string(m.address.id) + "  " +
                     address_text(m.address) + "  ";
  if (!m.status)
    return line + "unreachable";
  return line + "term " + std::to_string(m.status->term) + "  " + role_text(*m.status) +
         "  leader " + (m.status->leader ? std::to_string(m.status->leader) : "-");
}

} // namespace raft

#include "apps/node_metrics.hpp"

#include <cctype>
#include <cstdio>

namespace raft {

namespace {

constexpr std::size_t max_reasons = 32;

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void sample(std::string& out, const std::string& name, std::uint64_t value) {
  out += name + " " + std::to_string(value) + "\n";
}

/// Seconds from microseconds, exactly as a decimal (no float rounding in the text).
std::string seconds(std::uint64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llu.%06llu", static_cast<unsigned long long>(us / 1'000'000),
                static_cast<unsigned long long>(us % 1'000'000));
  return buf;
}

} // namespace

node_metrics::node_metrics(std::vector<peer_id> others, std::shared_ptr<const peer_stats> stats)
    : stats_(std::move(stats)) {
  for (auto p : others)
    connected_[p] = 0;
}

void node_metrics::role_changed(raft::role r, term_t term, std::optional<peer_id> leader) {
  term_ = term;
  role_ = static_cast<int>(r);
  leader_ = leader.value_or(0);
  if (r == raft::role::candidate)
    ++elections_;
  if (leader && (*leader != last_leader_ || term != last_leader_term_)) {
    ++leader_changes_;
    last_leader_ = *leader;
    last_leader_term_ = term;
  }
}

void node_metrics::peer_connected(peer_id peer, bool up) {
  auto i = connected_.find(peer);
  if (i != connected_.end())
    i->second = up ? 1 : 0;
}

void node_metrics::rejected(const std::string& reason, std::uint64_t count) {
  std::lock_guard<std::mutex> guard{rejected_mtx_};
  auto i = rejected_.find(reason);
  if (i == rejected_.end() && rejected_.size() >= max_reasons)
    i = rejected_.try_emplace("other", 0).first;
  else if (i == rejected_.end())
    i = rejected_.emplace(reason, 0).first;
  i->second += count;
}

std::string node_metrics::reason_label(const std::string& text) {
  std::string out;
  bool gap = false;
  for (unsigned char c : text) {
    if (std::isalpha(c) != 0 || c == '_') {
      if (gap && !out.empty())
        out += '_';
      out += static_cast<char>(std::tolower(c));
      gap = false;
    } else if (std::isdigit(c) == 0) {
      gap = true;
    }
  }
  return out.empty() ? "other" : out;
}

std::string node_metrics::render() const {
  std::string out;
  header(out, "raft_term", "gauge", "The node's current term.");
  sample(out, "raft_term", term_.load());
  const int r = role_.load();
  header(out, "raft_is_leader", "gauge", "1 when this node is the leader of its term.");
  sample(out, "raft_is_leader", r == static_cast<int>(raft::role::leader) ? 1 : 0);
  header(out, "raft_role", "gauge", "1 for the node's current role, 0 for the others.");
  for (auto x : {raft::role::follower, raft::role::candidate, raft::role::leader})
    sample(out, "raft_role{role=\"" + std::string(to_string(x)) + "\"}",
           r == static_cast<int>(x) ? 1 : 0);
  header(out, "raft_leader_id", "gauge", "The leader this node knows in its term; 0 for none.");
  sample(out, "raft_leader_id", leader_.load());
  header(out, "raft_elections_started_total", "counter",
         "Elections this node started (each candidacy, in a new term).");
  sample(out, "raft_elections_started_total", elections_.load());
  header(out, "raft_prevotes_started_total", "counter",
         "Pre-vote rounds this node started (an election timer fired and it asked the others).");
  sample(out, "raft_prevotes_started_total", stats_ ? stats_->prevote_rounds.load() : 0);
  header(out, "raft_leader_changes_seen_total", "counter",
         "Times this node learned of a new leader (another node, or the same in a new term).");
  sample(out, "raft_leader_changes_seen_total", leader_changes_.load());

  header(out, "raft_messages_sent_total", "counter", "Raft messages sent, by kind.");
  for (std::size_t k = 0; k < peer_stats::kinds; ++k)
    sample(out, std::string("raft_messages_sent_total{kind=\"") + kind_name(k) + "\"}",
           stats_ ? stats_->sent[k].load() : 0);
  header(out, "raft_messages_received_total", "counter",
         "Raft messages the peer received, by kind.");
  for (std::size_t k = 0; k < peer_stats::kinds; ++k)
    sample(out, std::string("raft_messages_received_total{kind=\"") + kind_name(k) + "\"}",
           stats_ ? stats_->received[k].load() : 0);
  header(out, "raft_messages_rejected_total", "counter",
         "Messages dropped: by the endpoint (sender checks) or by the Raft rules.");
  {
    std::map<std::string, std::uint64_t> copy;
    {
      std::lock_guard<std::mutex> guard{rejected_mtx_};
      copy = rejected_;
    }
    for (auto& [reason, n] : copy)
      sample(out, "raft_messages_rejected_total{reason=\"" + reason + "\"}", n);
  }

  header(out, "raft_peer_connected", "gauge",
         "1 while the link to the other member is connected (and its hello accepted).");
  for (auto& [p, up] : connected_)
    sample(out, "raft_peer_connected{peer=\"" + std::to_string(p) + "\"}",
           static_cast<std::uint64_t>(up.load()));

  header(out, "raft_heartbeat_rtt_seconds", "histogram",
         "Leader only: time from sending an append_entries to a follower until handling the "
         "reply that echoes its sequence number.");
  if (stats_) {
    for (auto& [p, h] : stats_->heartbeat_rtt) {
      const std::string peer = "peer=\"" + std::to_string(p) + "\"";
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < h.buckets.size(); ++i) {
        cumulative += h.buckets[i].load(std::memory_order_relaxed);
        const std::string le =
          i < rtt_histogram::bounds_us.size() ? seconds(rtt_histogram::bounds_us[i]) : "+Inf";
        sample(out, "raft_heartbeat_rtt_seconds_bucket{" + peer + ",le=\"" + le + "\"}",
               cumulative);
      }
      out += "raft_heartbeat_rtt_seconds_sum{" + peer + "} " +
             seconds(h.sum_us.load(std::memory_order_relaxed)) + "\n";
      sample(out, "raft_heartbeat_rtt_seconds_count{" + peer + "}", cumulative);
    }
  }
  return out;
}

} // namespace raft

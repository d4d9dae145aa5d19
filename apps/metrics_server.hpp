#pragma once
/// Serves `GET /metrics` (Prometheus text) over HTTP with cpp-httplib, on threads of its own:
/// a scrape never runs on, or waits for, the peer's thread (node_metrics.hpp says why the
/// render does not block the peer). Any other path answers 404.

#include <functional>
#include <memory>
#include <string>

namespace raft {

class metrics_server {
public:
  /// Binds `host:port` at once and serves until destroyed. Throws std::runtime_error
  /// naming the address when it cannot bind (in use, no such address).
  metrics_server(const std::string& host, std::uint16_t port, std::function<std::string()> render);
  ~metrics_server();
  metrics_server(const metrics_server&) = delete;
  metrics_server& operator=(const metrics_server&) = delete;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace raft

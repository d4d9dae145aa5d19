#include "apps/metrics_server.hpp"

#include <cstring>
#include <stdexcept>
#include <thread>

#include <httplib.h>

namespace raft {

struct metrics_server::impl {
  httplib::Server server;
  std::thread thread;
};

metrics_server::metrics_server(const std::string& host, std::uint16_t port,
                               std::function<std::string()> render)
    : impl_(std::make_unique<impl>()) {
  auto& srv = impl_->server;
  // Two workers: a scrape is a few microseconds of rendering; a second one keeps a slow
  // client from holding up the next scrape.
  srv.new_task_queue = [] { return new httplib::ThreadPool(2); };
  srv.set_read_timeout(2, 0);
  srv.set_write_timeout(2, 0);
  srv.set_keep_alive_timeout(2);
  srv.set_payload_max_length(1024); // a GET has no body
  srv.Get("/metrics", [render](const httplib::Request&, httplib::Response& res) {
    res.set_content(render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  if (!srv.bind_to_port(host.c_str(), port)) {
    const bool ipv6 = host.find(':') != std::string::npos;
    throw std::runtime_error("cannot serve metrics on " + (ipv6 ? "[" + host + "]" : host) +
                             ":" + std::to_string(port) + ": " + std::strerror(errno));
  }
  impl_->thread = std::thread([&srv] { srv.listen_after_bind(); });
}

metrics_server::~metrics_server() {
  impl_->server.stop();
  if (impl_->thread.joinable())
    impl_->thread.join();
}

} // namespace raft

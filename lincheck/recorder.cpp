#include "lincheck/recorder.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace raft::lincheck {

recorder::recorder() : start_(std::chrono::steady_clock::now()) {}

op_time recorder::now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              start_)
      .count();
}

recorder::ticket recorder::call(client_id client, bytes key, command cmd) {
  std::lock_guard<std::mutex> lock(mutex_);
  ops_.push_back(make_unknown(client, now(), std::move(key), std::move(cmd)));
  settled_.push_back(false);
  dropped_.push_back(false);
  return ops_.size() - 1;
}

void recorder::settle(ticket t) {
  if (t >= ops_.size()) throw std::logic_error("recorder: no call " + std::to_string(t));
  if (settled_[t]) throw std::logic_error("recorder: call " + std::to_string(t) + " already settled");
  settled_[t] = true;
}

void recorder::returned(ticket t, outcome out) {
  std::lock_guard<std::mutex> lock(mutex_);
  settle(t);
  ops_[t].done = completion{now(), std::move(out)};
}

void recorder::unknown(ticket t) {
  std::lock_guard<std::mutex> lock(mutex_);
  settle(t);
}

void recorder::not_done(ticket t) {
  std::lock_guard<std::mutex> lock(mutex_);
  settle(t);
  dropped_[t] = true;
}

history recorder::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  history out;
  out.reserve(ops_.size());
  for (std::size_t t = 0; t < ops_.size(); ++t)
    if (!dropped_[t])
      out.push_back(ops_[t]);
  return out;
}

} // namespace raft::lincheck

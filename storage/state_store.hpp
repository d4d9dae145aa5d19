#pragma once
/// Where a peer keeps Figure 2's persistent state (current_term, voted_for).
///
/// Contract: `save` returns only once the state is on stable storage; it throws
/// std::runtime_error when it cannot guarantee that, and the caller then must not send any
/// message that depends on the new state (the peer stops instead).

#include <memory>
#include <mutex>
#include <optional>

#include "core/persistent_state.hpp"

namespace raft {

class state_store {
public:
  virtual ~state_store() = default;
  /// The state saved last, or a fresh state (term 0, no vote) when nothing was saved yet.
  virtual persistent_state load() = 0;
  virtual void save(term_t current_term, std::optional<peer_id> voted_for) = 0;
};

/// Keeps the state in memory, shared between incarnations of a peer in one process (the
/// test cluster's crash/restart): a restarted peer gets exactly what was last saved.
class memory_store final : public state_store {
public:
  persistent_state load() override {
    std::lock_guard<std::mutex> guard{mtx_};
    return state_;
  }
  void save(term_t current_term, std::optional<peer_id> voted_for) override {
    std::lock_guard<std::mutex> guard{mtx_};
    state_.current_term = current_term;
    state_.voted_for = voted_for;
    ++saves_;
  }
  std::size_t saves() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return saves_;
  }

private:
  mutable std::mutex mtx_;
  persistent_state state_;
  std::size_t saves_ = 0;
};

} // namespace raft

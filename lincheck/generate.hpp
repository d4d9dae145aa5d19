#pragma once
/// Synthetic histories for the checker's tests and benchmark: a real sequential key-value
/// map executed at linearization points, with each operation's interval drawn around its
/// point. Every generated history is linearizable by construction (the points are an order
/// that explains every outcome), so the checker must accept it.

#include <cstdint>
#include <optional>

#include "lincheck/operation.hpp"

namespace raft::lincheck {

struct generator_options {
  std::size_t operations = 1000;
  std::size_t keys = 10;
  std::size_t clients = 10;          ///< each client has one operation in flight at a time
  op_time spacing = 10;              ///< time between consecutive linearization points
  op_time max_latency = 100;         ///< an interval reaches at most this far on either side
  double unknown = 0.0;              ///< fraction of operations recorded with an unknown outcome
  std::uint64_t seed = 1;
};

/// A linearizable history. Every written value is unique (`v<n>`). Operations with an
/// unknown outcome (a fraction `unknown` of them) took effect at their point in half of the
/// cases and never in the other half.
history generate_linearizable(const generator_options& o);

/// Turns one known get into a stale read that no order explains: it now returns a value v
/// written by a known write w1, where a known write w2 that removes or replaces v was called
/// after w1 returned and returned before the get was called, and no other operation (known
/// or not) writes v: every order has w1, w2, get, so the get cannot see v. Returns the index of the changed get, or nullopt when the
/// history has no such triple. Deterministic in `seed`.
std::optional<std::size_t> inject_stale_read(history& h, std::uint64_t seed);

} // namespace raft::lincheck

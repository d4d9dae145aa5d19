#pragma once
/// Draws from the run's single generator. Every random choice of a run (the scenario, each
/// message's delay, drop and duplication, each fault) comes from one std::mt19937_64 seeded
/// with the run seed, and each core gets a seed derived from it, so a seed replays exactly.
///
/// The helpers are written out instead of using std::*_distribution, whose output is not
/// specified by the standard: a seed then replays the same with any standard library.

#include <cstdint>
#include <random>

namespace raft::sim {

using rng_t = std::mt19937_64;

/// Uniform in [0, 1).
inline double unit(rng_t& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

/// True with probability p.
inline bool chance(rng_t& rng, double p) { return p > 0 && unit(rng) < p; }

/// Uniform in [lo, hi] (the tiny modulo bias is irrelevant here).
inline std::int64_t between(rng_t& rng, std::int64_t lo, std::int64_t hi) {
  auto span = static_cast<std::uint64_t>(hi - lo) + 1;
  return lo + static_cast<std::int64_t>(rng() % span);
}

/// Uniform in [0, n). Precondition: n > 0.
inline std::size_t below(rng_t& rng, std::size_t n) {
  return static_cast<std::size_t>(rng() % n);
}

/// SplitMix64 finalizer: spreads nearby inputs (seed, peer, incarnation) far apart.
inline std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// The seed of one incarnation of one peer's core, derived from the run seed.
inline std::uint64_t derive_seed(std::uint64_t run_seed, std::uint64_t peer,
                                 std::uint64_t incarnation) {
  return mix(mix(mix(run_seed) ^ (peer + 1)) ^ (incarnation << 20));
}

} // namespace raft::sim

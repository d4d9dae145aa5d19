#pragma once
/// `overloaded{f, g, ...}`: one visitor from several lambdas, for the exhaustive
/// `std::visit` over effects (core/effects.hpp) that every shell uses. A visit that misses an
/// alternative does not compile.

namespace raft {

template <class... Fs>
struct overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

} // namespace raft

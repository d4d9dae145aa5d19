#pragma once
/// Reading the effects of one step of the Raft core (core/effects.hpp) in a test: picking
/// effects out by type, and the effect-ordering contract.
///
/// Effects are looked at by type only (std::get_if, std::holds_alternative), never by an
/// exhaustive visit: a kind of effect added to the core passes through untouched until a
/// check here is taught about it.

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/effects.hpp"

namespace raft::testing {

/// Every effect of type `T` in `fx`, in order.
template <class T>
std::vector<T> effects_of(const effects& fx) {
  std::vector<T> result;
  for (const auto& e : fx)
    if (const auto* x = std::get_if<T>(&e))
      result.push_back(*x);
  return result;
}

/// How many effects of type `T` are in `fx`.
template <class T>
std::size_t count_of(const effects& fx) {
  std::size_t n = 0;
  for (const auto& e : fx)
    if (std::holds_alternative<T>(e))
      ++n;
  return n;
}

/// Position of the first effect of type `T` in `fx`, if any.
template <class T>
std::optional<std::size_t> first_index_of(const effects& fx) {
  for (std::size_t i = 0; i < fx.size(); ++i)
    if (std::holds_alternative<T>(fx[i]))
      return i;
  return std::nullopt;
}

/// Describes how `fx` breaks the ordering contract of core/effects.hpp, or "" when it keeps
/// it: at most one persist, first; at most one role_changed, right after any persist.
inline std::string effect_order_problem(const effects& fx) {
  auto persists = count_of<persist>(fx);
  auto role_changes = count_of<role_changed>(fx);
  if (persists > 1)
    return "more than one persist in one step";
  if (persists == 1 && first_index_of<persist>(fx) != std::size_t{0})
    return "persist is not the first effect of the step";
  if (role_changes > 1)
    return "more than one role_changed in one step";
  if (role_changes == 1 && first_index_of<role_changed>(fx) != std::size_t{persists})
    return "role_changed does not come right after the persist (or first)";
  return "";
}

} // namespace raft::testing

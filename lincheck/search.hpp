#pragma once
/// The search for a linearization of one key's operations: Wing & Gong's algorithm with
/// Lowe's memoization ("Testing for linearizability", 2017), the structure Porcupine uses.
///
/// Events (calls and returns) of operations with a known outcome sit in time order in a
/// doubly linked list. The search walks the list: at a call it tries to linearize that
/// operation next (the register model must accept it in the current state), lifts it out of
/// the list and starts again from the front; at the return of an operation not yet
/// linearized it is stuck and backtracks. Configurations already explored are kept, so none
/// is searched twice: the search is exponential only in the number of truly concurrent
/// operations, not in the history's length. Histories that are not linearizable cost more
/// than those that are: every configuration reachable before the violation is explored.
///
/// Unknown outcomes: such an operation has no return event (it never forces anything) and
/// may be left out, so the search succeeds as soon as every operation with a known outcome
/// is linearized. These rules keep the search small without losing any linearization:
/// - it is placed only where it changes the state (placing it where it changes nothing is
///   never better than leaving it pending); an unknown get is ignored;
/// - of several unknown operations with the same command only the earliest-called pending
///   one is placed (they are interchangeable: each may act anywhere after its call);
/// - right after an unknown operation u (placed in state s) only an operation that depends
///   on u may come: a known one that would be illegal in s, or an unknown one whose effect
///   on s differs. Any linearization can be brought to that form: if the next operation x
///   does not depend on u, either x overwrites the state (put, delete, successful cas: u can
///   be dropped) or leaves it as it is (get, failed cas: u can move after x), and a u with
///   nothing after it can be dropped. So at each point only the unknown operations that
///   start a chain ending in a state some known candidate needs are tried, after the known
///   candidates. (The configurations cached include that restriction.)
/// - a configuration that differs from one already seen only by having placed more unknown
///   operations is not searched (it has fewer choices left).
/// Values that no operation compares the state with are folded into one, so a write nobody
/// reads is one state however many such writes there are.
///
/// tests/lincheck/exhaustive_test.cpp checks all of this against a brute-force search.

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "lincheck/key_history.hpp"

namespace raft::lincheck {

/// A limit on search work shared by several searches: steps (one per event visited) and,
/// optionally, a wall-clock deadline.
struct budget {
  std::uint64_t max_steps = 0;
  std::uint64_t used = 0;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  bool deadline_passed = false;

  bool exhausted() const { return used >= max_steps || deadline_passed; }
};

enum class search_result { linearizable, not_linearizable, out_of_budget };

/// Searches for a linearization of `ops` starting from `initial` (nullopt = absent). Charges
/// `b` one step per event visited; returns out_of_budget, never a guess, when it runs out.
///
/// When the answer is not_linearizable and `stuck_at` is given, it receives the latest
/// return time at which the search got stuck: the end of the smallest prefix that is not
/// linearizable (operations called by then, those running at it pending). No search path
/// gets past that return (or the prefix would be linearizable), and the path that
/// linearizes the prefix just before it reaches it.
search_result search(const std::vector<compact_op>& ops, const std::optional<value_id>& initial,
                     budget& b, op_time* stuck_at = nullptr);

} // namespace raft::lincheck

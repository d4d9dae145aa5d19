#include "lincheck/search.hpp"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "lincheck/register_model.hpp"

namespace raft::lincheck {

namespace {

constexpr std::uint32_t nil = UINT32_MAX;

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

std::uint64_t encode(const std::optional<value_id>& s) { return s ? std::uint64_t{*s} + 1 : 0; }

/// An open-addressing table of records numbered 1, 2, ... (0 marks an empty slot); the
/// caller keeps the records and says how to hash and compare them.
class record_index {
public:
  /// The number of an equal record, or 0.
  template <class Equal>
  std::uint32_t find(std::uint64_t h, Equal&& equal) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask; slots_[i] != 0; i = (i + 1) & mask)
      if (hashes_[slots_[i] - 1] == h && equal(slots_[i])) return slots_[i];
    return 0;
  }

  /// Adds record number size() + 1 with hash h.
  std::uint32_t add(std::uint64_t h) {
    hashes_.push_back(h);
    if (hashes_.size() * 2 > slots_.size()) {
      slots_.assign(slots_.size() * 2, 0);
      for (std::size_t r = 0; r < hashes_.size(); ++r) place(hashes_[r], static_cast<std::uint32_t>(r + 1));
    } else {
      place(h, static_cast<std::uint32_t>(hashes_.size()));
    }
    return static_cast<std::uint32_t>(hashes_.size());
  }

private:
  void place(std::uint64_t h, std::uint32_t number) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = h & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = number;
  }

  std::vector<std::uint64_t> hashes_;
  std::vector<std::uint32_t> slots_ = std::vector<std::uint32_t>(1024, 0);
};

/// The set of linearized operations: a bitset cut into blocks of 512 operations, each block
/// interned (equal blocks share one number), so that a cached configuration stores a few
/// block numbers instead of the whole bitset (most blocks of a long history are either all
/// linearized or untouched). The set's hash is kept incrementally (Zobrist: the xor of one
/// random word per member).
class linearized_set {
public:
  static constexpr std::size_t block_words = 8;

  /// At least one block even for no operations, so that every set has a representation.
  explicit linearized_set(std::size_t n)
      : bits_(std::max<std::size_t>(1, (n + 511) / 512) * block_words, 0),
        blocks_(std::max<std::size_t>(1, (n + 511) / 512)),
        zobrist_(n) {
    for (std::size_t i = 0; i < n; ++i) zobrist_[i] = splitmix64(i * 0x2545f4914f6cdd1dull + 1);
    for (std::size_t k = 0; k < blocks_.size(); ++k) blocks_[k] = intern(k);
  }

  void flip(std::uint32_t i) {
    bits_[i / 64] ^= std::uint64_t{1} << (i % 64);
    hash_ ^= zobrist_[i];
    blocks_[i / 512] = intern(i / 512);
  }

  std::uint64_t hash() const { return hash_; }
  const std::vector<std::uint32_t>& blocks() const { return blocks_; }

  /// Whether block number `a` is a subset of block number `b` (both from this set).
  bool block_subset(std::uint32_t a, std::uint32_t b) const {
    if (a == b) return true;
    const std::uint64_t* x = &pool_[(a - 1) * block_words];
    const std::uint64_t* y = &pool_[(b - 1) * block_words];
    for (std::size_t j = 0; j < block_words; ++j)
      if ((x[j] & ~y[j]) != 0) return false;
    return true;
  }

private:
  std::uint32_t intern(std::size_t k) {
    const std::uint64_t* w = &bits_[k * block_words];
    std::uint64_t h = 0;
    for (std::size_t j = 0; j < block_words; ++j) h = splitmix64(h ^ w[j]);
    std::uint32_t found = index_.find(h, [&](std::uint32_t r) {
      return std::equal(w, w + block_words, &pool_[(r - 1) * block_words]);
    });
    if (found != 0) return found;
    pool_.insert(pool_.end(), w, w + block_words);
    return index_.add(h);
  }

  std::vector<std::uint64_t> bits_;
  std::vector<std::uint32_t> blocks_;  ///< the interned number of each block
  std::vector<std::uint64_t> zobrist_;
  std::uint64_t hash_ = 0;
  std::vector<std::uint64_t> pool_;  ///< interned blocks, block_words each
  record_index index_;
};

/// The explored configurations, as in Lowe's memoization, with a dominance rule for
/// unknown operations. A configuration is (known operations linearized, state, context;
/// unknown operations placed). One that matches a configuration already seen in all but
/// the unknown operations, and has placed all of those and maybe more, is not searched:
/// whatever completes it completes the one seen too (placing fewer unknown operations only
/// leaves more choice), so if the history is linearizable the search still finds an order
/// (the shortest completion of a configuration seen is never cut off).
class config_cache {
public:
  config_cache(const linearized_set& known, const linearized_set& unknown)
      : known_blocks_(known.blocks().size()), unknown_blocks_(unknown.blocks().size()) {}

  /// Adds the configuration; false when it or one it dominates was already there.
  bool insert(const linearized_set& known, const linearized_set& unknown, std::uint64_t state,
              std::uint64_t context) {
    const std::uint64_t h = known.hash() ^ splitmix64(state ^ splitmix64(context));
    const std::vector<std::uint32_t>& k = known.blocks();
    std::uint32_t r = index_.find(h, [&](std::uint32_t at) {
      const std::size_t x = at - 1;
      return states_[2 * x] == state && states_[2 * x + 1] == context &&
             std::equal(k.begin(), k.end(), &known_arena_[x * known_blocks_]);
    });
    if (r == 0) {
      states_.push_back(state);
      states_.push_back(context);
      known_arena_.insert(known_arena_.end(), k.begin(), k.end());
      placements_.emplace_back();
      r = index_.add(h);
    }
    const std::vector<std::uint32_t>& u = unknown.blocks();
    std::vector<std::uint32_t>& seen = placements_[r - 1];  // unknown blocks, one set after another
    for (std::size_t at = 0; at < seen.size(); at += unknown_blocks_) {
      bool subset = true;
      for (std::size_t j = 0; j < unknown_blocks_ && subset; ++j)
        subset = unknown.block_subset(seen[at + j], u[j]);
      if (subset) return false;
    }
    seen.insert(seen.end(), u.begin(), u.end());
    return true;
  }

private:
  std::size_t known_blocks_, unknown_blocks_;
  std::vector<std::uint64_t> states_;                    ///< per record: state, context
  std::vector<std::uint32_t> known_arena_;               ///< per record: known block numbers
  std::vector<std::vector<std::uint32_t>> placements_;  ///< per record: unknown sets seen
  record_index index_;
};

struct event {
  op_time time;
  bool is_return;
  std::uint32_t op;
};

} // namespace

search_result search(const std::vector<compact_op>& input, const std::optional<value_id>& initial,
                     budget& b, op_time* stuck_at) {
  // Values no operation compares the state with (no read observes them, no cas expects
  // them) are indistinguishable from each other: every operation behaves the same in all of
  // them. They are folded into one `anonymous` value, so that writes nobody reads collapse
  // into one state (and an unknown write of such a value over another is no change at all).
  std::unordered_set<value_id> compared;
  for (const compact_op& o : input) {
    if (o.cmd.expected) compared.insert(*o.cmd.expected);
    if (o.known && o.out.observed) compared.insert(*o.out.observed);
  }
  constexpr value_id anonymous = UINT32_MAX - 1;
  auto fold = [&](std::optional<value_id> v) {
    if (v && compared.count(*v) == 0) v = anonymous;
    return v;
  };
  std::vector<compact_op> ops = input;
  for (compact_op& o : ops)
    if (o.cmd.kind == op_kind::put || o.cmd.kind == op_kind::cas) o.cmd.value = *fold(o.cmd.value);

  // All events in time order. At equal times calls come first: touching intervals overlap,
  // which only ever allows more orders (a recorder's clock reads are not simultaneous).
  std::vector<event> events;
  events.reserve(ops.size() * 2);
  std::size_t remaining_known = 0;
  for (std::uint32_t i = 0; i < ops.size(); ++i) {
    const compact_op& o = ops[i];
    if (!o.known && o.cmd.kind == op_kind::get) continue;
    events.push_back({o.call, false, i});
    if (o.known) {
      events.push_back({o.ret, true, i});
      ++remaining_known;
    }
  }
  if (remaining_known == 0) return search_result::linearizable;
  std::sort(events.begin(), events.end(), [](const event& x, const event& y) {
    if (x.time != y.time) return x.time < y.time;
    if (x.is_return != y.is_return) return !x.is_return;
    return x.op < y.op;
  });

  // The list holds the events of known operations: node 0 is the head sentinel, nodes
  // 1..n in time order. Unknown operations are not in it (they would pile up at its front,
  // never forced out); each remembers the first node after its call instead.
  std::vector<event> list{event{0, false, nil}};
  std::vector<std::uint32_t> return_node(ops.size(), nil), first_node_after(ops.size(), nil);
  for (const event& e : events) {
    if (!ops[e.op].known) {
      first_node_after[e.op] = static_cast<std::uint32_t>(list.size());
      continue;
    }
    if (e.is_return) return_node[e.op] = static_cast<std::uint32_t>(list.size());
    list.push_back(e);
  }
  const auto n_nodes = static_cast<std::uint32_t>(list.size());
  std::vector<std::uint32_t> next(n_nodes), prev(n_nodes);
  for (std::uint32_t k = 0; k < n_nodes; ++k) {
    next[k] = k + 1 < n_nodes ? k + 1 : nil;
    prev[k] = k == 0 ? nil : k - 1;
  }
  auto unlink = [&](std::uint32_t k) {
    next[prev[k]] = next[k];
    if (next[k] != nil) prev[next[k]] = prev[k];
  };
  auto relink = [&](std::uint32_t k) {  // undoes unlink(k); only in reverse order of unlinks
    next[prev[k]] = k;
    if (next[k] != nil) prev[next[k]] = k;
  };

  // Unknown operations with the same command (after folding) are interchangeable: each can
  // be placed anywhere after its call, with the same effect. So the search only places the
  // earliest-called pending one of each class (an order that uses a later one can use the
  // earlier one instead), which keeps the branching at a point to the number of distinct
  // effects, not the number of clients that timed out.
  std::map<std::tuple<op_kind, value_id, std::uint64_t>, std::uint32_t> class_of_command;
  std::vector<std::vector<std::uint32_t>> members;  // per class, op indices in call order
  std::uint32_t delete_class = nil;
  std::vector<std::uint32_t> put_classes;
  std::unordered_map<value_id, std::uint32_t> put_class_of;                    // by value
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::uint32_t> cas_class_of;  // by (expected, new)
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> cas_expecting;  // by expected
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> cas_producing;  // by new value
  for (const event& e : events) {
    const compact_op& o = ops[e.op];
    if (o.known) continue;
    const std::uint64_t expected = encode(o.cmd.expected);
    auto key = std::make_tuple(o.cmd.kind, o.cmd.kind == op_kind::del ? 0 : o.cmd.value, expected);
    auto [it, fresh] = class_of_command.emplace(key, static_cast<std::uint32_t>(members.size()));
    if (fresh) {
      const auto c = static_cast<std::uint32_t>(members.size());
      members.emplace_back();
      if (o.cmd.kind == op_kind::del) {
        delete_class = c;
      } else if (o.cmd.kind == op_kind::put) {
        put_classes.push_back(c);
        put_class_of[o.cmd.value] = c;
      } else {
        cas_class_of[{expected, encode(o.cmd.value)}] = c;
        cas_expecting[expected].push_back(c);
        cas_producing[encode(o.cmd.value)].push_back(c);
      }
    }
    members[it->second].push_back(e.op);
  }
  std::vector<std::uint32_t> placed(members.size(), 0);  // each class's placed prefix

  // Known and unknown operations are numbered apart: the cache compares them differently.
  std::vector<std::uint32_t> number(ops.size(), 0);
  std::uint32_t n_known = 0, n_unknown = 0;
  for (std::uint32_t i = 0; i < ops.size(); ++i) number[i] = ops[i].known ? n_known++ : n_unknown++;
  linearized_set known_set(n_known), unknown_set(n_unknown);
  auto flip = [&](std::uint32_t i) { (ops[i].known ? known_set : unknown_set).flip(number[i]); };
  config_cache cache(known_set, unknown_set);

  // The candidates at each point are the operations called before the first return still
  // in the list (one called after a pending return must follow that operation). They are
  // tried in two passes: known outcomes first (walking the list), then one representative
  // per class of unknown operations, so that a linearizable history rarely places an
  // unknown operation it does not depend on.
  enum pass : std::uint8_t { known_pass, unknown_pass };
  struct frame {
    pass p;
    std::uint32_t where;         ///< known pass: the lifted call's node; unknown: the class
    std::uint32_t cursor;        ///< unknown pass: the class's place in the level's list
    std::uint32_t first_return;  ///< unknown pass: the first return node at that point
    std::optional<value_id> state;
  };
  std::vector<frame> stack;
  std::optional<value_id> state = fold(initial);
  pass p = known_pass;
  std::uint32_t node = next[0];  // known pass: the node to try
  std::uint32_t cursor = 0;      // unknown pass: the next class in the level's list
  std::optional<op_time> stuck;  // the latest return the search got stuck at

  // Whether class c has a pending member called before the first return at this point.
  std::uint32_t first_return = nil;
  auto available = [&](std::uint32_t c) {
    return placed[c] < members[c].size() && first_node_after[members[c][placed[c]]] <= first_return;
  };

  // The unknown pass at each depth tries only the classes that start a chain of unknown
  // operations ending in a state some known candidate needs (the normal form above: each
  // unknown operation is followed by one that depends on it, so a chain is a write and then
  // cas operations, each expecting the state the previous one left, and it ends in a known
  // operation illegal before the chain; a chain ending in a state the known operation is
  // already legal in could be dropped). Built when the pass starts, kept per depth for
  // backtracking.
  std::vector<std::vector<std::uint32_t>> unknown_lists;
  std::vector<std::uint64_t> reachable;  // encoded states: targets and what leads to them
  auto build_unknown_list = [&](std::vector<std::uint32_t>& out) {
    out.clear();
    reachable.clear();
    bool any_present = false;
    auto want = [&](const std::optional<value_id>& t) {
      const std::uint64_t e = encode(t);
      if (std::find(reachable.begin(), reachable.end(), e) == reachable.end()) reachable.push_back(e);
    };
    for (std::uint32_t k = next[0]; k != nil && !list[k].is_return; k = next[k]) {
      const compact_op& x = ops[list[k].op];
      if (step<value_id>(state, x.cmd, &x.out).legal) continue;
      switch (x.cmd.kind) {
        case op_kind::put: break;
        case op_kind::get: want(x.out.observed); break;
        case op_kind::cas:
          if (x.out.ok) want(x.cmd.expected);
          else if (x.out.observed != x.cmd.expected) want(x.out.observed);
          break;
        case op_kind::del:
          if (x.out.existed) any_present = true;
          else want(std::nullopt);
          break;
      }
    }
    // Backwards through available cas classes: a state from which one leads to a target.
    for (std::size_t r = 0; r < reachable.size(); ++r)
      if (auto it = cas_producing.find(reachable[r]); it != cas_producing.end())
        for (std::uint32_t c : it->second)
          if (available(c)) want(ops[members[c][0]].cmd.expected);
    // The first link: a class that leads from this state to one of those.
    const std::uint64_t here = encode(state);
    for (std::uint64_t e : reachable) {
      if (e == here) continue;
      if (e == 0) {
        if (delete_class != nil) out.push_back(delete_class);
      } else if (auto it = put_class_of.find(static_cast<value_id>(e - 1)); it != put_class_of.end()) {
        out.push_back(it->second);
      }
      if (auto it = cas_class_of.find({here, e}); it != cas_class_of.end()) out.push_back(it->second);
    }
    if (any_present && !state) {
      // A delete that found the key: any write will do (and a chain is never needed: its
      // first write alone makes the key present). A write of a value nobody compares with
      // is the one to spend: presence is all it can ever give, while another value may be
      // needed by a later read (an order that spends another can spend it instead).
      if (auto it = put_class_of.find(anonymous); it != put_class_of.end() && available(it->second)) {
        out.push_back(it->second);
      } else {
        out.insert(out.end(), put_classes.begin(), put_classes.end());
        if (auto c = cas_expecting.find(here); c != cas_expecting.end())
          out.insert(out.end(), c->second.begin(), c->second.end());
      }
    }
  };

  // Tries to make op i the next in the linearization; true if it was (a new configuration).
  auto try_place = [&](std::uint32_t i, std::uint32_t where) {
    const compact_op& o = ops[i];
    const basic_outcome<value_id>* out = o.known ? &o.out : nullptr;
    basic_step<value_id> s = step<value_id>(state, o.cmd, out);
    // An unknown operation is placed only where it changes the state: placing it where it
    // changes nothing is never better than leaving it pending.
    if (!s.legal || (!o.known && s.next == state)) return false;
    // Right after an unknown operation u, only an operation that depends on u may follow
    // (see the header: any other order can drop u or move it later). `before` is the state
    // u was placed in.
    const bool after_unknown = !stack.empty() && stack.back().p == unknown_pass;
    if (after_unknown) {
      basic_step<value_id> without = step<value_id>(stack.back().state, o.cmd, out);
      if (o.known ? without.legal : without.next == s.next) return false;
    }
    // The configuration includes that restriction: after an unknown operation, the state it
    // was placed in; otherwise none.
    const std::uint64_t context = o.known ? 0 : encode(state) + 1;
    flip(i);
    if (!cache.insert(known_set, unknown_set, encode(s.next), context)) {
      flip(i);
      return false;
    }
    stack.push_back({p, where, cursor, first_return, state});
    state = s.next;
    if (o.known) {
      unlink(where);
      unlink(return_node[i]);
      --remaining_known;
    } else {
      ++placed[where];
    }
    p = known_pass;
    node = next[0];
    return true;
  };

  for (;;) {
    if (remaining_known == 0) return search_result::linearizable;
    if (b.used >= b.max_steps || b.deadline_passed) return search_result::out_of_budget;
    if ((++b.used & 4095) == 0 && b.deadline && std::chrono::steady_clock::now() >= *b.deadline) {
      b.deadline_passed = true;
      return search_result::out_of_budget;
    }

    if (p == known_pass) {
      if (node != nil && !list[node].is_return) {
        if (!try_place(list[node].op, node)) node = next[node];
        continue;
      }
      p = unknown_pass;  // node is the first return in the list
      first_return = node;
      cursor = 0;
      if (unknown_lists.size() <= stack.size()) unknown_lists.resize(stack.size() + 1);
      build_unknown_list(unknown_lists[stack.size()]);
      continue;
    }

    if (const std::vector<std::uint32_t>& classes = unknown_lists[stack.size()]; cursor < classes.size()) {
      const std::uint32_t c = classes[cursor];
      if (available(c) && try_place(members[c][placed[c]], c)) continue;
      ++cursor;
      continue;
    }

    // Every candidate at this point failed: backtrack.
    if (stuck_at && first_return != nil) {
      if (!stuck || list[first_return].time > *stuck) stuck = list[first_return].time;
    }
    if (stack.empty()) {
      if (stuck_at && stuck) *stuck_at = *stuck;
      return search_result::not_linearizable;
    }
    const frame f = stack.back();
    stack.pop_back();
    state = f.state;
    p = f.p;
    if (f.p == known_pass) {
      const std::uint32_t i = list[f.where].op;
      relink(return_node[i]);
      relink(f.where);
      ++remaining_known;
      flip(i);
      node = next[f.where];
    } else {
      const std::uint32_t i = members[f.where][--placed[f.where]];
      flip(i);
      first_return = f.first_return;
      cursor = f.cursor + 1;
    }
  }
}

} // namespace raft::lincheck

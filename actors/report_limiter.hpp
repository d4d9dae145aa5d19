#pragma once
/// Rate limit for the reports a node makes about the messages it refuses (actors/endpoint.cpp).
/// CAF-free.
///
/// Invariants:
/// - At most one report per sender per `window`: a sender's reports are at least `window`
///   apart (also across being forgotten: a sender is forgotten only when its last report is
///   `window` old).
/// - Every rejection is accounted for exactly once: it is the subject of one report, or
///   counted in the `suppressed` of exactly one later report of its sender. So the sum over
///   all reports of 1 + suppressed equals the number of rejections, once `flush` has run
///   past the last window.
/// - Bounded memory: at most `capacity` senders are tracked, plus one shared entry for all
///   others; a flood of forged sender ids cannot grow it. While the table is full, the
///   rejections of untracked senders are reported together, with `from` empty, under the
///   same one-per-window limit.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/timing.hpp"
#include "messages/wire.hpp"

namespace raft {

template <class Detail>
class report_limiter {
public:
  struct report {
    /// The sender the claimed id names; empty for the untracked senders taken together.
    std::optional<peer_id> from;
    /// What the subject rejection was (the latest one of the sender when from `flush`).
    Detail detail;
    /// Rejections of this sender since its previous report that had no report of their own.
    std::uint64_t suppressed = 0;
  };

  report_limiter(std::size_t capacity, duration window) : capacity_(capacity), window_(window) {
  }

  /// Records a rejected message claiming to come from `from`. Returns the report to make now,
  /// or nothing when this sender was reported less than `window` ago; the rejection is then
  /// counted and reported by a later call (or by `flush`).
  std::optional<report> rejected(peer_id from, Detail detail, time_point now) {
    entry* e = find(from);
    if (e == nullptr) {
      if (tracked_senders() < capacity_) {
        entries_.push_back(entry{from, now, 0, detail});
        return report{from, std::move(detail), 0};
      }
      e = find(std::nullopt);
      if (e == nullptr) {
        entries_.push_back(entry{std::nullopt, now, 0, detail});
        return report{std::nullopt, std::move(detail), 0};
      }
    }
    if (now - e->last_report >= window_) {
      report r{e->from, std::move(detail), e->suppressed};
      e->last_report = now;
      e->suppressed = 0;
      return r;
    }
    ++e->suppressed;
    e->detail = std::move(detail);
    return std::nullopt;
  }

  /// The reports due at `now`: one for each sender whose window has passed with suppressed
  /// rejections (its latest one is the subject, the others are counted). Forgets the senders
  /// whose window has passed with none. Call it regularly while `tracked() > 0`, so no count
  /// waits long for a sender that has gone quiet.
  std::vector<report> flush(time_point now) {
    std::vector<report> due;
    for (auto& e : entries_) {
      if (now - e.last_report < window_ || e.suppressed == 0)
        continue;
      due.push_back(report{e.from, e.detail, e.suppressed - 1});
      e.last_report = now;
      e.suppressed = 0;
    }
    entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                  [&](const entry& e) {
                                    return e.suppressed == 0 && now - e.last_report >= window_;
                                  }),
                   entries_.end());
    return due;
  }

  /// Entries held, the shared one for untracked senders included (at most capacity + 1).
  std::size_t tracked() const {
    return entries_.size();
  }

private:
  struct entry {
    std::optional<peer_id> from;
    time_point last_report;
    std::uint64_t suppressed = 0;
    Detail detail;
  };

  entry* find(std::optional<peer_id> from) {
    auto i = std::find_if(entries_.begin(), entries_.end(),
                          [&](const entry& e) { return e.from == from; });
    return i == entries_.end() ? nullptr : &*i;
  }

  std::size_t tracked_senders() const {
    return static_cast<std::size_t>(std::count_if(
      entries_.begin(), entries_.end(), [](const entry& e) { return e.from.has_value(); }));
  }

  std::size_t capacity_;
  duration window_;
  std::vector<entry> entries_;
};

} // namespace raft

#include "storage/memory_log_store.hpp"

#include "storage/log_format.hpp"
#include "storage/state_file.hpp"

namespace raft {

struct memory_persister::shared {
  mutable std::mutex mtx;
  recovered_state state;
  std::uint64_t incarnation = 0;  ///< the only incarnation allowed to change `state`
  std::uint64_t syncs = 0;
};

namespace {

/// The same measure as disk_log_store: records after the snapshot plus the state file.
std::uint64_t persisted_size(const recovered_state& s) {
  std::uint64_t bytes = encode_state(s.current_term, s.voted_for).size();
  for (const auto& e : s.entries) bytes += log_format::record_size(e.command.size());
  return bytes;
}

} // namespace

memory_persister::memory_persister() : shared_(std::make_shared<shared>()) {}

std::shared_ptr<log_store> memory_persister::open() {
  std::lock_guard<std::mutex> guard{shared_->mtx};
  return std::make_shared<memory_log_store>(shared_, ++shared_->incarnation);
}

void memory_persister::crash() {
  std::lock_guard<std::mutex> guard{shared_->mtx};
  ++shared_->incarnation;
}

recovered_state memory_persister::persisted() const {
  std::lock_guard<std::mutex> guard{shared_->mtx};
  return shared_->state;
}

std::uint64_t memory_persister::size_bytes() const {
  std::lock_guard<std::mutex> guard{shared_->mtx};
  return persisted_size(shared_->state);
}

std::uint64_t memory_persister::syncs() const {
  std::lock_guard<std::mutex> guard{shared_->mtx};
  return shared_->syncs;
}

memory_log_store::memory_log_store(std::shared_ptr<memory_persister::shared> persisted,
                                   std::uint64_t incarnation)
    : persisted_(std::move(persisted)), incarnation_(incarnation) {}

void memory_log_store::usable(const char* call) const {
  if (incarnation_ != persisted_->incarnation)
    throw log_store_failed(std::string{"memory_log_store: "} + call +
                           " refused: this incarnation of the peer was crashed");
  if (!loaded_) throw std::logic_error(std::string{"memory_log_store: "} + call + " before load()");
}

recovered_state memory_log_store::load() {
  std::lock_guard<std::mutex> guard{persisted_->mtx};
  if (incarnation_ != persisted_->incarnation) usable("load");
  if (loaded_) throw std::logic_error("memory_log_store: load() called twice");
  const recovered_state& s = persisted_->state;
  std::vector<term_t> terms;
  for (const auto& e : s.entries) terms.push_back(e.term);
  shape_ = log_shape{s.current_term, s.snapshot_index, s.snapshot_term, std::move(terms)};
  loaded_ = true;
  return s;
}

void memory_log_store::save_hard_state(term_t current_term, std::optional<peer_id> voted_for) {
  std::lock_guard<std::mutex> guard{persisted_->mtx};
  usable("save_hard_state");
  shape_.check_hard_state(current_term);
  persisted_->state.current_term = current_term;
  persisted_->state.voted_for = voted_for;
  shape_.set_current_term(current_term);
}

void memory_log_store::append(log_index first, const log_entry* entries, std::size_t count) {
  std::lock_guard<std::mutex> guard{persisted_->mtx};
  usable("append");
  shape_.check_append(first, entries, count);
  buffered_.insert(buffered_.end(), entries, entries + count);
  shape_.append(entries, count);
}

void memory_log_store::truncate_suffix(log_index from) {
  std::lock_guard<std::mutex> guard{persisted_->mtx};
  usable("truncate_suffix");
  shape_.check_truncate(from);
  if (from > shape_.last_index()) return;
  const log_index persisted_last = persisted_->state.last_index();
  const log_index base = truncate_from_ ? *truncate_from_ - 1 : persisted_last;
  if (from > base) {
    buffered_.resize(static_cast<std::size_t>(from - base - 1));
  } else {
    buffered_.clear();
    truncate_from_ = from;
  }
  shape_.truncate(from);
}

void memory_log_store::sync() {
  std::lock_guard<std::mutex> guard{persisted_->mtx};
  usable("sync");
  sync_locked();
}

void memory_log_store::sync_locked() {
  if (!truncate_from_ && buffered_.empty()) return;
  auto& entries = persisted_->state.entries;
  if (truncate_from_)
    entries.resize(static_cast<std::size_t>(*truncate_from_ - persisted_->state.snapshot_index - 1));
  entries.insert(entries.end(), std::make_move_iterator(buffered_.begin()),
                 std::make_move_iterator(buffered_.end()));
  buffered_.clear();
  truncate_from_.reset();
  ++persisted_->syncs;
}

void memory_log_store::save_snapshot(log_index index, term_t term, std::string_view data) {
  std::lock_guard<std::mutex> guard{persisted_->mtx};
  usable("save_snapshot");
  shape_.check_snapshot(index, term);
  sync_locked();
  recovered_state& s = persisted_->state;
  if (index >= s.last_index())
    s.entries.clear();
  else
    s.entries.erase(s.entries.begin(), s.entries.begin() + static_cast<std::ptrdiff_t>(index - s.snapshot_index));
  s.snapshot_index = index;
  s.snapshot_term = term;
  s.snapshot = std::string{data};
  shape_.snapshot(index, term);
}

std::uint64_t memory_log_store::size_bytes() const {
  std::lock_guard<std::mutex> guard{persisted_->mtx};
  return persisted_size(persisted_->state);
}

} // namespace raft

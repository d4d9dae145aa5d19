#include "storage/disk_log_store.hpp"

#include <algorithm>
#include <numeric>

#include "storage/log_format.hpp"
#include "storage/state_file.hpp"

namespace raft {

namespace {

using log_format::segment_header_size;

std::string str(std::uint64_t v) { return std::to_string(v); }

} // namespace

void disk_log_store::init(fs& files, const std::string& data_dir) {
  if (!files.is_dir(data_dir))
    throw std::runtime_error(data_dir + ": no such data directory");
  const std::string log_dir = data_dir + "/" + log_dir_name;
  if (files.is_dir(log_dir) || files.read(log_dir))
    throw std::runtime_error(log_dir + ": already exists (an existing log is never replaced)");
  files.make_dir(log_dir);
  files.sync_dir(data_dir);
}

disk_log_store::disk_log_store(std::shared_ptr<fs> files, std::string data_dir,
                               std::shared_ptr<state_store> hard_state, disk_log_options options)
    : fs_(std::move(files)), data_dir_(std::move(data_dir)),
      log_dir_(data_dir_ + "/" + log_dir_name), hard_state_(std::move(hard_state)),
      options_(options) {
  if (!fs_ || !hard_state_) throw std::invalid_argument("disk_log_store: no file system or state store");
  if (options_.segment_bytes < segment_header_size + log_format::record_header_size)
    throw std::invalid_argument("disk_log_store: segment_bytes " + str(options_.segment_bytes) +
                                " cannot hold a record");
  if (!fs_->is_dir(log_dir_))
    throw corrupt_log(log_dir_, "no log directory: the data directory was never initialised, or "
                                "its log was lost (a peer must not start with an empty log after "
                                "acknowledging entries)");
  lock_ = fs_->lock(log_dir_);
}

disk_log_store::~disk_log_store() = default;

std::string disk_log_store::segment_path(log_index first) const {
  return log_dir_ + "/" + log_format::segment_name(first);
}

void disk_log_store::usable(const char* call) const {
  if (!failure_.empty())
    throw log_store_failed(log_dir_ + ": " + call + " refused: the log store stopped after a failure (" +
                           failure_ + "); restart to recover what is durable");
  if (!loaded_) throw std::logic_error(std::string{"disk_log_store: "} + call + " before load()");
}

void disk_log_store::fail(const std::exception& e) {
  if (failure_.empty()) failure_ = e.what();
  throw;
}

log_index disk_log_store::buffered_base() const {
  return truncate_from_ ? *truncate_from_ - 1 : written_last_;
}

fs_file& disk_log_store::tail() {
  if (!tail_) tail_ = fs_->open(segment_path(segments_.back().first), fs::open_mode::existing);
  return *tail_;
}

// ---------------------------------------------------------------------------------------------
// Recovery

recovered_state disk_log_store::load() {
  if (!failure_.empty()) usable("load");
  if (loaded_) throw std::logic_error("disk_log_store: load() called twice");

  recovered_state result;
  const persistent_state hard = hard_state_->load();
  result.current_term = hard.current_term;
  result.voted_for = hard.voted_for;
  hard_state_bytes_ = encode_state(hard.current_term, hard.voted_for).size();

  // The snapshot. Written by rename, so it is whole or absent; anything else is damage.
  const std::string snapshot_path = data_dir_ + "/" + snapshot_file_name;
  if (auto bytes = fs_->read(snapshot_path)) {
    auto snap = log_format::decode_snapshot(*bytes, snapshot_path);
    if (snap.term > hard.current_term)
      throw corrupt_log(snapshot_path, "snapshot term " + str(snap.term) + " is above the saved "
                                       "current term " + str(hard.current_term) +
                                       " (the state file is older than the snapshot)");
    result.snapshot_index = snap.index;
    result.snapshot_term = snap.term;
    result.snapshot = std::move(snap.data);
  }
  const log_index S = result.snapshot_index;

  // Segment names.
  std::vector<log_index> firsts;
  for (const auto& name : fs_->list(log_dir_)) {
    const auto first = log_format::parse_segment_name(name);
    if (!first)
      throw corrupt_log(log_dir_ + "/" + name, "not a log segment name (expected the first index "
                                               "as 20 digits and .seg, e.g. 00000000000000000001.seg)");
    firsts.push_back(*first);
  }
  std::sort(firsts.begin(), firsts.end());

  // Segments the snapshot covers entirely (the next one starts at or before S+1) are not read.
  std::size_t k0 = 0;
  while (k0 + 1 < firsts.size() && firsts[k0 + 1] <= S + 1) ++k0;
  std::vector<log_index> remove;  // segments to remove once everything was read
  remove.assign(firsts.begin(), firsts.begin() + static_cast<std::ptrdiff_t>(k0));

  if (k0 < firsts.size() && firsts[k0] > S + 1)
    throw corrupt_log(segment_path(firsts[k0]),
                      "the log starts at index " + str(firsts[k0]) + ", but " +
                          (S == 0 ? std::string{"there is no snapshot"}
                                  : "the snapshot ends at " + str(S)) +
                          ": entries " + str(S + 1) + ".." + str(firsts[k0] - 1) + " are missing");

  std::vector<segment> kept;
  std::vector<term_t> terms;
  std::vector<std::uint64_t> offsets;
  std::optional<std::pair<log_index, std::uint64_t>> torn;  // segment, where to cut
  log_index expected = k0 < firsts.size() ? firsts[k0] : S + 1;
  term_t previous_term = 0;
  for (std::size_t k = k0; k < firsts.size(); ++k) {
    const log_index first = firsts[k];
    const std::string path = segment_path(first);
    if (first != expected)
      throw corrupt_log(path, "the segment starts at index " + str(first) + ", but the one before it "
                              "ends at " + str(expected - 1) + " (entries must be contiguous)");
    const bool last = k + 1 == firsts.size();
    const auto bytes = fs_->read(path);
    if (!bytes) throw std::runtime_error(path + ": vanished while the log was read");
    const auto scan = log_format::scan_segment(*bytes, path, first, last);
    for (const auto& r : scan.records) {
      auto corrupt = [&](const std::string& what) { return corrupt_log(path, r.offset, r.index, what); };
      if (r.term == 0) throw corrupt("term 0 (terms start at 1)");
      if (r.term < previous_term)
        throw corrupt("term " + str(r.term) + " is lower than the previous entry's term " +
                      str(previous_term) + " (terms never decrease along a log)");
      if (r.term > hard.current_term)
        throw corrupt("term " + str(r.term) + " is above the saved current term " +
                      str(hard.current_term) + " (the state file is older than the log)");
      if (r.index == S && r.term != result.snapshot_term)
        throw corrupt("term " + str(r.term) + ", but the snapshot ending at this index has term " +
                      str(result.snapshot_term) + " (the log and the snapshot disagree)");
      if (r.index == S + 1 && r.term < result.snapshot_term)
        throw corrupt("term " + str(r.term) + " is lower than the snapshot's term " +
                      str(result.snapshot_term));
      previous_term = r.term;
      if (r.index <= S) continue;
      result.entries.push_back(log_entry{r.term, std::string{r.command}});
      terms.push_back(r.term);
      offsets.push_back(r.offset);
    }
    expected = first + scan.records.size();
    if (scan.torn) {
      torn.emplace(first, scan.valid_end);
      notes_.push_back(path + ": torn tail at offset " + str(scan.valid_end) + " (" + scan.torn_reason +
                       ", " + str(bytes->size() - scan.valid_end) + " bytes) cut off: the log ends at index " +
                       str(expected - 1));
    }
    const bool covered = scan.records.empty() || scan.records.back().index <= S;
    if (covered)
      remove.push_back(first);  // torn before its first record, or entirely in the snapshot
    else
      kept.push_back(segment{first, scan.valid_end});
  }

  // Everything was read and is consistent: now repair. Everything load returns is durable
  // when it returns: a process killed (not a power cut) before its fdatasync left records,
  // segment names or a snapshot rename that reads show but the disk may not hold yet; a peer
  // that trusted them could acknowledge an entry a later power cut takes away.
  try {
    if (!kept.empty()) {
      tail_ = fs_->open(segment_path(kept.back().first), fs::open_mode::existing);
      if (torn && torn->first == kept.back().first) tail_->truncate(torn->second);
      tail_->datasync();
    }
    for (auto it = remove.rbegin(); it != remove.rend(); ++it) fs_->remove(segment_path(*it));
    if (!remove.empty())
      notes_.push_back(log_dir_ + ": removed " + str(remove.size()) + " segment(s) holding no entry " +
                       "after index " + str(S));
    fs_->sync_dir(log_dir_);
    const std::string temp_path = data_dir_ + "/" + snapshot_temp_name;
    const auto names = fs_->list(data_dir_);
    if (std::find(names.begin(), names.end(), snapshot_temp_name) != names.end()) {
      fs_->remove(temp_path);
      notes_.push_back(temp_path + ": removed (a snapshot save that did not finish)");
    }
    fs_->sync_dir(data_dir_);
  } catch (const std::exception& e) {
    fail(e);
  }

  segments_ = std::move(kept);
  offsets_ = std::move(offsets);
  written_last_ = S + offsets_.size();
  shape_ = log_shape{hard.current_term, S, result.snapshot_term, std::move(terms)};
  loaded_ = true;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Changes

void disk_log_store::save_hard_state(term_t current_term, std::optional<peer_id> voted_for) {
  usable("save_hard_state");
  shape_.check_hard_state(current_term);
  try {
    hard_state_->save(current_term, voted_for);
  } catch (const std::exception& e) {
    fail(e);
  }
  shape_.set_current_term(current_term);
  hard_state_bytes_ = encode_state(current_term, voted_for).size();
}

void disk_log_store::append(log_index first, const log_entry* entries, std::size_t count) {
  usable("append");
  shape_.check_append(first, entries, count);
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t before = buffer_.size();
    log_format::append_record(buffer_, first + k, entries[k].term, entries[k].command);
    buffer_sizes_.push_back(buffer_.size() - before);
  }
  shape_.append(entries, count);
}

void disk_log_store::truncate_suffix(log_index from) {
  usable("truncate_suffix");
  shape_.check_truncate(from);
  if (from > shape_.last_index()) return;
  const log_index base = buffered_base();
  if (from > base) {  // only buffered records go
    const auto keep = static_cast<std::size_t>(from - base - 1);
    const std::uint64_t bytes = std::accumulate(buffer_sizes_.begin(),
                                                buffer_sizes_.begin() + static_cast<std::ptrdiff_t>(keep),
                                                std::uint64_t{0});
    buffer_.resize(static_cast<std::size_t>(bytes));
    buffer_sizes_.resize(keep);
  } else {  // written records go at the next sync; everything buffered follows them
    buffer_.clear();
    buffer_sizes_.clear();
    truncate_from_ = from;
  }
  shape_.truncate(from);
}

void disk_log_store::sync() {
  usable("sync");
  try {
    if (truncate_from_) apply_truncation(*truncate_from_);
    if (!buffer_sizes_.empty()) write_buffered();
    if (dir_dirty_) {
      fs_->sync_dir(log_dir_);
      dir_dirty_ = false;
    }
  } catch (const std::exception& e) {
    fail(e);
  }
}

void disk_log_store::apply_truncation(log_index from) {
  // 1. Whole segments at or after the cut, newest first; then make the removals durable, so
  //    that they can never come back after what follows is written.
  log_index last_kept = written_last_;  // the last entry the remaining segments hold
  bool removed = false;
  while (!segments_.empty() && segments_.back().first >= from) {
    tail_.reset();
    fs_->remove(segment_path(segments_.back().first));
    last_kept = segments_.back().first - 1;
    segments_.pop_back();
    removed = true;
  }
  if (removed) {
    fs_->sync_dir(log_dir_);
    dir_dirty_ = false;
  }
  // 2. The rest of the segment holding the cut, if the cut is inside it: ftruncate and
  //    fdatasync, before any new record is written to it.
  const auto kept = static_cast<std::size_t>(from - shape_.snapshot_index() - 1);
  if (!segments_.empty() && from <= last_kept) {
    const std::uint64_t cut = offsets_[kept];
    tail().truncate(cut);
    tail().datasync();
    segments_.back().size = cut;
  }
  offsets_.resize(kept);
  written_last_ = from - 1;
  truncate_from_.reset();
}

void disk_log_store::write_buffered() {
  std::size_t record = 0;      // the next buffered record to write
  std::uint64_t position = 0;  // where it starts in buffer_
  log_index index = written_last_ + 1;
  while (record < buffer_sizes_.size()) {
    std::string chunk;
    const bool roll = segments_.empty() ||
                      (segments_.back().size > segment_header_size &&
                       segments_.back().size + buffer_sizes_[record] > options_.segment_bytes);
    if (roll) {
      // The segment before was written and fdatasync'ed in full by an earlier round.
      tail_ = fs_->open(segment_path(index), fs::open_mode::create_new);
      segments_.push_back(segment{index, 0});
      chunk.assign(log_format::segment_magic);
    }
    segment& seg = segments_.back();
    std::uint64_t end = seg.size + chunk.size();
    const std::uint64_t start = position;
    std::vector<std::uint64_t> new_offsets;
    do {  // at least one record per segment, even one larger than segment_bytes
      new_offsets.push_back(end);
      end += buffer_sizes_[record];
      position += buffer_sizes_[record];
      ++record;
    } while (record < buffer_sizes_.size() && end + buffer_sizes_[record] <= options_.segment_bytes);
    chunk.append(buffer_, static_cast<std::size_t>(start), static_cast<std::size_t>(position - start));
    tail().write_at(seg.size, chunk);
    tail().datasync();
    if (roll) {
      fs_->sync_dir(log_dir_);  // the new segment's name: durable before any later segment
      dir_dirty_ = false;
    }
    seg.size = end;
    offsets_.insert(offsets_.end(), new_offsets.begin(), new_offsets.end());
    index += new_offsets.size();
    written_last_ = index - 1;
  }
  buffer_.clear();
  buffer_sizes_.clear();
}

void disk_log_store::save_snapshot(log_index index, term_t term, std::string_view data) {
  usable("save_snapshot");
  shape_.check_snapshot(index, term);
  sync();
  try {
    // Atomically replace the snapshot: a crash leaves the old one or the new one (§7).
    const std::string temp_path = data_dir_ + "/" + snapshot_temp_name;
    {
      auto file = fs_->open(temp_path, fs::open_mode::create_or_truncate);
      file->write_at(0, log_format::encode_snapshot(index, term, data));
      file->datasync();
    }
    fs_->rename(temp_path, data_dir_ + "/" + snapshot_file_name);
    fs_->sync_dir(data_dir_);

    // Discard the covered log: whole segments only; the covered prefix of the segment that
    // holds index+1 stays on disk and is skipped on load.
    const log_index S = shape_.snapshot_index();
    if (index >= written_last_) {
      tail_.reset();
      for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) fs_->remove(segment_path(it->first));
      dir_dirty_ = dir_dirty_ || !segments_.empty();
      segments_.clear();
      offsets_.clear();
      written_last_ = index;
    } else {
      while (segments_.size() >= 2 && segments_[1].first <= index + 1) {
        fs_->remove(segment_path(segments_.front().first));
        segments_.erase(segments_.begin());
        dir_dirty_ = true;
      }
      offsets_.erase(offsets_.begin(), offsets_.begin() + static_cast<std::ptrdiff_t>(index - S));
    }
  } catch (const std::exception& e) {
    fail(e);
  }
  shape_.snapshot(index, term);
}

std::uint64_t disk_log_store::size_bytes() const {
  std::uint64_t records = 0;
  if (!offsets_.empty()) {
    for (const auto& seg : segments_) records += seg.size - segment_header_size;
    records -= offsets_.front() - segment_header_size;  // the covered prefix of the first segment
  }
  return records + hard_state_bytes_;
}

} // namespace raft

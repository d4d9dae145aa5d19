#include "storage/crash_fs.hpp"

#include <algorithm>
#include <random>

namespace raft {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what, const char* reason) {
  throw std::runtime_error(path + ": " + what + ": " + reason);
}

} // namespace

/// A file handle: forwards to its crash_fs, and dies with the generation it was opened in.
class crash_file final : public fs_file {
public:
  crash_file(crash_fs& owner, std::size_t id, std::string path)
      : owner_(owner), id_(id), path_(std::move(path)), generation_(owner.generation_) {}

  void write_at(std::uint64_t offset, std::string_view data) override {
    alive();
    owner_.write_at(id_, path_, offset, data);
  }
  void truncate(std::uint64_t size) override {
    alive();
    owner_.truncate(id_, path_, size);
  }
  void datasync() override {
    alive();
    owner_.datasync(id_, path_);
  }
  std::uint64_t size() override {
    alive();
    owner_.check_power(path_);
    return owner_.nodes_[id_].current.size();
  }

private:
  void alive() const {
    if (generation_ != owner_.generation_)
      throw std::logic_error(path_ + ": crash_fs file handle used after a crash");
  }
  crash_fs& owner_;
  std::size_t id_;
  std::string path_;
  std::uint64_t generation_;
};

class crash_lock final : public fs_lock {
public:
  crash_lock(crash_fs& owner, std::string dir)
      : owner_(owner), dir_(std::move(dir)), generation_(owner.generation_) {}
  ~crash_lock() override {
    if (generation_ == owner_.generation_) owner_.locks_.erase(dir_);
  }

private:
  crash_fs& owner_;
  std::string dir_;
  std::uint64_t generation_;
};

crash_fs::crash_fs() {
  nodes_.emplace_back();
  nodes_[0].dir = true;
}

std::vector<std::string> crash_fs::split(const std::string& path) const {
  if (path.empty() || path[0] != '/')
    throw std::invalid_argument("crash_fs: path '" + path + "' is not absolute");
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string part = path.substr(start, end - start);
    if (part == "..") throw std::invalid_argument("crash_fs: '..' in path '" + path + "'");
    if (!part.empty() && part != ".") parts.push_back(part);
    start = end + 1;
  }
  return parts;
}

std::optional<std::size_t> crash_fs::find(const std::string& path) const {
  std::size_t id = 0;
  for (const auto& part : split(path)) {
    if (!nodes_[id].dir) return std::nullopt;
    const auto it = nodes_[id].entries.find(part);
    if (it == nodes_[id].entries.end()) return std::nullopt;
    id = it->second;
  }
  return id;
}

std::pair<std::size_t, std::string> crash_fs::parent_of(const std::string& path) {
  auto parts = split(path);
  if (parts.empty()) fail(path, "cannot change", "Is the root directory");
  std::string name = parts.back();
  parts.pop_back();
  std::size_t id = 0;
  for (const auto& part : parts) {
    const auto it = nodes_[id].entries.find(part);
    if (it == nodes_[id].entries.end()) fail(path, "cannot resolve", "No such file or directory");
    id = it->second;
    if (!nodes_[id].dir) fail(path, "cannot resolve", "Not a directory");
  }
  return {id, name};
}

void crash_fs::check_power(const std::string& path) const {
  if (powered_off_) throw power_cut(path + ": the power is off");
}

void crash_fs::mutate(const std::string& path, const char* what) {
  check_power(path);
  if (cut_after_) {
    if (*cut_after_ == 0) {
      powered_off_ = true;
      throw power_cut(path + ": power cut before " + what);
    }
    --*cut_after_;
  }
  ++mutations_;
}

std::unique_ptr<fs_file> crash_fs::open(const std::string& path, open_mode mode) {
  if (mode == open_mode::existing) {
    check_power(path);
    const auto id = find(path);
    if (!id) fail(path, "cannot open", "No such file or directory");
    if (nodes_[*id].dir) fail(path, "cannot open", "Is a directory");
    return std::make_unique<crash_file>(*this, *id, path);
  }
  mutate(path, "create");
  const auto [parent, name] = parent_of(path);
  auto& entries = nodes_[parent].entries;
  const auto it = entries.find(name);
  if (it != entries.end()) {
    if (mode == open_mode::create_new) fail(path, "cannot create", "File exists");
    if (nodes_[it->second].dir) fail(path, "cannot create", "Is a directory");
    node& n = nodes_[it->second];
    file_op op{true, 0, {}};
    apply(n.current, op);
    n.pending.push_back(std::move(op));
    return std::make_unique<crash_file>(*this, it->second, path);
  }
  nodes_.emplace_back();
  const std::size_t id = nodes_.size() - 1;
  nodes_[parent].entries[name] = id;
  return std::make_unique<crash_file>(*this, id, path);
}

std::optional<std::string> crash_fs::read(const std::string& path) {
  check_power(path);
  const auto id = find(path);
  if (!id) return std::nullopt;
  if (nodes_[*id].dir) fail(path, "cannot read", "Is a directory");
  return nodes_[*id].current;
}

bool crash_fs::is_dir(const std::string& path) {
  check_power(path);
  const auto id = find(path);
  return id && nodes_[*id].dir;
}

std::vector<std::string> crash_fs::list(const std::string& dir) {
  check_power(dir);
  const auto id = find(dir);
  if (!id) fail(dir, "cannot list directory", "No such file or directory");
  if (!nodes_[*id].dir) fail(dir, "cannot list directory", "Not a directory");
  std::vector<std::string> names;
  for (const auto& [name, child] : nodes_[*id].entries) names.push_back(name);
  return names;  // std::map keeps them sorted
}

void crash_fs::make_dir(const std::string& path) {
  mutate(path, "mkdir");
  const auto [parent, name] = parent_of(path);
  if (nodes_[parent].entries.count(name) != 0)
    fail(path, "cannot create directory", "File exists");
  nodes_.emplace_back();
  nodes_.back().dir = true;
  nodes_[parent].entries[name] = nodes_.size() - 1;
}

void crash_fs::rename(const std::string& from, const std::string& to) {
  mutate(from, "rename");
  const auto [from_parent, from_name] = parent_of(from);
  const auto [to_parent, to_name] = parent_of(to);
  const auto it = nodes_[from_parent].entries.find(from_name);
  if (it == nodes_[from_parent].entries.end())
    fail(from, "cannot rename to " + to, "No such file or directory");
  const std::size_t id = it->second;
  nodes_[from_parent].entries.erase(it);
  nodes_[to_parent].entries[to_name] = id;
}

void crash_fs::remove(const std::string& path) {
  mutate(path, "unlink");
  const auto [parent, name] = parent_of(path);
  const auto it = nodes_[parent].entries.find(name);
  if (it == nodes_[parent].entries.end()) fail(path, "cannot remove", "No such file or directory");
  if (nodes_[it->second].dir) fail(path, "cannot remove", "Is a directory");
  nodes_[parent].entries.erase(it);
}

void crash_fs::sync_dir(const std::string& dir) {
  mutate(dir, "fsync of the directory");
  const auto id = find(dir);
  if (!id || !nodes_[*id].dir) fail(dir, "cannot open directory", "No such file or directory");
  nodes_[*id].durable_entries = nodes_[*id].entries;
  ++dir_syncs_;
}

std::unique_ptr<fs_lock> crash_fs::lock(const std::string& dir) {
  check_power(dir);
  const auto id = find(dir);
  if (!id || !nodes_[*id].dir) fail(dir, "cannot open directory", "No such file or directory");
  std::string key;
  for (const auto& part : split(dir)) key += "/" + part;
  if (!locks_.insert(key).second)
    throw std::runtime_error(dir + ": in use by another log store (the directory is locked)");
  return std::make_unique<crash_lock>(*this, key);
}

void crash_fs::write_at(std::size_t id, const std::string& path, std::uint64_t offset,
                        std::string_view data) {
  mutate(path, "write");
  if (fail_write_) {
    fail_write_ = false;
    fail(path, "cannot write", "No space left on device");
  }
  file_op op{false, offset, std::string{data}};
  apply(nodes_[id].current, op);
  nodes_[id].pending.push_back(std::move(op));
}

void crash_fs::truncate(std::size_t id, const std::string& path, std::uint64_t size) {
  mutate(path, "truncate");
  file_op op{true, size, {}};
  apply(nodes_[id].current, op);
  nodes_[id].pending.push_back(std::move(op));
}

void crash_fs::datasync(std::size_t id, const std::string& path) {
  mutate(path, "fdatasync");
  node& n = nodes_[id];
  if (fail_datasync_) {
    fail_datasync_ = false;
    n.pending.clear();  // lost: reads still see them, the disk never will
    fail(path, "cannot fdatasync", "Input/output error");
  }
  for (const auto& op : n.pending) apply(n.durable, op);
  n.pending.clear();
  ++datasyncs_;
  ++datasyncs_by_path_[path];
}

std::size_t crash_fs::datasyncs_of(const std::string& path) const {
  const auto it = datasyncs_by_path_.find(path);
  return it == datasyncs_by_path_.end() ? 0 : it->second;
}

void crash_fs::apply(std::string& image, const file_op& op) {
  if (op.truncate) {
    image.resize(static_cast<std::size_t>(op.offset), '\0');
    return;
  }
  const auto offset = static_cast<std::size_t>(op.offset);
  if (image.size() < offset + op.data.size()) image.resize(offset + op.data.size(), '\0');
  image.replace(offset, op.data.size(), op.data);
}

std::uint64_t crash_fs::units(const file_op& op) { return op.truncate ? 1 : op.data.size(); }

void crash_fs::crash_with(const std::function<std::uint64_t(std::uint64_t)>& keep) {
  for (auto& n : nodes_) {
    if (n.dir) {
      n.entries = n.durable_entries;
      continue;
    }
    std::uint64_t total = 0;
    for (const auto& op : n.pending) total += units(op);
    std::uint64_t budget = total == 0 ? 0 : std::min(keep(total), total);
    for (const auto& op : n.pending) {
      if (budget == 0) break;
      if (units(op) <= budget) {
        apply(n.durable, op);
        budget -= units(op);
      } else {  // a torn write: only its first bytes reached the disk
        apply(n.durable, file_op{false, op.offset, op.data.substr(0, static_cast<std::size_t>(budget))});
        budget = 0;
      }
    }
    n.pending.clear();
    n.current = n.durable;
  }
  kill_process();
}

void crash_fs::kill_process() {
  locks_.clear();
  ++generation_;
  cut_after_.reset();
  powered_off_ = false;
  fail_datasync_ = false;
  fail_write_ = false;
}

void crash_fs::crash() {
  crash_with([](std::uint64_t) { return std::uint64_t{0}; });
}

void crash_fs::crash_torn(std::uint64_t seed) {
  std::mt19937_64 rng{seed};
  crash_with([&](std::uint64_t total) {
    return std::uniform_int_distribution<std::uint64_t>{0, total}(rng);
  });
}

void crash_fs::crash_keeping(std::uint64_t units_kept) {
  crash_with([&](std::uint64_t) { return units_kept; });
}

void crash_fs::power_cut_after(std::size_t n) {
  cut_after_ = n;
}

} // namespace raft

#include "bench/timed_fs.hpp"

#include <chrono>

namespace raft::bench {

namespace {

class timed_file final : public fs_file {
public:
  timed_file(std::unique_ptr<fs_file> real, bool sync, std::shared_ptr<timed_fs::counters> c)
    : real_(std::move(real)), sync_(sync), counters_(std::move(c)) {}

  void write_at(std::uint64_t offset, std::string_view data) override {
    real_->write_at(offset, data);
    ++counters_->writes;
    counters_->bytes_written += data.size();
  }
  void truncate(std::uint64_t size) override { real_->truncate(size); }
  void datasync() override {
    const auto start = std::chrono::steady_clock::now();
    counters_->datasync_start_ns.push_back(
      std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count());
    if (!sync_) {
      counters_->datasync_us.push_back(0);
      return;
    }
    real_->datasync();
    counters_->datasync_us.push_back(
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  }
  std::uint64_t size() override { return real_->size(); }

private:
  std::unique_ptr<fs_file> real_;
  bool sync_;
  std::shared_ptr<timed_fs::counters> counters_;
};

} // namespace

std::unique_ptr<fs_file> timed_fs::open(const std::string& path, open_mode mode) {
  return std::make_unique<timed_file>(real_.open(path, mode), sync_, counters_);
}

void timed_fs::sync_dir(const std::string& dir) {
  ++counters_->dir_syncs;
  if (sync_)
    real_.sync_dir(dir);
}

} // namespace raft::bench

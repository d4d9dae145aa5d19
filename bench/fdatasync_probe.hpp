#pragma once
/// The disk's fdatasync latency, measured as log-store-bench always has: append 100 bytes to
/// a file and fdatasync it, many times; the time of the fdatasync alone. It is the figure a
/// replication latency on the same disk should be read against.

#include <cstddef>
#include <string>
#include <vector>

namespace raft::bench {

/// Appends `record_bytes` to `path` (created or emptied) and times the fdatasync that
/// follows, `warmup + samples` times; returns the last `samples` times in microseconds. The
/// file is removed at the end. Throws std::runtime_error naming the path on failure.
std::vector<double> fdatasync_after_append(const std::string& path, std::size_t samples,
                                           std::size_t warmup = 20,
                                           std::size_t record_bytes = 100);

} // namespace raft::bench

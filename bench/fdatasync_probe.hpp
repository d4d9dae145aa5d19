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

/// The same with `writers` threads at once, each appending to and fdatasyncing a file of its
/// own (`path_prefix` + its number), as the peers of one cluster on one disk do; returns
/// every thread's samples together. On this VM's disk a lone fdatasync loop was sometimes
/// much slower (about 4 ms, in steps of 4 ms) than the same loop with others syncing beside
/// it (about 0.2 ms), so both are measured.
std::vector<double> fdatasync_after_append_concurrent(const std::string& path_prefix,
                                                      std::size_t writers, std::size_t samples,
                                                      std::size_t warmup = 20,
                                                      std::size_t record_bytes = 100);

} // namespace raft::bench

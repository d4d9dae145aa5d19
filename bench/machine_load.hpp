#pragma once
/// What else the machine was doing while a benchmark measured: the load average, and the
/// CPU time of given processes (from /proc), so a figure can be read against it.

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace raft::bench {

/// The 1, 5 and 15-minute load averages (/proc/loadavg); zeros when unreadable.
std::array<double, 3> load_average();

/// User + system CPU time of process `pid` so far, in seconds (/proc/PID/stat); nothing
/// when it cannot be read.
std::optional<double> process_cpu_seconds(pid_t pid);

/// User + system CPU time of this process so far, in seconds.
double own_cpu_seconds();

/// Context switches of every thread of process `pid` so far, voluntary and not (summed over
/// /proc/PID/task/*/status): each voluntary one is a thread that blocked, to be woken by a
/// message, a timer or the disk.
std::optional<std::uint64_t> process_context_switches(pid_t pid);

/// User + system + other busy time of the whole machine and its total time, in seconds
/// summed over cores (/proc/stat's first line): the share busy between two readings is
/// (busy2 - busy1) / (total2 - total1).
struct machine_cpu {
  double busy = 0;
  double total = 0;
};
machine_cpu machine_cpu_now();

/// Where a benchmark's files went and what ran it: the file system's magic number of `dir`
/// ("0x…", statfs) and the kernel release (uname), so that fdatasync figures can be read
/// against the file system and kernel they were measured on.
struct disk_facts {
  std::string fs_magic;
  std::string kernel;
};
disk_facts disk_facts_of(const std::string& dir);

} // namespace raft::bench

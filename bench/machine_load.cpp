#include "bench/machine_load.hpp"

#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace raft::bench {

std::array<double, 3> load_average() {
  std::array<double, 3> l{0, 0, 0};
  std::ifstream in{"/proc/loadavg"};
  in >> l[0] >> l[1] >> l[2];
  return l;
}

std::optional<double> process_cpu_seconds(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string line;
  if (!std::getline(in, line))
    return std::nullopt;
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  auto close = line.rfind(')');
  if (close == std::string::npos)
    return std::nullopt;
  std::istringstream rest{line.substr(close + 2)};
  std::string field;
  double utime = 0, stime = 0;
  for (int k = 3; k <= 15 && rest >> field; ++k) {
    if (k == 14)
      utime = std::stod(field);
    if (k == 15)
      stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::optional<std::uint64_t> process_context_switches(pid_t pid) {
  std::error_code ec;
  std::uint64_t total = 0;
  bool any = false;
  for (auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in{task.path() / "status"};
    std::string line;
    while (std::getline(in, line))
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0 ||
          line.rfind("nonvoluntary_ctxt_switches:", 0) == 0) {
        total += std::stoull(line.substr(line.find(':') + 1));
        any = true;
      }
  }
  if (ec || !any)
    return std::nullopt;
  return total;
}

double own_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

machine_cpu machine_cpu_now() {
  std::ifstream in{"/proc/stat"};
  std::string cpu;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  const auto tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  machine_cpu m;
  m.busy = (user + nice + system + irq + softirq + steal) / tick;
  m.total = m.busy + (idle + iowait) / tick;
  return m;
}

disk_facts disk_facts_of(const std::string& dir) {
  struct statfs sfs {};
  ::statfs(dir.c_str(), &sfs);
  struct utsname un {};
  ::uname(&un);
  char fs_type[32];
  std::snprintf(fs_type, sizeof fs_type, "0x%lx", static_cast<unsigned long>(sfs.f_type));
  return {fs_type, un.release};
}

} // namespace raft::bench

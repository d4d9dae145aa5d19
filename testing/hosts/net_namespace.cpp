#include "net_namespace.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "system_command.hpp"

namespace raft::hosts {

namespace {

constexpr const char* family = "rafth-";

/// The names owned by live net_namespace objects of this process.
std::set<std::string>& owned() {
  static std::set<std::string> names;
  return names;
}

std::mutex& owned_mutex() {
  static std::mutex m;
  return m;
}

/// The pid in `rafth-<pid>-...`, 0 when the name does not have that form.
pid_t pid_of(const std::string& name) {
  if (name.rfind(family, 0) != 0)
    return 0;
  auto start = std::string(family).size();
  auto dash = name.find('-', start);
  if (dash == std::string::npos || dash == start)
    return 0;
  auto digits = name.substr(start, dash - start);
  if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9)
    return 0;
  return static_cast<pid_t>(std::stol(digits));
}

bool process_alive(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

/// SIGKILLs every process inside namespace `name` (`ip netns pids`).
void kill_inside(const std::string& name) {
  std::istringstream pids{run_checked({require_tool("ip"), "netns", "pids", name})};
  long pid = 0;
  while (pids >> pid)
    if (pid > 1)
      ::kill(static_cast<pid_t>(pid), SIGKILL);
}

} // namespace

void remove_namespace(const std::string& name) {
  try {
    kill_inside(name);
    run_checked({require_tool("ip"), "netns", "delete", name});
  } catch (const std::exception&) {
    // Another test process may have removed the same leftover at the same moment.
    auto all = test_namespaces();
    if (std::find(all.begin(), all.end(), name) != all.end())
      throw;
  }
}

std::string run_prefix() {
  return family + std::to_string(::getpid()) + "-";
}

std::vector<std::string> test_namespaces() {
  std::vector<std::string> out;
  std::istringstream lines{run_checked({require_tool("ip"), "netns", "list"})};
  std::string line;
  while (std::getline(lines, line)) {
    auto name = line.substr(0, line.find(' ')); // "NAME (id: 3)" or "NAME"
    if (name.rfind(family, 0) == 0)
      out.push_back(name);
  }
  return out;
}

void remove_leftovers() {
  auto mine = run_prefix();
  for (auto& name : test_namespaces()) {
    auto pid = pid_of(name);
    bool stale = false;
    if (name.rfind(mine, 0) == 0) {
      std::lock_guard<std::mutex> lock{owned_mutex()};
      stale = owned().count(name) == 0;
    } else {
      stale = pid > 0 && !process_alive(pid);
    }
    if (stale)
      remove_namespace(name);
  }
}

net_namespace::net_namespace(const std::string& suffix) : name_(run_prefix() + suffix) {
  run_checked({require_tool("ip"), "netns", "add", name_});
  std::lock_guard<std::mutex> lock{owned_mutex()};
  owned().insert(name_);
}

net_namespace::~net_namespace() {
  try {
    remove_namespace(name_);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "test network: cannot remove namespace %s: %s\n", name_.c_str(),
                 e.what());
  }
  std::lock_guard<std::mutex> lock{owned_mutex()};
  owned().erase(name_);
}

std::vector<std::string> net_namespace::exec_prefix() const {
  return {require_tool("ip"), "netns", "exec", name_};
}

void net_namespace::ip(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{require_tool("ip"), "-n", name_};
  argv.insert(argv.end(), args.begin(), args.end());
  run_checked(argv);
}

namespace_entry::namespace_entry(const net_namespace& ns) {
  home_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home_ < 0)
    throw std::runtime_error(std::string("open /proc/thread-self/ns/net: ") +
                             std::strerror(errno));
  const auto path = "/run/netns/" + ns.name();
  const int target = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0 || ::setns(target, CLONE_NEWNET) != 0) {
    const int err = errno;
    if (target >= 0)
      ::close(target);
    ::close(home_);
    throw std::runtime_error("enter " + path + ": " + std::strerror(err));
  }
  ::close(target);
}

namespace_entry::~namespace_entry() {
  if (::setns(home_, CLONE_NEWNET) != 0)
    std::fprintf(stderr, "test network: cannot return to the original namespace: %s\n",
                 std::strerror(errno));
  ::close(home_);
}

} // namespace raft::hosts

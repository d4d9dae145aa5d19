#pragma once
/// Named Linux network namespaces (`ip netns`) owned by the test that creates them.
///
/// Every name starts with `rafth-<pid>-`, the pid of the test process, so concurrent test
/// processes never collide and a leftover can be traced to the process that made it. A
/// namespace is removed by its owner's destructor, also when a test fails or throws; the
/// namespaces of a test process that was killed before it could clean up (SIGKILL, a ctest
/// time-out) are removed by remove_leftovers(), which every new test network calls first.

#include <string>
#include <vector>

namespace raft::hosts {

/// `rafth-<pid>-`: the start of the name of every namespace this process creates.
std::string run_prefix();

/// Removes every `rafth-<pid>-*` namespace whose process is gone, and those of this process
/// that no live net_namespace owns: SIGKILLs the processes still inside, then deletes it.
/// Throws when a command fails.
void remove_leftovers();

/// SIGKILLs the processes inside namespace `name`, then deletes it. Throws when a command
/// fails, unless the namespace is gone anyway (another test process removed it).
void remove_namespace(const std::string& name);

/// The names of the existing `rafth-*` namespaces (`ip netns list`).
std::vector<std::string> test_namespaces();

/// One network namespace, created by the constructor (`ip netns add`) and deleted by the
/// destructor after SIGKILL to any process still inside. Interfaces and addresses made
/// inside it vanish with it.
class net_namespace {
public:
  /// Creates `run_prefix() + suffix`; throws when `ip` fails.
  explicit net_namespace(const std::string& suffix);
  net_namespace(const net_namespace&) = delete;
  net_namespace& operator=(const net_namespace&) = delete;
  /// Never throws: a failure is printed to stderr (remove_leftovers() retries it later).
  ~net_namespace();

  const std::string& name() const { return name_; }
  /// `ip netns exec NAME`: put before a program's argv to run it inside (ip execs it in
  /// place, so the pid is the program's own).
  std::vector<std::string> exec_prefix() const;
  /// `ip -n NAME ARGS...` to completion; throws when it fails.
  void ip(const std::vector<std::string>& args) const;

private:
  std::string name_;
};

/// The calling thread inside namespace `ns` for this object's lifetime (setns), and back in
/// the namespace it was in afterwards. Sockets the thread opens meanwhile, and threads it
/// starts (which keep the namespace they were started in), belong to `ns`: a test process
/// can so run clients on a test host without a helper program. Only the calling thread
/// moves, never the process's main thread alone or other threads; construct and destroy it
/// on the same thread. Throws when the namespace cannot be entered.
class namespace_entry {
public:
  explicit namespace_entry(const net_namespace& ns);
  namespace_entry(const namespace_entry&) = delete;
  namespace_entry& operator=(const namespace_entry&) = delete;
  /// Back to the namespace of the construction; a failure is printed to stderr.
  ~namespace_entry();

private:
  int home_ = -1; ///< the namespace the thread came from (an open /proc/thread-self/ns/net)
};

} // namespace raft::hosts

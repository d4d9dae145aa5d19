#include "apps/hook_runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <vector>

extern char** environ;

namespace raft {

namespace {

using clock = std::chrono::steady_clock;

/// raft-node's environment without any RAFT_* variable of ours, plus the job's.
std::vector<std::string> environment_for(peer_id self, const hook_job& job) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string var = *e;
    bool ours = false;
    for (const char* name : {"RAFT_NODE_ID=", "RAFT_TERM=", "RAFT_ROLE=", "RAFT_LEADER="})
      ours = ours || var.rfind(name, 0) == 0;
    if (!ours)
      env.push_back(std::move(var));
  }
  env.push_back("RAFT_NODE_ID=" + std::to_string(self));
  env.push_back("RAFT_TERM=" + std::to_string(job.term));
  env.push_back("RAFT_ROLE=" + std::string(to_string(job.role)));
  env.push_back("RAFT_LEADER=" + (job.leader ? std::to_string(*job.leader) : std::string()));
  return env;
}

/// Starts `/bin/sh -c command` in a new process group; returns its pid (= its group id) or
/// the error number.
std::pair<pid_t, int> spawn_shell(const std::string& command, std::vector<std::string> env) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                    POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none); // raft-node blocks its stop signals
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&files, STDERR_FILENO, STDOUT_FILENO);
  std::vector<char*> argv{const_cast<char*>("sh"), const_cast<char*>("-c"),
                          const_cast<char*>(command.c_str()), nullptr};
  std::vector<char*> envp;
  for (auto& e : env)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  int err = posix_spawn(&pid, "/bin/sh", &files, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  return {err == 0 ? pid : -1, err};
}

} // namespace

hook_runner::hook_runner(peer_id self, hook_settings settings,
                         std::function<void(const hook_report&)> report)
    : self_(self), settings_(std::move(settings)), report_(std::move(report)) {
  thread_ = std::thread([this] { run(); });
}

hook_runner::~hook_runner() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void hook_runner::role_changed(raft::role r, term_t term, std::optional<peer_id> leader) {
  hook_job job;
  job.role = r;
  job.term = term;
  job.leader = leader;
  if (r == raft::role::leader) {
    if (told_role_ == raft::role::leader && told_term_ == term)
      return;
    job.hook = "on_leader";
    job.command = settings_.on_leader;
  } else if (r == raft::role::follower) {
    const bool new_leader = leader && leader != told_leader_;
    if (told_role_ == raft::role::follower && !new_leader)
      return;
    job.hook = "on_follower";
    job.command = settings_.on_follower;
  } else {
    return; // a candidacy runs nothing
  }
  told_role_ = r;
  told_term_ = term;
  told_leader_ = leader;
  // Queued even without a command: it still cancels a hook of the role the node left.
  {
    std::lock_guard<std::mutex> guard{mtx_};
    pending_ = std::move(job);
  }
  cv_.notify_all();
}

void hook_runner::run() {
  std::unique_lock<std::mutex> lock{mtx_};
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || pending_; });
    if (stopping_)
      return;
    hook_job job = std::move(*pending_);
    pending_.reset();
    if (job.command.empty())
      continue; // no hook for this role
    auto r = execute(job, lock);
    lock.unlock();
    if (report_)
      report_(r);
    lock.lock();
  }
}

hook_report hook_runner::execute(const hook_job& job, std::unique_lock<std::mutex>& lock) {
  hook_report r;
  r.job = job;
  const auto start = clock::now();
  auto [pid, err] = spawn_shell(job.command, environment_for(self_, job));
  if (pid < 0) {
    r.outcome = "not_started";
    r.detail = std::string("cannot start /bin/sh: ") + std::strerror(err);
    return r;
  }
  const auto deadline = start + settings_.timeout;
  for (;;) {
    int st = 0;
    if (::waitpid(pid, &st, WNOHANG) == pid) {
      r.outcome = "exited";
      if (WIFEXITED(st))
        r.status = WEXITSTATUS(st);
      else if (WIFSIGNALED(st))
        r.signal = WTERMSIG(st);
      break;
    }
    const bool newer = pending_.has_value() || stopping_;
    if (newer || clock::now() >= deadline) {
      ::kill(-pid, SIGKILL); // the whole group: the shell and whatever it started
      ::waitpid(pid, &st, 0);
      if (newer) {
        r.outcome = "cancelled";
        r.detail = stopping_ ? "the node is stopping"
                             : "a newer transition: " + pending_->hook + " in term " +
                                 std::to_string(pending_->term);
      } else {
        r.outcome = "killed";
        r.detail = "still running after timeout_ms = " +
                   std::to_string(settings_.timeout.count());
      }
      break;
    }
    // Woken at once by a newer transition or stop; otherwise look at the child every 10 ms.
    cv_.wait_for(lock, std::chrono::milliseconds(10),
                 [this] { return pending_.has_value() || stopping_; });
  }
  r.took = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start);
  return r;
}

} // namespace raft

// fork/exec with limits. Between fork and exec the child only makes async-signal-safe calls, since the
// grader may run several of these from threads.
#include "process.h"

#include <algorithm>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

extern char** environ;

namespace attnkata {

namespace {

void set_limit(int resource, long soft, long hard) {
  if (soft <= 0) return;
  const rlimit lim{static_cast<rlim_t>(soft), static_cast<rlim_t>(hard)};
  setrlimit(resource, &lim);
}

}  // namespace

RunOutcome run_process(const RunSpec& spec) {
  RunOutcome outcome;
  // Everything the child needs is prepared before fork.
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  // the caller's NAME=value entries replace inherited ones of the same name
  auto name_of = [](const std::string& e) { return e.substr(0, e.find('=')); };
  for (char** e = environ; *e; ++e)
    if (std::none_of(spec.env.begin(), spec.env.end(), [&](const std::string& x) { return name_of(x) == name_of(*e); }))
      env_storage.emplace_back(*e);
  for (const auto& e : spec.env) env_storage.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  const int out_fd = ::open(spec.output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0) {
    outcome.error = "cannot create " + spec.output_file.string() + ": " + std::strerror(errno);
    return outcome;
  }
  int result_fd = -1;
  if (!spec.result_file.empty()) {
    result_fd = ::open(spec.result_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (result_fd < 0) {
      outcome.error = "cannot create " + spec.result_file.string() + ": " + std::strerror(errno);
      ::close(out_fd);
      return outcome;
    }
  }
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  // exec reports its own failure: the child writes errno into this close-on-exec pipe, so the parent reads
  // either nothing (exec succeeded) or why the program could not start, never confusing it with an exit code
  int exec_pipe[2] = {-1, -1};
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    outcome.error = std::string("cannot create a pipe: ") + std::strerror(errno);
    ::close(out_fd);
    if (result_fd >= 0) ::close(result_fd);
    if (null_fd >= 0) ::close(null_fd);
    return outcome;
  }

  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(out_fd, STDERR_FILENO);
    if (result_fd >= 0) ::dup2(result_fd, 3);  // dup2 clears FD_CLOEXEC on the copy
    auto fail = [&](int err) {
      [[maybe_unused]] const ssize_t w = ::write(exec_pipe[1], &err, sizeof err);
      ::_exit(127);
    };
    if (!spec.working_dir.empty() && ::chdir(spec.working_dir.c_str()) != 0) fail(errno);
    // the CPU limit's soft part sends SIGXCPU (a time limit the grader recognises); the hard part, a second
    // later, SIGKILLs a program that ignores it
    set_limit(RLIMIT_CPU, spec.cpu_seconds, spec.cpu_seconds + 1);
    set_limit(RLIMIT_AS, spec.memory_bytes, spec.memory_bytes);
    set_limit(RLIMIT_FSIZE, spec.file_bytes, spec.file_bytes);
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::signal(SIGXFSZ, SIG_DFL);
    ::signal(SIGXCPU, SIG_DFL);
    ::execve(argv[0], argv.data(), envp.data());
    fail(errno);
  }
  ::close(exec_pipe[1]);
  ::close(out_fd);
  if (result_fd >= 0) ::close(result_fd);
  if (null_fd >= 0) ::close(null_fd);
  if (pid < 0) {
    outcome.error = std::string("cannot start a process: ") + std::strerror(errno);
    ::close(exec_pipe[0]);
    return outcome;
  }
  ::setpgid(pid, pid);  // also from the parent, so the group exists before any kill below
  int exec_errno = 0;
  ssize_t got;
  do got = ::read(exec_pipe[0], &exec_errno, sizeof exec_errno);
  while (got < 0 && errno == EINTR);
  ::close(exec_pipe[0]);
  if (got == sizeof exec_errno) {  // exec (or chdir) failed: reap the child, report why
    int ignored;
    ::waitpid(pid, &ignored, 0);
    outcome.error = "cannot execute " + spec.argv[0] + ": " + std::strerror(exec_errno);
    return outcome;
  }
  outcome.started = true;

  // Wait, polling with a short sleep; at the wall limit kill the whole group.
  int status = 0;
  rusage usage{};
  auto sleep = std::chrono::microseconds(200);
  for (;;) {
    const pid_t r = ::wait4(pid, &status, WNOHANG, &usage);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) break;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (spec.cancel && spec.cancel->load()) {
      outcome.cancelled = true;
      ::kill(-pid, SIGKILL);
      ::wait4(pid, &status, 0, &usage);
      break;
    }
    if (elapsed > spec.wall_seconds) {
      outcome.timed_out = true;
      ::kill(-pid, SIGKILL);
      ::wait4(pid, &status, 0, &usage);
      break;
    }
    std::this_thread::sleep_for(sleep);
    sleep = std::min(sleep * 2, std::chrono::microseconds(5000));
  }
  ::kill(-pid, SIGKILL);  // whatever the child left running in its group
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  outcome.cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  outcome.peak_rss_kib = usage.ru_maxrss;
  return outcome;
}

std::string describe_signal(int signal) {
  switch (signal) {
    case SIGSEGV:
      return "SIGSEGV (segmentation fault: a bad pointer or an index out of range)";
    case SIGABRT:
      return "SIGABRT (abort: std::terminate, a failed assert or a corrupted heap)";
    case SIGFPE:
      return "SIGFPE (arithmetic error, such as an integer division by zero)";
    case SIGBUS:
      return "SIGBUS (bus error: a misaligned or unmapped access)";
    case SIGILL:
      return "SIGILL (illegal instruction)";
    case SIGKILL:
      return "SIGKILL (killed)";
    case SIGXCPU:
      return "SIGXCPU (CPU time limit)";
    case SIGXFSZ:
      return "SIGXFSZ (output file size limit)";
    default:
      return std::string("signal ") + std::to_string(signal) + " (" + strsignal(signal) + ")";
  }
}

}  // namespace attnkata

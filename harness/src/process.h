// Running a child process under limits: its own process group (killed whole at the wall limit), rlimits set
// before exec, stdout and stderr into one file, optionally one extra descriptor for results.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

namespace attnkata {

struct RunSpec {
  std::vector<std::string> argv;      // argv[0] is the program path
  std::vector<std::string> env;       // "KEY=value" added to the inherited environment
  std::filesystem::path output_file;  // stdout and stderr (truncated first)
  std::filesystem::path result_file;  // opened as the child's descriptor 3 when not empty
  std::filesystem::path working_dir;  // empty: inherit
  double wall_seconds = 10;
  long cpu_seconds = 0;   // 0: no limit (RLIMIT_CPU: SIGXCPU at this many seconds, SIGKILL one second later)
  long memory_bytes = 0;  // 0: no limit (RLIMIT_AS)
  long file_bytes = 0;    // 0: no limit (RLIMIT_FSIZE)
  const std::atomic<bool>* cancel = nullptr;  // when it becomes true, the process group is killed
};

struct RunOutcome {
  bool started = false;    // false: fork or exec failed (error says why); the program never ran
  bool timed_out = false;  // killed at the wall limit
  bool cancelled = false;  // killed because spec.cancel became true
  int exit_code = -1;      // when it exited normally
  int signal = 0;          // when a signal ended it (SIGKILL after timed_out, SIGXCPU at the CPU limit, ...)
  double seconds = 0;      // wall time
  double cpu_seconds = 0;  // user + system time of the child and the descendants it waited for (wait4)
  long peak_rss_kib = 0;   // the child's (or a waited-for descendant's) largest resident set
  std::string error;
};

RunOutcome run_process(const RunSpec& spec);

// "SIGSEGV (segmentation fault)"
std::string describe_signal(int signal);

}  // namespace attnkata

// Explanations of verdicts, for people.
#include "explain.h"

#include <csignal>
#include <cstdio>

namespace attnkata {

std::string fmt_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s == static_cast<long>(s) ? "%.0f s" : "%.1f s", s);
  return buf;
}

std::string describe_run_end(const RunOutcome& o, const Limits& limits, bool out_of_memory) {
  if (out_of_memory)
    return "ran out of memory (the limit is " + std::to_string(limits.memory_mib) +
           " MiB of address space: a matrix far larger than the inputs, or allocation in a loop?)";
  if (o.timed_out)
    return "ran past the " + fmt_seconds(limits.wall_seconds) + " limit (an infinite loop, or far too slow)";
  if (o.signal == SIGXCPU || (o.signal == SIGKILL && o.cpu_seconds >= limits.cpu_seconds))
    return "used more than " + fmt_seconds(limits.cpu_seconds) + " of CPU time (an infinite loop, or far too slow)";
  if (o.signal == SIGXFSZ) return "printed more than the output limit";
  if (o.signal != 0) return "crashed with " + describe_signal(o.signal);
  return "ended the program (exit code " + std::to_string(o.exit_code) +
         ") before the tests finished: do not call exit, _exit, quick_exit or abort";
}

std::string verdict_summary(Verdict v, const RunOutcome& main_run, const Limits& limits, long peak_rss_kib,
                            const std::string& where, bool reran) {
  const std::string in = where.empty() ? "" : where.front() == '(' ? " " + where : " in test '" + where + "'";
  std::string line;
  switch (v) {
    case Verdict::memory_limit:
      line = "your code ran out of memory: it needed more than the " + std::to_string(limits.memory_mib) +
             " MiB limit (peak resident " + std::to_string(peak_rss_kib >> 10) + " MiB)" + in;
      break;
    case Verdict::time_limit:
    case Verdict::runtime_error:
      line = "your code " + describe_run_end(main_run, limits, false) + in;
      break;
    case Verdict::output_limit:
      line = "your code printed more than " + std::to_string(limits.output_kib) + " KiB" + in;
      break;
    default:
      return "";
  }
  if (reran) line += "; the other tests were run one by one to keep their points";
  return line;
}

std::string compile_summary(bool timed_out) {
  return timed_out ? "the compiler ran past 120 s" : "it does not compile";
}

std::string link_summary(const std::set<std::string>& missing) {
  std::string summary = "it does not link";
  if (missing.empty()) return summary;
  summary += ": your file does not define";
  for (const auto& name : missing) summary += " " + name + "()";
  return summary + " (keep every function of the stub, with its exact signature)";
}

}  // namespace attnkata

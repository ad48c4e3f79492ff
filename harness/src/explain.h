// The grader's words to the learner: why a run ended, what a verdict means here. Prose only; no decisions.
#pragma once

#include <set>
#include <string>

#include "catalog.h"
#include "process.h"
#include "result.h"

namespace attnkata {

// "ran past the 10 s limit (an infinite loop, or far too slow)", "crashed with SIGSEGV (...)"
std::string describe_run_end(const RunOutcome& o, const Limits& limits, bool out_of_memory);

// The summary line for a verdict reached after running; where is the test the run died in ("" if none,
// "(before the first test)" when it died before any).
std::string verdict_summary(Verdict v, const RunOutcome& main_run, const Limits& limits, long peak_rss_kib,
                            const std::string& where, bool reran);

std::string compile_summary(bool timed_out);
std::string link_summary(const std::set<std::string>& missing_functions);

// "10 s", "2.5 s"
std::string fmt_seconds(double seconds);

}  // namespace attnkata

// Verdict policy: from what the runs did and what the tests reported to one verdict, and points from the trusted
// declarations. Pure functions, covered by the unit tests.
#pragma once

#include <vector>

#include "catalog.h"
#include "channel.h"
#include "result.h"

namespace attnkata {

// What the verdict depends on, gathered from the main run (and, for memory, from every run and test).
struct RunEvidence {
  bool complete = false;       // final record present and every expected test reported exactly once
  bool timed_out = false;      // killed at the wall limit
  bool cpu_limit = false;      // stopped at the CPU limit (SIGXCPU, or SIGKILL with the CPU time used up)
  bool out_of_memory = false;  // std::bad_alloc reported, or killed with its resident set at the memory limit
  bool output_limit = false;   // printed more than the cap, or SIGXFSZ
  int signal = 0;
  int exit_code = 0;
};

// The verdict for a compiled submission. grader.md's order, with one refinement: memory evidence comes before
// the time limits, because a program near its address-space limit often also runs the clock out (page faults,
// allocation retried in a loop); "too slow" would send the learner looking in the wrong place.
Verdict choose_verdict(const RunEvidence& run, const std::vector<TestResult>& tests);

// Did a test's message report an allocation failure?
bool reports_bad_alloc(const std::string& message);

// Expected tests joined with the records: points and categories come from the trusted declarations;
// a test with no record is an error carrying missing_reason.
std::vector<TestResult> score_tests(const std::vector<TestSpec>& specs, const std::vector<CaseRecord>& records,
                                    const std::string& missing_reason);

int total_points(const std::vector<TestResult>& tests);

}  // namespace attnkata

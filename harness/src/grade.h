// Grading one problem: compile the learner's file with the toolkit's flags, link it with the problem's
// prebuilt test object and the test main, run it under limits, read the result channel, choose a verdict,
// score it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog.h"
#include "process.h"

namespace attnkata {

enum class Verdict {
  passed,
  failed,
  compile_error,
  time_limit,
  memory_limit,
  output_limit,
  runtime_error,
  internal_error
};
std::string to_string(Verdict v);

struct TestResult {
  std::string name, category;
  int points = 0;
  std::string status;   // "pass", "fail", "error"
  std::string message;  // why it failed, for the learner
  std::string output;   // what the learner's code printed during this test (capped)
};

struct ProblemResult {
  std::string id, slug;
  fs::path file;  // the graded source, as shown to the user
  Verdict verdict = Verdict::internal_error;
  int score = 0, max_score = 0;
  double time_s = 0;
  std::string compile_output;  // compiler diagnostics, paths shortened
  std::string summary;         // one line on why this verdict ("your code ran past the 10 s limit in ...")
  std::vector<TestResult> tests;
};

// ---- the result channel (see harness/runtime/test_main.cpp) ----

struct CaseRecord {
  std::string name, category, status, message;
  int points = 0;
  long out_begin = -1, out_end = -1;
};

struct ChannelRecords {
  std::vector<CaseRecord> cases;
  std::optional<std::string> unfinished;  // a test that started and never reported: where the run died
  bool ended = false;                     // the final record arrived
  int end_count = -1;                     // test cases it says were run
};

// Parses the records a run wrote; lines without the run's nonce or that do not parse are ignored.
ChannelRecords parse_records(const std::string& text, const std::string& nonce);

// How the run (or runs) went, reduced to what the verdict depends on.
struct RunSummary {
  bool timed_out = false;
  int signal = 0;
  int exit_code = 0;
  bool complete = false;  // final record present and every expected test reported exactly once
};

// The verdict for a compiled submission, in grader.md's order; score and tests are filled separately.
Verdict choose_verdict(const RunSummary& run, const std::vector<TestResult>& tests);

// Expected tests joined with the records: points and categories come from the trusted declarations;
// a test with no record is an "error" carrying missing_reason.
std::vector<TestResult> score_tests(const std::vector<TestSpec>& specs,
                                    const std::vector<CaseRecord>& records,
                                    const std::string& missing_reason);

struct GradeOptions {
  fs::path source;        // the file to grade (learner's or reference)
  fs::path display_path;  // how to name it in messages
  fs::path work_dir;      // scratch: objects, binary, outputs
  fs::path
      bwrap;  // when set, run the tests inside bubblewrap: no network, read-only filesystem, private /tmp
};

// The bubblewrap executable, or empty when it is not installed.
fs::path find_bwrap();

// The toolkit objects it links must be built first (ensure_built).
ProblemResult grade_problem(const Toolkit& toolkit, const Problem& problem, const GradeOptions& options);

// "10 s", "2.5 s"
std::string fmt_seconds(double seconds);

// Brings the given CMake targets up to date (serialised by a lock in the build directory).
void ensure_built(const Toolkit& toolkit, const std::vector<std::string>& targets);

}  // namespace attnkata

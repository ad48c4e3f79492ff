// The result model every view reads: a verdict per problem, a status per test, with their names in one place.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace attnkata {

// In grader.md's order of precedence (internal_error aside: never the learner's).
enum class Verdict {
  compile_error,
  time_limit,
  memory_limit,
  output_limit,
  runtime_error,
  failed,
  passed,
  internal_error
};
std::string to_string(Verdict v);
std::optional<Verdict> verdict_from(const std::string& name);

enum class TestStatus { pass, fail, error };  // error: crashed, timed out, threw, or never reported
std::string to_string(TestStatus s);
TestStatus test_status_from(const std::string& name);  // anything unknown is an error

// The test categories, in the order reports show them.
inline const std::vector<std::string> kCategories{"shape", "numeric", "property", "edge"};

// Something a test produced for a view to show, e.g. a weight matrix for a heatmap (rows × cols, row-major).
// From the test run, so never trusted for a score: only shown.
struct Artifact {
  std::string name;
  std::string kind;  // "yours", "expected" or "mask" (1 = allowed, 0 = masked): attnkata/protocol.h
  int rows = 0, cols = 0;
  std::vector<float> values;  // NaN and ±inf allowed
};

struct TestResult {
  std::string name, category;
  int points = 0;
  TestStatus status = TestStatus::error;
  std::string message;  // why it failed, for the learner
  std::string output;   // what the learner's code printed during this test (capped)
  double time_s = 0;    // as the test main measured it; 0 when it never reported
  std::vector<Artifact> artifacts;
  std::string code;     // the test's source (from the trusted tests.cpp; not in the JSON view)
  std::string notes;    // what the test reports beside its verdict (a speed ratio, a memory figure): never scored

  bool passed() const { return status == TestStatus::pass; }
};

struct ProblemResult {
  std::string id, slug;
  std::filesystem::path file;  // the graded source, as shown to the user
  Verdict verdict = Verdict::internal_error;
  int score = 0, max_score = 0;
  double time_s = 0;           // wall time of the whole grade: compile, link, runs
  double cpu_s = 0;            // CPU time of the test runs (user + system, re-runs included)
  long peak_rss_kib = 0;       // the largest resident set of any test run
  std::string compile_output;  // compiler diagnostics, paths shortened
  std::string summary;         // one line on why this verdict ("your code ran past the 10 s limit in ...")
  std::vector<TestResult> tests;
};

}  // namespace attnkata

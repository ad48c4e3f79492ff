// Verdict and score policy.
#include "verdict.h"

#include <algorithm>
#include <csignal>

namespace attnkata {

bool reports_bad_alloc(const std::string& message) {
  return message.find("bad_alloc") != std::string::npos;
}

Verdict choose_verdict(const RunEvidence& run, const std::vector<TestResult>& tests) {
  const bool bad_alloc = std::any_of(tests.begin(), tests.end(), [](const TestResult& t) {
    return !t.passed() && reports_bad_alloc(t.message);
  });
  if (run.out_of_memory || bad_alloc) return Verdict::memory_limit;
  if (run.timed_out || run.cpu_limit || run.signal == SIGXCPU) return Verdict::time_limit;
  if (run.output_limit || run.signal == SIGXFSZ) return Verdict::output_limit;
  if (run.signal != 0 || !run.complete) return Verdict::runtime_error;
  const bool all_pass = std::all_of(tests.begin(), tests.end(), [](const TestResult& t) { return t.passed(); });
  return all_pass && !tests.empty() ? Verdict::passed : Verdict::failed;
}

std::vector<TestResult> score_tests(const std::vector<TestSpec>& specs, const std::vector<CaseRecord>& records,
                                    const std::string& missing_reason) {
  std::vector<TestResult> results;
  for (const auto& spec : specs) {
    TestResult t;
    t.name = spec.name, t.category = spec.category, t.points = spec.points;
    t.status = TestStatus::error, t.message = missing_reason, t.code = spec.code;
    for (const auto& r : records)
      if (r.name == spec.name) {
        t.status = test_status_from(r.status);
        t.message = r.message;
        t.time_s = r.time_s;
        t.notes = r.notes;
        break;
      }
    results.push_back(std::move(t));
  }
  return results;
}

int total_points(const std::vector<TestResult>& tests) {
  int total = 0;
  for (const auto& t : tests) total += t.passed() ? t.points : 0;
  return total;
}

}  // namespace attnkata

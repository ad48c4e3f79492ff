// Names of verdicts and test statuses: the only place they are spelled.
#include "result.h"

#include <array>
#include <utility>

namespace attnkata {

namespace {

constexpr std::array<std::pair<Verdict, const char*>, 8> kVerdictNames{{
    {Verdict::compile_error, "compile_error"},
    {Verdict::time_limit, "time_limit"},
    {Verdict::memory_limit, "memory_limit"},
    {Verdict::output_limit, "output_limit"},
    {Verdict::runtime_error, "runtime_error"},
    {Verdict::failed, "failed"},
    {Verdict::passed, "passed"},
    {Verdict::internal_error, "internal_error"},
}};

constexpr std::array<std::pair<TestStatus, const char*>, 3> kStatusNames{{
    {TestStatus::pass, "pass"},
    {TestStatus::fail, "fail"},
    {TestStatus::error, "error"},
}};

}  // namespace

std::string to_string(Verdict v) {
  for (const auto& [verdict, name] : kVerdictNames)
    if (verdict == v) return name;
  return "internal_error";
}

std::optional<Verdict> verdict_from(const std::string& name) {
  for (const auto& [verdict, n] : kVerdictNames)
    if (name == n) return verdict;
  return std::nullopt;
}

std::string to_string(TestStatus s) {
  for (const auto& [status, name] : kStatusNames)
    if (status == s) return name;
  return "error";
}

TestStatus test_status_from(const std::string& name) {
  for (const auto& [status, n] : kStatusNames)
    if (name == n) return status;
  return TestStatus::error;
}

}  // namespace attnkata

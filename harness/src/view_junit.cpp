// JUnit XML, as CI servers read it: a <testsuite> per problem, a <testcase> per test with its time, <failure> for
// a failed assertion and <error> for a test that crashed, threw or never ran; the learner's output in
// <system-out>. A problem that did not compile is one errored testcase carrying the diagnostics.
#include <attnkata/utf8.h>
#include <fmt/core.h>

#include "view.h"

namespace attnkata {

namespace {

std::string first_line(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

class JunitView : public View {
 public:
  std::string render(const std::vector<ProblemResult>& results) const override {
    std::string suites;
    int all_tests = 0, all_failures = 0, all_errors = 0;
    double all_time = 0;
    for (const auto& r : results) {
      std::string cases;
      int failures = 0, errors = 0;
      const bool ran = r.verdict != Verdict::compile_error && r.verdict != Verdict::internal_error;
      if (!ran) {
        ++errors;
        cases += fmt::format("    <testcase name=\"{}\" classname=\"{}\" time=\"0\">\n"
                             "      <error message=\"{}\" type=\"{}\">{}</error>\n    </testcase>\n",
                             escape_markup(r.verdict == Verdict::compile_error ? "compile" : "grader"), escape_markup(r.id),
                             escape_markup(r.summary), to_string(r.verdict), escape_markup(r.compile_output));
      } else {
        for (const auto& t : r.tests) {
          cases += fmt::format("    <testcase name=\"{}\" classname=\"{}.{}\" time=\"{:.4f}\"", escape_markup(t.name),
                               escape_markup(r.id), escape_markup(t.category), t.time_s);
          if (t.passed()) {
            cases += "/>\n";
            continue;
          }
          const bool error = t.status == TestStatus::error;
          (error ? errors : failures)++;
          cases += fmt::format(">\n      <{0} message=\"{1}\" type=\"{2}\">{3}</{0}>\n", error ? "error" : "failure",
                               escape_markup(first_line(t.message)), error ? "error" : "assertion", escape_markup(t.message));
          if (!t.output.empty()) cases += "      <system-out>" + escape_markup(t.output) + "</system-out>\n";
          cases += "    </testcase>\n";
        }
      }
      const int tests = ran ? static_cast<int>(r.tests.size()) : 1;
      suites += fmt::format(
          "  <testsuite name=\"{} {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" time=\"{:.3f}\">\n"
          "    <properties>\n      <property name=\"verdict\" value=\"{}\"/>\n"
          "      <property name=\"score\" value=\"{}\"/>\n      <property name=\"max_score\" value=\"{}\"/>\n"
          "    </properties>\n{}  </testsuite>\n",
          escape_markup(r.id), escape_markup(r.slug), tests, failures, errors, r.time_s, to_string(r.verdict), r.score, r.max_score, cases);
      all_tests += tests, all_failures += failures, all_errors += errors, all_time += r.time_s;
    }
    return fmt::format(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<testsuites name=\"attnkata\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n{}</testsuites>\n",
        all_tests, all_failures, all_errors, all_time, suites);
  }
};

}  // namespace

std::string escape_markup(const std::string& s) {
  return escape_utf8(s, [](std::string& out, char c) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r' ? '?' : c;
    }
  });
}

std::unique_ptr<View> make_junit_view(const ViewOptions&) {
  return std::make_unique<JunitView>();
}

}  // namespace attnkata

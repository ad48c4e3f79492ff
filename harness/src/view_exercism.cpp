// Exercism's test-runner results.json, version 3: one document per exercise. Several problems become one document
// whose test names carry the problem id. status: pass (every test passed), fail (some failed), error (the code
// could not be tested: compile error, crash, limits), with the reason in message.
#include <nlohmann/json.hpp>

#include "view.h"

namespace attnkata {

using ojson = nlohmann::ordered_json;

namespace {

class ExercismView : public View {
 public:
  std::string render(const std::vector<ProblemResult>& results) const override {
    std::string status = "pass", message;
    ojson tests = ojson::array();
    for (const auto& r : results) {
      const bool tested = r.verdict == Verdict::passed || r.verdict == Verdict::failed;
      if (!tested) {
        status = "error";
        message += (message.empty() ? "" : "\n") + r.id + ": " + to_string(r.verdict) +
                   (r.summary.empty() ? "" : ": " + r.summary) +
                   (r.compile_output.empty() ? "" : "\n" + r.compile_output);
      } else if (r.verdict == Verdict::failed && status == "pass") {
        status = "fail";
      }
      for (const auto& t : r.tests) {
        ojson test = {{"name", results.size() > 1 ? r.id + ": " + t.name : t.name},
                      {"status", to_string(t.status)},
                      {"test_code", t.code}};
        if (!t.passed()) test["message"] = t.message;
        if (!t.output.empty()) test["output"] = t.output.substr(0, 500);  // Exercism caps output at 500 chars
        tests.push_back(test);
      }
    }
    ojson doc = {{"version", 3}, {"status", status}};
    if (status == "error") doc["message"] = message;
    doc["tests"] = tests;
    return doc.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
  }
};

}  // namespace

std::unique_ptr<View> make_exercism_view(const ViewOptions&) {
  return std::make_unique<ExercismView>();
}

}  // namespace attnkata

// Gradescope's autograder results.json: the score and, per test, its score, max_score, status (passed/failed),
// output (the failure message and what the code printed), visibility and tags (the test's category).
#include <nlohmann/json.hpp>

#include "view.h"

namespace attnkata {

using ojson = nlohmann::ordered_json;

namespace {

class GradescopeView : public View {
 public:
  std::string render(const std::vector<ProblemResult>& results) const override {
    int score = 0, max_score = 0;
    double seconds = 0;
    std::string output;
    ojson tests = ojson::array();
    for (const auto& r : results) {
      score += r.score, max_score += r.max_score, seconds += r.time_s;
      output += r.id + " " + r.slug + ": " + to_string(r.verdict) + ", " + std::to_string(r.score) + "/" +
                std::to_string(r.max_score) + (r.summary.empty() ? "" : " (" + r.summary + ")") + "\n";
      if (r.verdict == Verdict::compile_error) output += r.compile_output + "\n";
      for (const auto& t : r.tests) {
        std::string text = t.message;
        if (!t.output.empty()) text += (text.empty() ? "" : "\n") + std::string("your code printed:\n") + t.output;
        tests.push_back({{"name", r.id + ": " + t.name},
                         {"score", t.passed() ? t.points : 0},
                         {"max_score", t.points},
                         {"status", t.passed() ? "passed" : "failed"},
                         {"output", text},
                         {"visibility", "visible"},
                         {"tags", ojson::array({t.category})}});
      }
    }
    const ojson doc = {{"score", score},
                       {"max_score", max_score},
                       {"execution_time", static_cast<int>(seconds + 0.5)},
                       {"output", output},
                       {"tests", tests}};
    return doc.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
  }
};

}  // namespace

std::unique_ptr<View> make_gradescope_view(const ViewOptions&) {
  return std::make_unique<GradescopeView>();
}

}  // namespace attnkata

// JSON for tools: version 1 of grader.md's document. Fields are only ever added, never renamed: cpu_s,
// peak_rss_kib, a test's time_s and an artifact's kind came after the first release.
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "json_io.h"
#include "view.h"

namespace attnkata {

using ojson = nlohmann::ordered_json;  // keys in the order written

namespace {

double rounded(double x, double unit) { return std::round(x / unit) * unit; }

class JsonView : public View {
 public:
  std::string render(const std::vector<ProblemResult>& results) const override {
    ojson problems = ojson::array();
    for (const auto& r : results) problems.push_back(problem_to_json(r));
    return ojson{{"version", 1}, {"problems", problems}}.dump(2, ' ', false, ojson::error_handler_t::replace) +
           "\n";
  }
};

}  // namespace

nlohmann::ordered_json problem_to_json(const ProblemResult& r) {
  ojson tests = ojson::array();
  for (const auto& t : r.tests) {
    ojson test = {{"name", t.name},     {"category", t.category},       {"points", t.points},
                  {"status", to_string(t.status)}, {"message", t.message}, {"output", t.output},
                  {"time_s", rounded(t.time_s, 1e-4)}};
    if (!t.notes.empty()) test["notes"] = t.notes;
    if (!t.artifacts.empty()) {
      ojson artifacts = ojson::array();
      for (const auto& a : t.artifacts)
        artifacts.push_back(  // nlohmann writes a non-finite float as null
            {{"name", a.name}, {"kind", a.kind}, {"rows", a.rows}, {"cols", a.cols}, {"values", a.values}});
      test["artifacts"] = artifacts;
    }
    tests.push_back(test);
  }
  return {{"id", r.id},
          {"slug", r.slug},
          {"file", r.file.string()},
          {"verdict", to_string(r.verdict)},
          {"summary", r.summary},
          {"score", r.score},
          {"max_score", r.max_score},
          {"time_s", rounded(r.time_s, 1e-3)},
          {"cpu_s", rounded(r.cpu_s, 1e-3)},
          {"peak_rss_kib", r.peak_rss_kib},
          {"compile_output", r.compile_output},
          {"tests", tests}};
}

ProblemResult problem_from_json(const nlohmann::ordered_json& p) {
  ProblemResult r;
  r.id = p.at("id");
  r.slug = p.at("slug");
  r.file = p.value("file", "");
  r.verdict = verdict_from(p.at("verdict").get<std::string>()).value_or(Verdict::internal_error);
  r.summary = p.value("summary", "");
  r.score = p.at("score");
  r.max_score = p.at("max_score");
  r.time_s = p.value("time_s", 0.0);
  r.cpu_s = p.value("cpu_s", 0.0);
  r.peak_rss_kib = p.value("peak_rss_kib", 0L);
  r.compile_output = p.value("compile_output", "");
  for (const auto& t : p.at("tests")) {
    TestResult test;
    test.name = t.at("name"), test.category = t.at("category"), test.points = t.at("points");
    test.status = test_status_from(t.at("status"));
    test.message = t.value("message", ""), test.output = t.value("output", "");
    test.time_s = t.value("time_s", 0.0);
    test.notes = t.value("notes", "");
    if (t.contains("artifacts"))
      for (const auto& a : t["artifacts"]) {
        Artifact art{a.at("name"), a.value("kind", ""), a.at("rows"), a.at("cols"), {}};
        for (const auto& v : a.at("values"))  // null: a value that was not finite
          art.values.push_back(v.is_number() ? v.get<float>() : std::numeric_limits<float>::quiet_NaN());
        test.artifacts.push_back(std::move(art));
      }
    r.tests.push_back(std::move(test));
  }
  return r;
}

std::unique_ptr<View> make_json_view(const ViewOptions&) {
  return std::make_unique<JsonView>();
}

std::vector<ProblemResult> parse_json_results(const std::string& text) {
  std::vector<ProblemResult> out;
  const ojson doc = ojson::parse(text);  // a range over parse(text).at(...) would outlive the temporary
  for (const auto& p : doc.at("problems")) out.push_back(problem_from_json(p));
  return out;
}

}  // namespace attnkata

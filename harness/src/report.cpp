// Text and JSON views of grading results.
#include "report.h"

#include <fmt/color.h>
#include <fmt/core.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace attnkata {

using ojson = nlohmann::ordered_json;  // keys in the order written

namespace {

const char* const kCategories[] = {"shape", "numeric", "property", "edge"};

std::string paint(const TextStyle& style, fmt::text_style ts, const std::string& s) {
  return style.color ? fmt::format(ts, "{}", s) : s;
}

std::string indent(const std::string& text, const std::string& prefix, size_t max_lines = 40) {
  std::istringstream in(text);
  std::string line, out;
  size_t n = 0, total = 0;
  while (std::getline(in, line)) {
    if (++total > max_lines) continue;
    out += prefix + line + "\n";
    ++n;
  }
  if (total > n) out += prefix + fmt::format("[… {} more lines; --verbose shows everything]\n", total - n);
  return out;
}

fmt::text_style verdict_style(Verdict v) {
  switch (v) {
    case Verdict::passed:
      return fg(fmt::terminal_color::green) | fmt::emphasis::bold;
    case Verdict::failed:
      return fg(fmt::terminal_color::yellow) | fmt::emphasis::bold;
    default:
      return fg(fmt::terminal_color::red) | fmt::emphasis::bold;
  }
}

}  // namespace

std::string render_text(const std::vector<ProblemResult>& results, const TextStyle& style) {
  std::string out;
  for (const auto& r : results) {
    out += fmt::format("{} {:<34} {}  {}/{} points  {:.1f} s\n", paint(style, fmt::emphasis::bold, r.id),
                       r.slug, paint(style, verdict_style(r.verdict), to_string(r.verdict)), r.score,
                       r.max_score, r.time_s);
    if (!r.summary.empty()) out += "  " + r.summary + "\n";
    if (r.verdict == Verdict::compile_error || r.verdict == Verdict::internal_error) {
      out += indent(r.compile_output, "  | ", style.verbose ? SIZE_MAX : 40);
      if (r.verdict == Verdict::compile_error) continue;
    } else if (style.verbose && !r.compile_output.empty()) {
      out += "  compiler warnings:\n" + indent(r.compile_output, "  | ", SIZE_MAX);
    } else if (!r.compile_output.empty()) {
      out += "  (the compiler printed warnings: --verbose shows them)\n";
    }
    // points per category, so a learner sees "shapes right, numbers wrong"
    std::map<std::string, std::pair<int, int>> by_category;
    for (const auto& t : r.tests) {
      auto& [got, max] = by_category[t.category];
      max += t.points;
      got += t.status == "pass" ? t.points : 0;
    }
    std::string cats = " ";
    for (const char* c : kCategories)
      if (by_category.count(c))
        cats += fmt::format(" {} {}/{} ", c, by_category[c].first, by_category[c].second);
    if (r.verdict != Verdict::passed || style.verbose) {
      out += cats + "\n";
      std::string previous;
      for (const auto& t : r.tests) {
        const bool pass = t.status == "pass";
        const std::string mark = pass ? paint(style, fg(fmt::terminal_color::green), "✓")
                                      : paint(style, fg(fmt::terminal_color::red), "✗");
        out += fmt::format("  {} {}  [{} {}]\n", mark, t.name, t.category, t.points);
        if (pass) continue;
        if (!t.message.empty())
          out += t.message == previous ? "      (same as above)\n" : indent(t.message, "      ", 12);
        previous = t.message;
        if (!t.output.empty()) out += "      your code printed:\n" + indent(t.output, "      > ", 10);
      }
    }
  }
  return out;
}

std::string render_json(const std::vector<ProblemResult>& results) {
  ojson problems = ojson::array();
  for (const auto& r : results) {
    ojson tests = ojson::array();
    for (const auto& t : r.tests)
      tests.push_back({{"name", t.name},
                       {"category", t.category},
                       {"points", t.points},
                       {"status", t.status},
                       {"message", t.message},
                       {"output", t.output}});
    problems.push_back({{"id", r.id},
                        {"slug", r.slug},
                        {"file", r.file.string()},
                        {"verdict", to_string(r.verdict)},
                        {"summary", r.summary},
                        {"score", r.score},
                        {"max_score", r.max_score},
                        {"time_s", std::round(r.time_s * 1000) / 1000},
                        {"compile_output", r.compile_output},
                        {"tests", tests}});
  }
  return ojson{{"version", 1}, {"problems", problems}}.dump(2, ' ', false, ojson::error_handler_t::replace) +
         "\n";
}

std::vector<ProblemResult> parse_json_results(const std::string& text) {
  static const std::map<std::string, Verdict> kVerdicts = {{"passed", Verdict::passed},
                                                           {"failed", Verdict::failed},
                                                           {"compile_error", Verdict::compile_error},
                                                           {"time_limit", Verdict::time_limit},
                                                           {"memory_limit", Verdict::memory_limit},
                                                           {"output_limit", Verdict::output_limit},
                                                           {"runtime_error", Verdict::runtime_error},
                                                           {"internal_error", Verdict::internal_error}};
  std::vector<ProblemResult> out;
  const ojson j = ojson::parse(text);
  for (const auto& p : j.at("problems")) {
    ProblemResult r;
    r.id = p.at("id");
    r.slug = p.at("slug");
    r.file = p.value("file", "");
    const auto v = kVerdicts.find(p.at("verdict").get<std::string>());
    r.verdict = v == kVerdicts.end() ? Verdict::internal_error : v->second;
    r.summary = p.value("summary", "");
    r.score = p.at("score");
    r.max_score = p.at("max_score");
    r.time_s = p.value("time_s", 0.0);
    r.compile_output = p.value("compile_output", "");
    for (const auto& t : p.at("tests"))
      r.tests.push_back({t.at("name"), t.at("category"), t.at("points"), t.at("status"),
                         t.value("message", ""), t.value("output", "")});
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace attnkata

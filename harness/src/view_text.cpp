// Text for people: a line per problem, points per category, every failing test with its message and the
// learner's output. Colour only when asked (a terminal without NO_COLOR).
#include <fmt/color.h>
#include <fmt/core.h>

#include <map>
#include <sstream>

#include "view.h"

namespace attnkata {

namespace {

class TextView : public View {
 public:
  explicit TextView(const ViewOptions& options) : style_(options) {}
  std::string render(const std::vector<ProblemResult>& results) const override;

 private:
  std::string paint(fmt::text_style ts, const std::string& s) const {
    return style_.color ? fmt::format(ts, "{}", s) : s;
  }
  ViewOptions style_;
};

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

std::string TextView::render(const std::vector<ProblemResult>& results) const {
  std::string out;
  for (const auto& r : results) {
    out += fmt::format("{} {:<34} {}  {}/{} points  {:.1f} s\n", paint(fmt::emphasis::bold, r.id), r.slug,
                       paint(verdict_style(r.verdict), to_string(r.verdict)), r.score, r.max_score, r.time_s);
    if (!r.summary.empty()) out += "  " + r.summary + "\n";
    if (r.verdict == Verdict::compile_error || r.verdict == Verdict::internal_error) {
      out += indent(r.compile_output, "  | ", style_.verbose ? SIZE_MAX : 40);
      if (r.verdict == Verdict::compile_error) continue;
    } else if (style_.verbose && !r.compile_output.empty()) {
      out += "  compiler warnings:\n" + indent(r.compile_output, "  | ", SIZE_MAX);
    } else if (!r.compile_output.empty()) {
      out += "  (the compiler printed warnings: --verbose shows them)\n";
    }
    // points per category, so a learner sees "shapes right, numbers wrong"
    std::map<std::string, std::pair<int, int>> by_category;
    for (const auto& t : r.tests) {
      auto& [got, max] = by_category[t.category];
      max += t.points;
      got += t.passed() ? t.points : 0;
    }
    std::string cats = " ";
    for (const auto& c : kCategories)
      if (by_category.count(c)) cats += fmt::format(" {} {}/{} ", c, by_category[c].first, by_category[c].second);
    if (r.verdict == Verdict::passed && !style_.verbose) {
      for (const auto& t : r.tests)  // what tests report beside their verdicts (speed, memory)
        if (!t.notes.empty()) out += "  " + t.name + ":\n" + indent(t.notes, "      ", 12);
      continue;
    }
    out += cats + "\n";
    std::string previous;
    for (const auto& t : r.tests) {
      const std::string mark = t.passed() ? paint(fg(fmt::terminal_color::green), "✓")
                                          : paint(fg(fmt::terminal_color::red), "✗");
      out += fmt::format("  {} {}  [{} {}]\n", mark, t.name, t.category, t.points);
      if (!t.notes.empty()) out += indent(t.notes, "      note: ", 12);
      if (t.passed()) continue;
      if (!t.message.empty())
        out += t.message == previous ? "      (same as above)\n" : indent(t.message, "      ", 12);
      previous = t.message;
      if (!t.output.empty()) out += "      your code printed:\n" + indent(t.output, "      > ", 10);
    }
  }
  return out;
}

}  // namespace

std::unique_ptr<View> make_text_view(const ViewOptions& options) {
  return std::make_unique<TextView>(options);
}

}  // namespace attnkata

// HTML for people: one self-contained page (inline CSS and SVG, no script, nothing fetched): each problem's
// verdict and score, and under each failing test (every test with --verbose) heat maps of the matrices its
// checks recorded: yours, expected and yours − expected side by side, masked cells hatched. The matrices come
// from the test run (attnkata/artifacts.h): they are shown, never scored.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "view.h"

namespace attnkata {

namespace {
namespace html {  // the CLI is a unity build: these names stay apart from the other views'

struct Rgb {
  double r, g, b;
};

// viridis: dark purple (low) to yellow (high); reads in grey and for most colour-blind readers
constexpr Rgb kSequential[] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
// blue (yours below expected), near white (equal), red (yours above)
constexpr Rgb kDiverging[] = {
    {33, 102, 172}, {146, 197, 222}, {247, 247, 247}, {244, 165, 130}, {178, 24, 43}};
constexpr const char* kNonFinite = "#ff00ff";  // in neither scale

// The colour at t in [0, 1] along 5 stops, linearly between neighbours.
std::string ramp(const Rgb (&stops)[5], double t) {
  t = std::clamp(t, 0.0, 1.0) * 4;
  const int k = std::min(static_cast<int>(t), 3);
  const double f = t - k;
  const Rgb &a = stops[k], &b = stops[k + 1];
  return fmt::format("#{:02x}{:02x}{:02x}", static_cast<int>(a.r + f * (b.r - a.r) + 0.5),
                     static_cast<int>(a.g + f * (b.g - a.g) + 0.5),
                     static_cast<int>(a.b + f * (b.b - a.b) + 0.5));
}

std::string gradient(const char* id, const Rgb (&stops)[5]) {
  std::string out = fmt::format("<linearGradient id=\"{}\">", id);
  for (int k = 0; k < 5; ++k)
    out += fmt::format("<stop offset=\"{}%\" stop-color=\"{}\"/>", 25 * k, ramp(stops, k / 4.0));
  return out + "</linearGradient>";
}

std::string num(double x) {
  return fmt::format("{:.4g}", x);
}
// data-v: 9 significant digits read back as the same float
std::string exact(double x) {
  return fmt::format("{:.9g}", x);
}

bool well_formed(const Artifact& a) {
  return a.rows >= 0 && a.cols >= 0 &&
         static_cast<size_t>(a.rows) * static_cast<size_t>(a.cols) == a.values.size();
}

// One heat map's cells and how to colour them.
struct HeatMap {
  std::string test, artifact, kind;  // kind: yours, expected, difference
  int rows = 0, cols = 0;
  std::vector<double> values;  // row-major
  double lo = 0, hi = 1;       // the scale's ends (diverging: -hi..hi)
  bool diverging = false;
  const std::vector<bool>* masked = nullptr;  // hatched
  const std::vector<bool>* zero = nullptr;    // outlined: expected exactly 0
};

std::string colour(const HeatMap& m, double v) {
  if (!std::isfinite(v)) return kNonFinite;
  if (m.diverging) return ramp(kDiverging, 0.5 + v / (2 * m.hi));
  return ramp(kSequential, (v - m.lo) / (m.hi - m.lo));
}

// Every index up to 16 cells, then every 4th, then every 8th.
int index_step(int n) {
  if (n <= 16) return 1;
  return n <= 32 ? 4 : 8;
}

// An SVG with a <rect> per cell (its value in data-v and a <title>), row and column indices where they fit,
// then the overlays: hatching over masked cells, a double outline around cells whose expected value is 0.
std::string render_map(const HeatMap& m) {
  const int cell = std::clamp(260 / std::max({m.rows, m.cols, 1}), 4, 28);
  const int step_r = index_step(m.rows), step_c = index_step(m.cols);
  const bool labels = cell * std::min(step_r, step_c) >= 12;
  const int left = labels ? 22 : 1, top = labels ? 14 : 1;
  const int width = left + m.cols * cell + 1, height = top + m.rows * cell + 1;
  std::string out = fmt::format(
      "<svg class=\"map\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" role=\"img\" "
      "aria-label=\"{2}\">",
      width, height, escape_markup(m.kind + " " + m.artifact));
  if (labels) {
    out += "<g class=\"index\" font-size=\"9\" fill=\"#666\">";
    for (int j = 0; j < m.cols; j += step_c)
      out += fmt::format("<text x=\"{}\" y=\"10\" text-anchor=\"middle\">{}</text>",
                         left + j * cell + cell / 2, j);
    for (int i = 0; i < m.rows; i += step_r)
      out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", left - 3,
                         top + i * cell + cell / 2 + 3, i);
    out += "</g>";
  }
  const std::string who = m.kind == "difference" ? "yours − expected" : m.kind;
  const std::string attrs = fmt::format("data-test=\"{}\" data-artifact=\"{}\" data-kind=\"{}\"",
                                        escape_markup(m.test), escape_markup(m.artifact), m.kind);
  std::string overlays;
  for (int i = 0; i < m.rows; ++i)
    for (int j = 0; j < m.cols; ++j) {
      const size_t k = static_cast<size_t>(i) * m.cols + j;
      const double v = m.values[k];
      const bool masked = m.masked && (*m.masked)[k], zero = m.zero && (*m.zero)[k];
      const int x = left + j * cell, y = top + i * cell;
      out += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" {} data-i=\"{}\" data-j=\"{}\" "
          "data-v=\"{}\"{}{}><title>{}({}, {}) = {}{}</title></rect>",
          x, y, cell, cell, colour(m, v), attrs, i, j, exact(v), masked ? " data-masked=\"1\"" : "",
          zero ? " data-zero=\"1\"" : "", escape_markup(who), i, j, fmt::format("{:.7g}", v),
          masked ? " (masked)"
          : zero ? " (expected exactly 0)"
                 : "");
      if (masked)
        overlays += fmt::format(
            "<rect class=\"hatch\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"url(#hatch)\" "
            "pointer-events=\"none\"/>",
            x, y, cell, cell);
      if (zero && cell >= 6)
        overlays += fmt::format(
            "<rect class=\"zero\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#000\" "
            "pointer-events=\"none\"/><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" "
            "stroke=\"#fff\" pointer-events=\"none\"/>",
            x + 0.5, y + 0.5, cell - 1, cell - 1, x + 1.5, y + 1.5, cell - 3, cell - 3);
    }
  return out + overlays + "</svg>";
}

// The colour bar under a map: lo..hi, or -hi..0..hi for the difference.
std::string render_scale(const HeatMap& m) {
  std::string out = fmt::format(
      "<svg class=\"scale\" width=\"180\" height=\"24\" viewBox=\"0 0 180 24\"><rect x=\"0\" y=\"0\" "
      "width=\"180\" "
      "height=\"10\" fill=\"url(#{})\" stroke=\"#999\" stroke-width=\"0.5\"/><g font-size=\"10\" "
      "fill=\"#444\">",
      m.diverging ? "diverging" : "sequential");
  const double lo = m.diverging ? -m.hi : m.lo;
  out += fmt::format("<text x=\"0\" y=\"22\">{}</text><text x=\"180\" y=\"22\" text-anchor=\"end\">{}</text>",
                     num(lo), num(m.hi));
  if (m.diverging) out += "<text x=\"90\" y=\"22\" text-anchor=\"middle\">0</text>";
  return out + "</g></svg>";
}

std::string figure(const HeatMap& m, const std::string& caption) {
  return "<figure><figcaption>" + escape_markup(caption) + "</figcaption>" + render_map(m) + render_scale(m) +
         "</figure>";
}

std::string swatch(const std::string& fill, const std::string& overlay, const std::string& text) {
  return "<span class=\"key\"><svg width=\"14\" height=\"14\" viewBox=\"0 0 14 14\"><rect width=\"14\" "
         "height=\"14\" fill=\"" +
         fill + "\"/>" + overlay + "</svg> " + text + "</span>";
}

std::string shape(int rows, int cols) {
  return std::to_string(rows) + "×" + std::to_string(cols);
}

// The maps of one artifact name: yours, expected and their difference on one row, then the key.
std::string render_artifact(const std::string& test, const std::string& name, const Artifact* yours,
                            const Artifact* expected, const Artifact* mask) {
  const bool same_shape = yours && expected && yours->rows == expected->rows && yours->cols == expected->cols;
  // yours and expected share one scale, over their finite values
  double lo = INFINITY, hi = -INFINITY;
  for (const Artifact* a : {yours, expected})
    if (a)
      for (const float v : a->values)
        if (std::isfinite(v)) lo = std::min<double>(lo, v), hi = std::max<double>(hi, v);
  if (lo > hi) lo = 0, hi = 1;
  if (lo == hi) lo -= 0.5, hi += 0.5;

  // the cells marked on a map of the same shape: masked ones where a mask was recorded, else expected zeros
  std::vector<bool> masked, zero;
  if (mask)
    for (const float v : mask->values) masked.push_back(v == 0);
  if (expected)
    for (const float v : expected->values) zero.push_back(v == 0);
  bool any_masked = false, any_zero = false, any_non_finite = false;

  auto make = [&](const Artifact& a, const std::string& kind) {
    HeatMap m{test, name, kind,  a.rows,  a.cols, {a.values.begin(), a.values.end()},
              lo,   hi,   false, nullptr, nullptr};
    if (mask && a.rows == mask->rows && a.cols == mask->cols) {
      m.masked = &masked;
      any_masked |= std::find(masked.begin(), masked.end(), true) != masked.end();
    } else if (expected && a.rows == expected->rows && a.cols == expected->cols) {
      m.zero = &zero;
      any_zero |= std::find(zero.begin(), zero.end(), true) != zero.end();
    }
    for (const double v : m.values) any_non_finite |= !std::isfinite(v);
    return m;
  };
  std::string maps;
  if (yours)
    maps += figure(make(*yours, "yours"), "your " + name + " (" + shape(yours->rows, yours->cols) + ")");
  if (expected)
    maps += figure(make(*expected, "expected"), "expected (" + shape(expected->rows, expected->cols) + ")");
  if (same_shape) {
    HeatMap d = make(*yours, "difference");
    double largest = 0;
    int at_i = -1, at_j = -1, non_finite = 0;
    for (size_t k = 0; k < d.values.size(); ++k) {
      const double y = yours->values[k], e = expected->values[k];
      d.values[k] = y == e ? 0 : y - e;  // equal infinities do not differ
      if (!std::isfinite(d.values[k])) {
        ++non_finite;
      } else if (std::abs(d.values[k]) > largest) {
        largest = std::abs(d.values[k]);
        at_i = static_cast<int>(k) / d.cols, at_j = static_cast<int>(k) % d.cols;
      }
    }
    any_non_finite |= non_finite > 0;
    d.diverging = true, d.lo = 0, d.hi = largest > 0 ? largest : 1;
    std::string caption = "difference: ";
    if (at_i >= 0) caption += fmt::format("largest |Δ| = {} at ({}, {})", num(largest), at_i, at_j);
    if (at_i >= 0 && non_finite) caption += "; ";
    if (non_finite) caption += fmt::format("{} not finite", non_finite);
    if (at_i < 0 && !non_finite) caption += "none, every value as expected";
    maps += figure(d, caption);
  }
  std::string notes;
  if (yours && expected && !same_shape)
    notes +=
        fmt::format("<p class=\"note\">No difference map: yours is {}, expected {}{}.</p>",
                    shape(yours->rows, yours->cols), shape(expected->rows, expected->cols),
                    yours->rows == expected->cols && yours->cols == expected->rows ? " (transposed?)" : "");
  if (!expected)
    notes +=
        mask ? "<p class=\"note\">No expected values: this check needs none, only that masked entries are "
               "exactly 0.</p>"
             : "<p class=\"note\">No expected values were recorded.</p>";
  std::string keys;
  if (any_masked)
    keys += swatch("#888", "<rect width=\"14\" height=\"14\" fill=\"url(#hatch)\"/>", "masked (not allowed)");
  if (any_zero)
    keys +=
        swatch("#888",
               "<rect x=\"0.5\" y=\"0.5\" width=\"13\" height=\"13\" fill=\"none\" stroke=\"#000\"/><rect "
               "x=\"1.5\" y=\"1.5\" width=\"11\" height=\"11\" fill=\"none\" stroke=\"#fff\"/>",
               "expected exactly 0");
  if (any_non_finite) keys += swatch(kNonFinite, "", "NaN or ±inf");
  return fmt::format(
      "<div class=\"artifact\" data-artifact=\"{}\"><h4>{}</h4><div class=\"maps\">{}</div>{}{}</div>",
      escape_markup(name), escape_markup(name), maps, notes,
      keys.empty() ? "" : "<p class=\"keys\">" + keys + "</p>");
}

// Every artifact name of a test, in the order recorded.
std::string render_artifacts(const TestResult& t) {
  std::vector<std::string> names;
  std::map<std::string, std::map<std::string, const Artifact*>>
      by_name;  // name -> kind -> first of that kind
  for (const auto& a : t.artifacts) {
    if (!well_formed(a)) continue;
    if (!by_name.count(a.name)) names.push_back(a.name);
    by_name[a.name].emplace(a.kind, &a);
  }
  std::string out;
  for (const auto& name : names) {
    auto& kinds = by_name[name];
    auto get = [&](const char* kind) { return kinds.count(kind) ? kinds[kind] : nullptr; };
    if (!get("yours") && !get("expected")) continue;  // a mask alone has nothing to mark
    out += render_artifact(t.name, name, get("yours"), get("expected"), get("mask"));
  }
  return out;
}

std::string pre(const char* cls, const std::string& text) {
  return fmt::format("<pre class=\"{}\">{}</pre>", cls, escape_markup(text));
}

std::string render_test(const TestResult& t, bool maps) {
  std::string out = fmt::format(
      "<div class=\"test {0}\" data-test=\"{1}\" data-status=\"{0}\"><h3><span class=\"mark\">{2}</span> {1} "
      "<small>{3} · {4} point{5}</small></h3>",
      to_string(t.status), escape_markup(t.name), t.passed() ? "✓" : "✗", escape_markup(t.category), t.points,
      t.points == 1 ? "" : "s");
  if (!t.passed() && !t.message.empty()) out += pre("message", t.message);
  if (!t.notes.empty()) out += pre("notes", t.notes);
  if (!t.output.empty()) out += "<p class=\"printed\">your code printed:</p>" + pre("output", t.output);
  if (maps) out += render_artifacts(t);
  return out + "</div>\n";
}

const char* kStyle =
    R"(body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; max-width: 1200px; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: 4px; }
.verdict { padding: 1px 8px; border-radius: 4px; color: #fff; font-size: 0.8em; vertical-align: middle; }
.v-passed { background: #2e7d32; } .v-failed { background: #c77700; } .v-other { background: #c62828; }
.test { margin: 0.8em 0 1.2em 0; } .test h3 { font-size: 1em; margin: 0.3em 0; }
.test.pass .mark { color: #2e7d32; } .test.fail .mark, .test.error .mark { color: #c62828; }
small { color: #666; font-weight: normal; }
pre { background: #f6f6f6; padding: 6px 8px; white-space: pre-wrap; margin: 0.3em 0 0.3em 1.4em; }
pre.output { border-left: 3px solid #c77700; }
.artifact { margin: 0.6em 0 0 1.4em; } .artifact h4 { margin: 0.4em 0; font-family: monospace; }
.maps { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
figure { margin: 0; } figcaption { font-size: 12px; color: #333; margin-bottom: 3px; }
svg.scale { display: block; margin-top: 4px; overflow: visible; }
.keys { font-size: 12px; color: #444; } .key { margin-right: 1.2em; } .key svg { vertical-align: -2px; }
.note { font-size: 12px; color: #444; }
.passed-list { color: #555; }
)";

class HtmlView : public View {
 public:
  explicit HtmlView(const ViewOptions& options) : verbose_(options.verbose) {}

  std::string render(const std::vector<ProblemResult>& results) const override {
    std::string body;
    for (const auto& r : results) body += render_problem(r);
    // shared by every map: the hatching and the two colour bars
    const std::string defs =
        "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs>"
        "<pattern id=\"hatch\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" "
        "patternTransform=\"rotate(45)\"><rect width=\"2\" height=\"5\" fill=\"#fff\" fill-opacity=\"0.9\"/>"
        "<rect x=\"2\" width=\"1\" height=\"5\" fill=\"#000\" fill-opacity=\"0.8\"/></pattern>" +
        gradient("sequential", kSequential) + gradient("diverging", kDiverging) + "</defs></svg>\n";
    return fmt::format(R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>attnkata report</title>
<style>
{}</style></head>
<body>
{}<h1>attnkata report</h1>
<p class="intro">Under each {} test, the matrices its checks compared: your values, the expected values (one colour
scale for both), and yours − expected (blue: yours is lower, red: higher). Hover a cell for its value. These maps
are for reading only: the score comes from the tests alone.</p>
{}</body></html>
)",
                       kStyle, defs, verbose_ ? "" : "failing", body);
  }

 private:
  std::string render_problem(const ProblemResult& r) const {
    const char* vclass = r.verdict == Verdict::passed   ? "v-passed"
                         : r.verdict == Verdict::failed ? "v-failed"
                                                        : "v-other";
    std::string out = fmt::format(
        "<section class=\"problem\" data-problem=\"{0}\" data-verdict=\"{1}\"><h2>{0} {2} <span "
        "class=\"verdict "
        "{3}\">{1}</span> <span class=\"score\">{4}/{5} points</span> <small>{6:.1f} s</small></h2>\n",
        escape_markup(r.id), to_string(r.verdict), escape_markup(r.slug), vclass, r.score, r.max_score,
        r.time_s);
    if (!r.summary.empty()) out += "<p class=\"summary\">" + escape_markup(r.summary) + "</p>\n";
    if (!r.file.empty())
      out += "<p class=\"file\"><small>" + escape_markup(r.file.string()) + "</small></p>\n";
    if (!r.compile_output.empty()) {
      const bool error = r.verdict == Verdict::compile_error || r.verdict == Verdict::internal_error;
      out += fmt::format("<details{}><summary>{}</summary>{}</details>\n", error || verbose_ ? " open" : "",
                         error ? "compiler output" : "compiler warnings", pre("compile", r.compile_output));
    }
    if (r.verdict == Verdict::compile_error) return out + "</section>\n";
    // points per category, as in the text report
    std::map<std::string, std::pair<int, int>> by_category;
    for (const auto& t : r.tests) {
      auto& [got, max] = by_category[t.category];
      max += t.points, got += t.passed() ? t.points : 0;
    }
    std::string cats;
    for (const auto& c : kCategories)
      if (by_category.count(c))
        cats += fmt::format("{}{} {}/{}", cats.empty() ? "" : " · ", c, by_category[c].first,
                            by_category[c].second);
    if (!cats.empty()) out += "<p class=\"categories\">" + cats + "</p>\n";
    std::string passing;
    for (const auto& t : r.tests) {
      if (!t.passed() || verbose_) {
        out += render_test(t, true);
      } else {
        passing += fmt::format("<li data-test=\"{}\">✓ {} <small>{} · {}</small></li>", escape_markup(t.name),
                               escape_markup(t.name), escape_markup(t.category), t.points);
      }
    }
    if (!passing.empty())
      out += "<details class=\"passed-list\"><summary>passing tests</summary><ul>" + passing +
             "</ul></details>\n";
    return out + "</section>\n";
  }

  bool verbose_;
};

}  // namespace html
}  // namespace

std::unique_ptr<View> make_html_view(const ViewOptions& options) {
  return std::make_unique<html::HtmlView>(options);
}

}  // namespace attnkata

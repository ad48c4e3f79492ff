// The HTML report: a p01 whose masked weights leak (tiny, not exactly 0) graded with --format html gives heat
// maps whose every cell, as headless Chromium reads the page, holds the value of the JSON of the same grade;
// masked and expected-zero cells are marked; passing tests get maps only with -v; a transposed result shows
// both shapes; and --format json alone carries no matrices at all.
#include <attnkata/protocol.h>
#include <doctest/doctest.h>
#include <stdlib.h>

#include <cmath>
#include <map>
#include <tuple>

#include "selftest_support.h"
#include "state.h"
#include "view.h"

using namespace selftest;

namespace {

// An attribute's text as written: the five entities escape_markup writes (Chromium writes the same).
std::string unescape(std::string s) {
  for (const auto& [entity, c] : std::vector<std::pair<std::string, std::string>>{
           {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&apos;", "'"}, {"&amp;", "&"}}) {
    for (size_t at = s.find(entity); at != std::string::npos; at = s.find(entity, at + 1))
      s.replace(at, entity.size(), c);
  }
  return s;
}

// The value of name="..." in one tag, or nullopt.
std::optional<std::string> attribute(const std::string& tag, const std::string& name) {
  const std::string key = " " + name + "=\"";
  const size_t at = tag.find(key);
  if (at == std::string::npos) return std::nullopt;
  const size_t begin = at + key.size();
  return unescape(tag.substr(begin, tag.find('"', begin) - begin));
}

struct Cell {
  std::string test, artifact, kind;
  long i, j;
  float v;
  bool masked, zero;
};

// Every heat-map cell of a page: the <rect>s that carry data-test.
std::vector<Cell> cells_of(const std::string& page) {
  std::vector<Cell> cells;
  for (size_t at = page.find("<rect "); at != std::string::npos; at = page.find("<rect ", at + 1)) {
    const std::string tag = page.substr(at, page.find('>', at) - at);
    const auto test = attribute(tag, "data-test");
    if (!test) continue;
    cells.push_back({*test, attribute(tag, "data-artifact").value_or(""),
                     attribute(tag, "data-kind").value_or(""),
                     std::stol(attribute(tag, "data-i").value_or("-1")),
                     std::stol(attribute(tag, "data-j").value_or("-1")),
                     std::strtof(attribute(tag, "data-v").value_or("").c_str(), nullptr),  // "nan", "inf" too
                     attribute(tag, "data-masked") == "1", attribute(tag, "data-zero") == "1"});
  }
  return cells;
}

// (test, artifact name, kind) -> the artifact, from one grade's JSON.
using Artifacts = std::map<std::tuple<std::string, std::string, std::string>, Artifact>;
Artifacts artifacts_of(const ProblemResult& r) {
  Artifacts out;
  for (const auto& t : r.tests)
    for (const auto& a : t.artifacts) out.emplace(std::make_tuple(t.name, a.name, a.kind), a);
  return out;
}

bool same_value(float shown, float recorded) {  // the JSON writes NaN and ±inf alike, as null
  return (!std::isfinite(shown) && !std::isfinite(recorded)) || shown == recorded;
}

// Runs a program, returns (exit code, output); exit code -1 when it could not start.

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE(
      "html report: heat maps hold the JSON's values, mark masked and zero cells, and render in Chromium") {
    ::unsetenv(attnkata::protocol::kEnvArtifacts);  // the grader alone decides what the tests record
    const Toolkit t = toolkit();
    std::vector<std::string> skipped;
    const auto problems = load_problems(t.source_dir, &skipped);
    const Problem& p01 = find_problem(problems, "p01");
    const fs::path dir = scratch_dir("cli-html"), ws = dir / "workspace",
                   known_wrong = t.source_dir / "tests" / "known_wrong" / "p01";
    fs::create_directories(ws);
    const WorkspaceState state(t, ws);
    std::ofstream(ws / p01.file_name())
        << apply_patch(read_file(p01.reference()), read_file(known_wrong / "masked_tiny_weight.patch"));

    // 1. html: maps for the failing tests; the grade's JSON (saved for `list`) holds the matrices they show
    const fs::path page = dir / "report.html";
    const CliRun html =
        cli({"grade", "p01", "-w", ws.string(), "--format", "html", "-o", page.string()}, dir);
    INFO(html.output);
    REQUIRE(html.outcome.exit_code == 1);
    const ProblemResult graded = parse_json_results(read_file(state.dir() / "p01.json")).at(0);
    const Artifacts recorded = artifacts_of(graded);
    REQUIRE(!recorded.empty());
    for (const auto& test : graded.tests)
      if (test.passed()) CHECK(test.artifacts.empty());  // from failing checks only

    // 2. json alone records nothing, and the matrices never changed a score
    const fs::path plain = dir / "plain.json";
    REQUIRE(cli({"grade", "p01", "-w", ws.string(), "--format", "json", "-o", plain.string()}, dir)
                .outcome.exit_code == 1);
    CHECK(read_file(plain).find("\"artifacts\"") == std::string::npos);
    CHECK(parse_json_results(read_file(plain)).at(0).score == graded.score);

    // 3. with -v, passing tests get their maps too
    const fs::path verbose_page = dir / "verbose.html";
    REQUIRE(
        cli({"grade", "p01", "-w", ws.string(), "--format", "html", "-v", "-o", verbose_page.string()}, dir)
            .outcome.exit_code == 1);
    const ProblemResult verbose = parse_json_results(read_file(state.dir() / "p01.json")).at(0);
    std::string passing;  // a passing test with matrices
    for (const auto& test : verbose.tests)
      if (test.passed() && !test.artifacts.empty()) passing = test.name;
    REQUIRE(!passing.empty());
    const std::string passing_rect = "data-test=\"" + escape_markup(passing) + "\" data-artifact=";
    CHECK(read_file(page).find(passing_rect) == std::string::npos);
    CHECK(read_file(verbose_page).find(passing_rect) != std::string::npos);

    // 4. the page as Chromium reads it: every cell against the JSON
    const std::string url = "file://" + fs::absolute(page).string();
    const bool chromium = fs::exists("/usr/bin/chromium");
    const std::vector<std::string> flags{"/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                                         "--user-data-dir=" + (dir / "chromium-profile").string()};
    std::string dom = read_file(page);
    if (chromium) {
      auto argv = flags;
      argv.insert(argv.end(), {"--dump-dom", url});
      const auto [code, out] = run(argv, dir);
      REQUIRE(code == 0);
      dom = out;
    } else {
      MESSAGE(
          "Chromium is not installed (sudo apt-get install chromium): the cells are checked in the file, "
          "not in a browser, and no screenshot is taken");
    }
    const std::vector<Cell> cells = cells_of(dom);
    CHECK(cells.size() == cells_of(read_file(page)).size());  // the browser parsed every cell
    size_t drawn = 0, masked = 0, zero = 0;
    for (const Cell& c : cells) {
      CAPTURE(c.test);
      CAPTURE(c.artifact);
      CAPTURE(c.kind);
      CAPTURE(c.i);
      CAPTURE(c.j);
      const auto find = [&](const char* kind) -> const Artifact* {
        const auto it = recorded.find({c.test, c.artifact, kind});
        return it == recorded.end() ? nullptr : &it->second;
      };
      const Artifact *yours = find("yours"), *expected = find("expected"), *mask = find("mask");
      const Artifact* shape = c.kind == "expected" ? expected : yours;
      REQUIRE(shape != nullptr);
      REQUIRE(c.i < shape->rows);
      REQUIRE(c.j < shape->cols);
      const size_t k = static_cast<size_t>(c.i * shape->cols + c.j);
      if (c.kind == "yours" || c.kind == "expected") {
        ++drawn;
        CHECK(same_value(c.v, shape->values[k]));
      } else {
        REQUIRE(c.kind == "difference");
        REQUIRE(expected != nullptr);
        const double y = yours->values[k], e = expected->values[k], d = y == e ? 0 : y - e;
        if (std::isfinite(d))
          CHECK(std::abs(c.v - d) <= 1e-6 * std::max(1.0, std::abs(d)));
        else
          CHECK(!std::isfinite(c.v));
      }
      // on a map of their shape: masked cells hatched where a mask was recorded, else expected zeros outlined
      if (mask && mask->rows == shape->rows && mask->cols == shape->cols) {
        CHECK(c.masked == (mask->values[k] == 0));
        CHECK_FALSE(c.zero);
      } else if (expected && expected->rows == shape->rows && expected->cols == shape->cols) {
        CHECK(c.zero == (expected->values[k] == 0));
        CHECK_FALSE(c.masked);
      }
      masked += c.masked, zero += c.zero;
    }
    size_t values = 0;  // every recorded value of yours and expected is drawn once
    for (const auto& [key, a] : recorded)
      if (std::get<2>(key) != "mask") values += a.values.size();
    CHECK(drawn == values);
    CHECK(masked > 0);  // the causal weights' masked triangle
    CHECK(zero > 0);    // the fully masked row's expected zeros
    CHECK(dom.find("masked (not allowed)") != std::string::npos);
    CHECK(dom.find("expected exactly 0") != std::string::npos);

    // 5. and a screenshot a person can look at
    if (chromium) {
      auto argv = flags;
      const fs::path png = dir / "report.png";
      argv.insert(argv.end(), {"--window-size=1300,2400", "--screenshot=" + png.string(), url});
      CHECK(run(argv, dir).first == 0);
      REQUIRE(fs::exists(png));
      CHECK(fs::file_size(png) > 20000);
    }

    // 6. transposed weights: both shapes drawn, and said so
    std::ofstream(ws / p01.file_name())
        << apply_patch(read_file(p01.reference()), read_file(known_wrong / "transposed_weights.patch"));
    const fs::path transposed = dir / "transposed.html";
    REQUIRE(cli({"grade", "p01", "-w", ws.string(), "--format", "html", "-o", transposed.string()}, dir)
                .outcome.exit_code == 1);
    const std::string text = read_file(transposed);
    CHECK(text.find("No difference map: yours is 6×4, expected 4×6 (transposed?)") != std::string::npos);
    CHECK(text.find("data-kind=\"yours\" data-i=\"5\" data-j=\"3\"") != std::string::npos);
    CHECK(text.find("data-kind=\"expected\" data-i=\"3\" data-j=\"5\"") != std::string::npos);
  }
}

// Loading the toolkit configuration and the problem catalog; resolving problem ids.
#include "catalog.h"

#include "course.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

namespace attnkata {

using nlohmann::json;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ToolkitError("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {

json parse_json_file(const fs::path& path) {
  try {
    return json::parse(read_file(path));
  } catch (const json::exception& e) {
    throw ToolkitError(path.string() + " is not valid JSON: " + e.what());
  }
}

template <class T>
std::vector<T> list_of(const json& j, const char* key) {
  std::vector<T> out;
  if (j.contains(key))
    for (const auto& item : j.at(key)) out.push_back(item.get<T>());
  return out;
}

}  // namespace

Toolkit Toolkit::load(const fs::path& config_file) {
  if (!fs::exists(config_file))
    throw ToolkitError("the toolkit is not built (" + config_file.string() + " is missing): run ./attnkata");
  const json j = parse_json_file(config_file);
  try {
    Toolkit t;
    t.version = j.at("version");
    t.source_dir = j.at("source_dir").get<std::string>();
    t.build_dir = j.at("build_dir").get<std::string>();
    t.build_program = j.at("build_program").get<std::string>();
    t.compiler = j.at("compiler").get<std::string>();
    for (auto [level, build] : {std::pair{"optimized", &t.optimized}, std::pair{"quick", &t.quick}}) {
      const json& b = j.at("learner_builds").at(level);
      build->compile_flags = list_of<std::string>(b, "compile_flags");
      build->pch_flags = list_of<std::string>(b, "pch_flags");
      for (const auto& o : list_of<std::string>(b, "objects")) build->objects.emplace_back(o);
      build->target = b.at("target");
    }
    t.main_target = j.at("main_target");
    t.compile_flags = list_of<std::string>(j, "compile_flags");
    t.learner_flags = list_of<std::string>(j, "learner_flags");
    t.link_flags = list_of<std::string>(j, "link_flags");
    for (const auto& p : list_of<std::string>(j, "include_dirs")) t.include_dirs.emplace_back(p);
    for (const auto& p : list_of<std::string>(j, "system_include_dirs"))
      t.system_include_dirs.emplace_back(p);
    for (const auto& p : list_of<std::string>(j, "main_objects")) t.main_objects.emplace_back(p);
    for (const auto& [id, objects] : j.at("problem_objects").items())
      for (const auto& o : objects) t.problem_objects[id].emplace_back(o.get<std::string>());
    return t;
  } catch (const json::exception& e) {
    throw ToolkitError(config_file.string() + " is incomplete: " + e.what());
  }
}

int Problem::max_score() const {
  int total = 0;
  for (const auto& t : tests) total += t.points;
  return total;
}

std::vector<TestSpec> parse_test_specs(const std::string& source) {
  // the regex runs only where a declaration starts: over a whole tests.cpp it is slow (the CLI is built at -O0)
  static const std::regex kTest(R"re(^\s*ATTN_TEST\("((?:[^"\\]|\\.)*)",\s*(\w+),\s*(\d+)\))re");
  std::vector<TestSpec> specs;
  for (size_t at = source.find("ATTN_TEST("); at != std::string::npos; at = source.find("ATTN_TEST(", at + 1)) {
    const size_t newline = source.rfind('\n', at), line_begin = newline == std::string::npos ? 0 : newline + 1;
    const std::string line = source.substr(line_begin, at - line_begin + 1000);  // a declaration may wrap
    std::smatch m;
    if (!std::regex_search(line, m, kTest, std::regex_constants::match_continuous)) continue;
    // the body: from the declaration to the brace that closes the first one opened after it
    const size_t begin = at;
    size_t end = source.find('{', begin);
    for (int depth = 0; end != std::string::npos && end < source.size(); ++end) {
      if (source[end] == '{') ++depth;
      if (source[end] == '}' && --depth == 0) break;
    }
    const std::string code = end < source.size() ? source.substr(begin, end + 1 - begin) : "";
    specs.push_back({m[1].str(), m[2].str(), std::stoi(m[3].str()), code});
  }
  return specs;
}

namespace {

Problem load_problem(const fs::path& source_dir, const fs::path& dir) {
  const std::string name = dir.filename().string();
  const fs::path meta = dir / "problem.json";
  if (!fs::exists(meta)) throw ToolkitError(name + " has no problem.json");
  const json j = parse_json_file(meta);
  Problem p;
  try {
    p.id = j.at("id");
    p.slug = j.at("slug");
    p.title = j.at("title");
    // the track is the one problems/course.json lists it in: see load_problems
    p.difficulty = j.at("difficulty");
    p.seed_question = j.at("seed_question");
    p.seed_note = j.value("seed_note", "");
    p.functions = list_of<std::string>(j, "functions");
    p.hints = list_of<std::string>(j, "hints");
    p.optimize = j.value("optimize", false);
    if (j.contains("limits")) {
      const json& l = j.at("limits");
      p.limits.wall_seconds = l.value("wall_seconds", p.limits.wall_seconds);
      p.limits.cpu_seconds = l.value("cpu_seconds", p.limits.cpu_seconds);
      p.limits.memory_mib = l.value("memory_mib", p.limits.memory_mib);
      p.limits.output_kib = l.value("output_kib", p.limits.output_kib);
    }
  } catch (const json::exception& e) {
    throw ToolkitError(meta.string() + ": " + e.what());
  }
  if (name != p.id + "_" + p.slug)
    throw ToolkitError(meta.string() + ": id and slug do not match the directory");
  p.dir = dir;
  p.solution_dir = source_dir / "solutions" / name;
  p.tests = parse_test_specs(read_file(p.dir / "tests.cpp"));
  if (p.tests.empty()) throw ToolkitError(name + "/tests.cpp declares no ATTN_TEST");
  return p;
}

}  // namespace

std::vector<Problem> load_problems(const fs::path& source_dir, std::vector<std::string>* errors) {
  std::vector<Problem> problems;
  const fs::path root = source_dir / "problems";
  if (!fs::is_directory(root)) throw ToolkitError("no problems directory at " + root.string());
  static const std::regex kDirName(R"(p\d\d_[a-z0-9_]+)");
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!entry.is_directory() || !std::regex_match(entry.path().filename().string(), kDirName)) continue;
    try {
      problems.push_back(load_problem(source_dir, entry.path()));
    } catch (const ToolkitError& e) {
      if (!errors) throw;
      errors->push_back(e.what());
    }
  }
  std::sort(problems.begin(), problems.end(), [](const Problem& a, const Problem& b) { return a.id < b.id; });
  if (fs::exists(root / "course.json")) {
    const Course course = Course::load(source_dir);
    for (auto& p : problems) p.track = course.track_of(p.id);
  }
  return problems;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

const Problem& find_problem(const std::vector<Problem>& problems, const std::string& query) {
  std::string q = query;
  std::transform(q.begin(), q.end(), q.begin(), [](unsigned char c) { return std::tolower(c); });
  // "1", "01", "p1", "p01" -> "p01"
  static const std::regex kNumber(R"(p?(\d{1,2}))");
  std::smatch m;
  if (std::regex_match(q, m, kNumber)) q = (m[1].length() == 1 ? "p0" : "p") + m[1].str();
  if (q.size() > 4 && q.ends_with(".cpp")) q.resize(q.size() - 4);  // a workspace file name
  for (const auto& p : problems)
    if (q == p.id || q == p.slug || q == p.id + "_" + p.slug) return p;
  // Nothing matched: an id that does not exist gets the list; anything else the closest id or slug.
  if (std::regex_match(q, std::regex(R"(p\d\d)"))) {
    std::string ids;
    for (const auto& p : problems) ids += (ids.empty() ? "" : " ") + p.id;
    throw UsageError("there is no problem " + q + " yet; the set has " + ids);
  }
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const auto& p : problems)
    for (const std::string& candidate : {p.id, p.slug}) {
      // a fragment of a slug ("bahdanau") counts as close as a one-letter typo
      const size_t d =
          q.size() >= 3 && candidate.find(q) != std::string::npos ? 1 : edit_distance(q, candidate);
      if (d < best_distance) best_distance = d, best = p.id + " (" + p.slug + ")";
    }
  std::string msg = "unknown problem '" + query + "'";
  if (!best.empty() && best_distance <= std::max<size_t>(3, q.size() / 3))
    msg += "; did you mean " + best + "?";
  throw UsageError(msg + " (./attnkata list shows them all)");
}

}  // namespace attnkata

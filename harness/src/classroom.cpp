// Class grading and its reports.
#include "classroom.h"

#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "grade.h"
#include "toolchain.h"
#include "json_io.h"
#include "state.h"
#include "verdict.h"
#include "view.h"

namespace attnkata {

using ojson = nlohmann::ordered_json;

namespace {

std::string trim(std::string s) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

// What a grade depends on besides the learner's file: the problem's compiled tests and the test main (their bytes,
// not their times: a rebuild from the same sources changes nothing), the limits, the grader's version. Each object is
// hashed once per class run (object_hashes): the test main and the PCH's code are shared by every problem.
std::string toolkit_fingerprint(const Toolkit& toolkit, const Problem& p, std::map<fs::path, uint64_t>& object_hashes) {
  std::string fp = toolkit.version;
  std::vector<fs::path> objects = toolkit.main_objects;
  const LearnerBuild& build = learner_build(toolkit, p);
  objects.insert(objects.end(), build.objects.begin(), build.objects.end());
  for (const auto& f : build.compile_flags) fp += " " + f;
  if (const auto it = toolkit.problem_objects.find(p.id); it != toolkit.problem_objects.end())
    objects.insert(objects.end(), it->second.begin(), it->second.end());
  for (const auto& o : objects) {
    if (!object_hashes.count(o)) object_hashes[o] = stable_hash(read_or_empty(o));
    fp += fmt::format("|{}:{:016x}", o.filename().string(), object_hashes[o]);
  }
  return fp + fmt::format("|{}|{}|{}", p.limits.wall_seconds, p.limits.memory_mib, p.limits.output_kib);
}

ProblemResult missing_file_result(const Problem& p, const fs::path& file) {
  ProblemResult r;
  r.id = p.id, r.slug = p.slug, r.file = file, r.max_score = p.max_score();
  r.verdict = Verdict::compile_error;
  r.summary = std::string(kNotSubmitted) + ": " + file.filename().string() + " is missing";
  r.tests = score_tests(p.tests, {}, "not run: not submitted");
  return r;
}

}  // namespace

std::vector<Learner> load_roster(const fs::path& roster) {
  if (!fs::exists(roster)) throw UsageError("roster " + roster.string() + " does not exist");
  std::vector<Learner> learners;
  if (fs::is_directory(roster)) {
    for (const auto& entry : fs::directory_iterator(roster))
      if (entry.is_directory() && entry.path().filename().string().front() != '.')
        learners.push_back({entry.path().filename().string(), entry.path()});
    std::sort(learners.begin(), learners.end(), [](const Learner& a, const Learner& b) { return a.name < b.name; });
  } else {
    std::istringstream in(read_file(roster));
    std::string line;
    for (int line_no = 1; std::getline(in, line); ++line_no) {
      line = trim(line);
      if (line.empty() || line.front() == '#') continue;
      const size_t comma = line.find(',');
      if (comma == std::string::npos)
        throw UsageError(fmt::format("{}:{}: expected `name,path`, got '{}'", roster.string(), line_no, line));
      const std::string name = trim(line.substr(0, comma)), path = trim(line.substr(comma + 1));
      if (line_no == 1 && name == "name" && path == "path") continue;  // a header
      if (name.empty() || path.empty())
        throw UsageError(fmt::format("{}:{}: a learner needs a name and a path", roster.string(), line_no));
      fs::path dir = path;
      if (dir.is_relative()) dir = roster.parent_path() / dir;
      if (!fs::is_directory(dir))
        throw UsageError(fmt::format("{}:{}: {} is not a directory", roster.string(), line_no, dir.string()));
      learners.push_back({name, dir});
    }
  }
  if (learners.empty()) throw UsageError("roster " + roster.string() + " lists no learners");
  std::set<std::string> names;
  for (const auto& l : learners)
    if (!names.insert(l.name).second) throw UsageError("roster " + roster.string() + " names " + l.name + " twice");
  return learners;
}

std::vector<LearnerResult> grade_class(const Toolkit& toolkit, const std::vector<Learner>& learners,
                                       const std::vector<const Problem*>& problems, const ClassOptions& options) {
  std::vector<LearnerResult> out;
  std::vector<GradeRequest> requests;
  std::vector<std::pair<size_t, size_t>> slot;  // request -> (learner, problem)
  std::vector<std::string> keys;                // request -> cache key
  std::map<std::string, size_t> leader_of;      // cache key -> the request that grades that content
  std::multimap<size_t, std::pair<size_t, size_t>> followers;  // request -> (learner, problem) with the same file
  std::vector<WorkspaceState> states;
  size_t done = 0, not_passed = 0, reused = 0;
  const size_t total = learners.size() * problems.size();
  // the test objects first: a key taken from stale objects would regrade everything on the next run
  build_for(toolkit, problems);
  std::map<std::string, std::string> fingerprints;  // problem id -> toolkit_fingerprint, computed once
  std::map<fs::path, uint64_t> object_hashes;
  for (const Problem* p : problems) fingerprints[p->id] = toolkit_fingerprint(toolkit, *p, object_hashes);
  for (size_t li = 0; li < learners.size(); ++li) {
    const Learner& l = learners[li];
    states.emplace_back(toolkit, l.workspace);
    LearnerResult lr{l, std::vector<ProblemResult>(problems.size()), 0, 0, false};
    for (size_t pi = 0; pi < problems.size(); ++pi) {
      const Problem& p = *problems[pi];
      const fs::path file = l.workspace / p.file_name();
      lr.max_score += p.max_score();
      if (!fs::is_regular_file(file)) {
        lr.problems[pi] = missing_file_result(p, file);
        ++done, ++not_passed;
        continue;
      }
      lr.submitted_any = true;
      std::string key;
      try {
        key = fmt::format("{:016x}", stable_hash(read_file(file) + "\n" + fingerprints.at(p.id)));
      } catch (const std::exception&) {
        key.clear();  // unreadable: grade it, and let the compiler say so
      }
      const fs::path key_file = states.back().work_dir(p.id).string() + ".key";
      if (!key.empty() && fs::exists(key_file) && read_file(key_file) == key)
        if (auto cached = states.back().last_result(p.id)) {
          cached->file = file;
          lr.problems[pi] = std::move(*cached);
          ++done, ++reused;
          not_passed += lr.problems[pi].verdict != Verdict::passed;
          continue;
        }
      // a file identical to one already queued (an untouched stub, a shared solution) is graded once
      if (!key.empty()) {
        if (const auto it = leader_of.find(key); it != leader_of.end()) {
          followers.insert({it->second, {li, pi}});
          continue;
        }
        leader_of[key] = requests.size();
      }
      requests.push_back({&p, file, file, states.back().work_dir(p.id)});
      slot.emplace_back(li, pi);
      keys.push_back(key);
    }
    out.push_back(std::move(lr));
  }
  if (options.progress) options.progress(done, total, not_passed, reused);

  BatchOptions batch;
  batch.jobs = options.jobs;
  batch.sandbox = options.sandbox;
  batch.cancel = options.cancel;
  batch.build_first = false;  // built above
  // one finished result for learner li's problem pi, kept for the next run unless the grader failed or was cancelled
  auto record = [&](size_t li, size_t pi, const std::string& key, const ProblemResult& r) {
    if (r.verdict != Verdict::internal_error) {
      states[li].save_result(r);
      if (!key.empty()) std::ofstream(states[li].work_dir(r.id).string() + ".key") << key;
    }
    out[li].problems[pi] = r;
    ++done;
    not_passed += r.verdict != Verdict::passed;
  };
  batch.on_result = [&](size_t i, const ProblemResult& r) {
    record(slot[i].first, slot[i].second, keys[i], r);
    // the same result for every identical file, with that learner's path in place of the graded one's
    const auto [first, last] = followers.equal_range(i);
    for (auto it = first; it != last; ++it) {
      const auto [li, pi] = it->second;
      ProblemResult copy = r;
      copy.file = out[li].learner.workspace / problems[pi]->file_name();
      replace_all(copy.compile_output, r.file.string(), copy.file.string());
      replace_all(copy.summary, r.file.string(), copy.file.string());
      for (auto& t : copy.tests) replace_all(t.message, r.file.string(), copy.file.string());
      record(li, pi, keys[i], copy);
    }
    if (options.progress) options.progress(done, total, not_passed, reused);
  };
  grade_batch(toolkit, requests, batch);
  for (auto& lr : out) {
    lr.score = 0;
    for (const auto& r : lr.problems) lr.score += r.score;
  }
  return out;
}

// ---- reports ----

std::string render_class_json(const std::vector<LearnerResult>& results, const std::vector<const Problem*>& problems) {
  ojson ps = ojson::array();
  for (const Problem* p : problems)
    ps.push_back({{"id", p->id}, {"slug", p->slug}, {"title", p->title}, {"max_score", p->max_score()}});
  ojson learners = ojson::array();
  for (const auto& lr : results) {
    ojson graded = ojson::array();
    for (const auto& r : lr.problems) graded.push_back(problem_to_json(r));
    learners.push_back({{"name", lr.learner.name},
                        {"workspace", lr.learner.workspace.string()},
                        {"score", lr.score},
                        {"max_score", lr.max_score},
                        {"problems", graded}});
  }
  return ojson{{"version", 1}, {"problems", ps}, {"learners", learners}}.dump(2, ' ', false,
                                                                             ojson::error_handler_t::replace) +
         "\n";
}

std::vector<LearnerResult> parse_class_json(const std::string& text) {
  std::vector<LearnerResult> out;
  const ojson doc = ojson::parse(text);  // a range over parse(text).at(...) would outlive the temporary
  for (const auto& l : doc.at("learners")) {
    LearnerResult lr;
    lr.learner = {l.at("name"), l.value("workspace", "")};
    lr.score = l.at("score"), lr.max_score = l.at("max_score");
    for (const auto& p : l.at("problems")) lr.problems.push_back(problem_from_json(p));
    out.push_back(std::move(lr));
  }
  return out;
}

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// One character a verdict, for the scoreboard's cells.
const char* mark(Verdict v, bool submitted) {
  if (!submitted) return "–";
  switch (v) {
    case Verdict::passed: return "✓";
    case Verdict::failed: return "✗";
    case Verdict::compile_error: return "C";
    case Verdict::time_limit: return "T";
    case Verdict::memory_limit: return "M";
    case Verdict::output_limit: return "O";
    case Verdict::runtime_error: return "R";
    case Verdict::internal_error: return "?";
  }
  return "?";
}

}  // namespace

std::string render_gradebook_csv(const std::vector<LearnerResult>& results,
                                 const std::vector<const Problem*>& problems) {
  std::string out = "name";
  for (const Problem* p : problems) out += "," + p->id;
  out += ",total,max\n";
  for (const auto& lr : results) {
    out += csv_field(lr.learner.name);
    for (const auto& r : lr.problems) out += "," + std::to_string(r.score);
    out += fmt::format(",{},{}\n", lr.score, lr.max_score);
  }
  return out;
}

std::string render_scoreboard_html(const std::vector<LearnerResult>& results,
                                   const std::vector<const Problem*>& problems, const std::string& title) {
  std::string head = "<tr><th>learner</th>";
  for (const Problem* p : problems)
    head += fmt::format("<th title=\"{}\">{}<br><small>{}</small></th>", escape_markup(p->title), p->id, p->max_score());
  head += "<th>total</th></tr>\n";
  std::string rows;
  for (const auto& lr : results) {
    rows += "<tr><th class=\"name\">" + escape_markup(lr.learner.name) + "</th>";
    for (size_t pi = 0; pi < problems.size(); ++pi) {
      const ProblemResult& r = lr.problems[pi];
      const bool submitted = was_submitted(r);
      const double frac = r.max_score ? static_cast<double>(r.score) / r.max_score : 0;
      // a heat map from red (0) through yellow to green (full marks)
      const int hue = static_cast<int>(120 * frac);
      rows += fmt::format(
          "<td class=\"cell\" style=\"background:hsl({},70%,{}%)\" data-learner=\"{}\" data-problem=\"{}\" "
          "data-score=\"{}\" data-max=\"{}\" data-verdict=\"{}\" title=\"{}\">{} {}</td>",
          hue, submitted ? 72 : 92, escape_markup(lr.learner.name), r.id, r.score, r.max_score, to_string(r.verdict),
          escape_markup(to_string(r.verdict) + (r.summary.empty() ? "" : ": " + r.summary)), mark(r.verdict, submitted),
          r.score);
    }
    rows += fmt::format("<td class=\"total\" data-learner=\"{}\" data-total=\"{}\">{}/{}</td></tr>\n",
                        escape_markup(lr.learner.name), lr.score, lr.score, lr.max_score);
  }
  // per problem: pass rate, then the tests most learners fail and what they are told
  std::string rate = "<tr><th>passed</th>", reteach;
  for (size_t pi = 0; pi < problems.size(); ++pi) {
    const Problem& p = *problems[pi];
    int passed = 0;
    std::map<std::string, std::pair<int, std::string>> failing;  // test -> (learners failing it, a message)
    for (const auto& lr : results) {
      const ProblemResult& r = lr.problems[pi];
      passed += r.verdict == Verdict::passed;
      if (!was_submitted(r)) continue;
      for (const auto& t : r.tests)
        if (!t.passed()) {
          auto& [n, message] = failing[t.name];
          ++n;
          if (message.empty()) message = t.message.substr(0, t.message.find('\n'));
        }
    }
    const int pct = results.empty() ? 0 : static_cast<int>(100.0 * passed / results.size() + 0.5);
    rate += fmt::format("<td class=\"rate\" data-problem=\"{}\" data-passed=\"{}\">{}/{} ({}%)</td>", p.id, passed,
                        passed, results.size(), pct);
    std::vector<std::pair<int, std::string>> order;
    for (const auto& [name, entry] : failing) order.emplace_back(entry.first, name);
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    if (order.empty()) continue;
    reteach += fmt::format("<h3>{} {}</h3><ol>", p.id, escape_markup(p.title));
    for (size_t k = 0; k < std::min<size_t>(order.size(), 3); ++k)
      reteach += fmt::format("<li data-problem=\"{}\" data-failing=\"{}\"><b>{}</b> — failed by {} of {}<br><code>{}</code></li>",
                             p.id, order[k].first, escape_markup(order[k].second), order[k].first, results.size(),
                             escape_markup(failing[order[k].second].second));
    reteach += "</ol>\n";
  }
  rate += "<td></td></tr>\n";
  return fmt::format(R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{0}</title>
<style>
body {{ font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #ccc; padding: 3px 6px; text-align: center; }}
th.name {{ text-align: left; }}
td.cell {{ min-width: 3.2em; }}
td.total {{ font-weight: bold; }}
code {{ font-size: 12px; color: #555; }}
.legend {{ color: #555; }}
</style></head>
<body>
<h1>{0}</h1>
<p class="legend">✓ passed · ✗ failed some tests · C does not compile (or not submitted: –) · T time limit · M memory
limit · O output limit · R crashed · ? grader error. A cell is coloured by its share of the points, red to green.</p>
<table id="scoreboard">
{1}{2}{3}</table>
<h2>What to re-teach: the tests most learners fail</h2>
{4}
</body></html>
)",
                     escape_markup(title), head, rows, rate, reteach.empty() ? "<p>Nothing: every graded test passed.</p>" : reteach);
}

}  // namespace attnkata

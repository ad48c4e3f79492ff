// attnkata: the command line. Dispatches on the first argument (cxxopts has no subcommands); each verb has
// its own options and --help. Exit codes: 0 all graded problems passed, 1 some did not, 2 usage error,
// 3 internal error.
#include <fmt/core.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cxxopts.hpp>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>

#include "catalog.h"
#include "classroom.h"
#include "course.h"
#include "drill.h"
#include "editor.h"
#include "export.h"
#include "grade.h"
#include "state.h"
#include "view.h"
#include "watch.h"

namespace attnkata {
namespace {

constexpr int kExitPassed = 0, kExitNotPassed = 1, kExitUsage = 2, kExitInternal = 3;

// How the user invoked us, for the commands we suggest ("./attnkata" from the bootstrap script).
std::string prog() {
  const char* p = std::getenv("ATTNKATA_PROG");
  return p ? p : "attnkata";
}

constexpr const char* kUsage = R"(attnkata — attention-mechanism katas with a grader

Usage: {0} <command> [options]

Commands for learners:
  list                  the problems in course order, with your progress
  next                  the next problem to work on (the first that has not passed)
  watch [ID]            grade on every save, redrawn in place; moves on when it passes
  init                  copy every problem's stub into the workspace (never overwrites), and a
                        compile_commands.json so that clangd-based editors understand the files
  grade ID... | --all   compile your file(s) against the tests and score them
  show ID               the problem statement (--walkthrough: the worked solution, after it passes)
  hint ID               the next hint for a problem (--all: every hint)
  reset ID              restore the stub, saving your file beside it first
  interview [ID]        a timed drill: fresh stub, countdown, hints locked (--minutes, --set interview)
  stats                 your drills: best times, and which problems to drill again

For teachers:
  class ROSTER [ID...]  grade every learner's workspace; writes class.json, gradebook.csv, scoreboard.html
  export gradescope|github-classroom [ID...]
                        an autograder bundle or workflow that runs this grader on a course platform

For maintainers:
  test                  build everything and run the whole self-test suite

IDs may be written p01, 1, 01 or as the slug (sdpa_stable_softmax).
Options common to list, next, watch, interview, stats, init, grade, show, hint, reset:
  --workspace DIR  (default: workspace/)
Every command takes --help.  {0} --version prints the version.

Exit codes: 0 every graded problem passed; 1 some did not; 2 usage error; 3 internal error, or the machine
lacks what was asked for (bubblewrap for --isolate).
)";

struct Context {
  Toolkit toolkit;
  std::vector<Problem> problems;
  Course course;
};

Toolkit load_toolkit() {
  char self[4096];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) throw ToolkitError("cannot locate the attnkata executable");
  self[n] = '\0';
  return Toolkit::load(fs::path(self).parent_path() / "attnkata-toolkit.json");
}

Context load_context() {
  Context c{load_toolkit(), {}, {}};
  c.course = Course::load(c.toolkit.source_dir);
  std::vector<std::string> errors;
  c.problems = load_problems(c.toolkit.source_dir, &errors);
  for (const auto& e : errors) std::cerr << "attnkata: warning: skipping a broken problem: " << e << "\n";
  return c;
}

cxxopts::ParseResult parse(cxxopts::Options& options, int argc, char** argv) {
  options.add_options()("h,help", "show this help");
  try {
    auto result = options.parse(argc, argv);
    if (!result.unmatched().empty()) throw UsageError("unexpected argument '" + result.unmatched()[0] + "'");
    if (result.count("help")) {
      std::cout << options.help();
      std::exit(kExitPassed);
    }
    return result;
  } catch (const cxxopts::exceptions::exception& e) {
    throw UsageError(std::string(e.what()) + " (" + options.program() + " --help)");
  }
}

void add_workspace_option(cxxopts::Options& options) {
  options.add_options()("w,workspace",
                        "the learner's workspace directory (default: workspace/ in the toolkit)",
                        cxxopts::value<std::string>());
}

fs::path workspace_dir(const Context& c, const cxxopts::ParseResult& args) {
  fs::path ws = args.count("workspace") ? fs::path(args["workspace"].as<std::string>())
                                        : c.toolkit.source_dir / "workspace";
  if (fs::exists(ws) && !fs::is_directory(ws))
    throw UsageError("workspace " + ws.string() + " is a file, not a directory");
  return ws;
}

void add_time_limit_option(cxxopts::Options& options) {
  options.add_options()("time-limit", "override each problem's wall and CPU time limits (seconds)",
                        cxxopts::value<double>());
}

void apply_time_limit(Context& c, const cxxopts::ParseResult& args) {
  if (!args.count("time-limit")) return;
  const double limit = args["time-limit"].as<double>();
  if (!(limit > 0 && limit <= 3600)) throw UsageError("--time-limit must be between 0 and 3600 seconds");
  for (auto& p : c.problems) p.limits.wall_seconds = p.limits.cpu_seconds = limit;
}

// --track NAME or --set NAME, whichever was given ("" for neither).
std::string group_option(const cxxopts::ParseResult& args) {
  return args.count("track") ? args["track"].as<std::string>()
         : args.count("set") ? args["set"].as<std::string>() : "";
}

// The first problem in course order (within group, if any) that has not passed in the workspace.
const Problem* first_not_passed(const Context& c, const WorkspaceState& state, const std::string& group = "") {
  for (const Problem* p : in_course_order(c.course, c.problems, group))
    if (const auto last = state.last_result(p->id); !last || last->verdict != Verdict::passed) return p;
  return nullptr;
}

std::string shown(const fs::path& p) {
  std::error_code ec;
  const fs::path rel = fs::relative(p, fs::current_path(), ec);
  return !ec && !rel.empty() && !rel.string().starts_with("../..") ? rel.string() : p.string();
}

// Copies the stub into the workspace unless a file is there; returns true when it created one.
bool ensure_workspace_file(const Problem& p, const fs::path& workspace) {
  const fs::path file = workspace / p.file_name();
  if (fs::exists(file) || fs::is_symlink(file)) return false;
  std::error_code ec;
  fs::create_directories(workspace, ec);
  if (ec) throw UsageError("cannot create workspace " + workspace.string() + ": " + ec.message());
  fs::copy_file(p.stub(), file, ec);
  if (ec) throw UsageError("cannot create " + file.string() + ": " + ec.message());
  return true;
}

// Puts the stub in the workspace. An existing file is first saved beside it as <name>.<timestamp>.bak (never
// overwriting a backup: nothing changes when the copy fails); returns that backup, or nullopt when there was no file.
std::optional<fs::path> restore_stub(const Problem& p, const fs::path& ws) {
  const fs::path file = ws / p.file_name();
  if (!fs::exists(file)) {
    ensure_workspace_file(p, ws);
    return std::nullopt;
  }
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  const fs::path backup = ws / (p.file_name() + "." + stamp + ".bak");
  std::error_code ec;
  fs::copy_file(file, backup, ec);
  if (ec) throw UsageError("cannot save your file to " + shown(backup) + ": " + ec.message() + "; nothing changed");
  fs::copy_file(p.stub(), file, fs::copy_options::overwrite_existing);
  return backup;
}

// "14:05" today, "Nov 28 14:05" before: when a file was last written.
std::string when(const fs::path& file) {
  std::error_code ec;
  const auto t = fs::last_write_time(file, ec);
  if (ec) return "?";
  const std::time_t written = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(std::chrono::file_clock::to_sys(t)));
  const std::time_t now = std::time(nullptr);
  std::tm w{}, n{};
  localtime_r(&written, &w);
  localtime_r(&now, &n);
  char buf[32];
  std::strftime(buf, sizeof buf, w.tm_yday == n.tm_yday && w.tm_year == n.tm_year ? "%H:%M" : "%b %d %H:%M", &w);
  return buf;
}

bool is_terminal(int fd) {
  return ::isatty(fd) != 0;
}
bool use_color() {
  return is_terminal(STDOUT_FILENO) && !std::getenv("NO_COLOR");
}

// Hints and the walkthrough of a problem under an interview drill stay locked until it ends.
void refuse_during_drill(const Context& c, const fs::path& ws, const Problem& p, const std::string& what) {
  const auto drill = DrillLog(WorkspaceState(c.toolkit, ws)).active();
  if (drill && drill->id == p.id)
    throw UsageError(fmt::format("{} of {} {} locked during its interview drill ({} left) until it passes or the "
                                 "time is up",
                                 what, p.id, what == "hints" ? "are" : "is",
                                 clock_text(static_cast<double>(drill->deadline - std::time(nullptr)))));
}

// ---- verbs ----

int cmd_list(int argc, char** argv) {
  cxxopts::Options options(prog() + " list",
                           "The problems by track in course order, with your progress in the workspace.\n"
                           "--set NAME lists one named set instead (the course order is problems/course.json).");
  add_workspace_option(options);
  options.add_options()("set", "only the problems of this set or track (e.g. interview, workshop-day1)",
                        cxxopts::value<std::string>());
  const auto args = parse(options, argc, argv);
  const Context c = load_context();
  const fs::path ws = workspace_dir(c, args);
  const WorkspaceState state(c.toolkit, ws);
  std::vector<const Problem*> ordered = in_course_order(c.course, c.problems);
  if (args.count("set")) {
    const Course::Group& g = c.course.group(args["set"].as<std::string>());
    std::vector<const Problem*> chosen;
    for (const auto& id : g.ids)
      for (const Problem* p : ordered)
        if (p->id == id) chosen.push_back(p);
    fmt::print("{} ({} of its {} problems are here)\n", g.title, chosen.size(), g.ids.size());
    ordered = chosen;
  }
  std::string track = "\x01";
  for (const Problem* problem : ordered) {
    const Problem& p = *problem;
    if (!args.count("set") && p.track != track) {
      track = p.track;
      std::string title = track;
      for (const auto& t : c.course.tracks)
        if (t.name == track) title = t.title;
      fmt::print("{}{}\n", problem == ordered.front() ? "" : "\n", title);
    }
    std::string status = "not started";
    const fs::path file = ws / p.file_name();
    if (const auto r = state.last_result(p.id)) {
      status = r->verdict == Verdict::passed ? fmt::format("passed {}/{}", r->score, r->max_score)
                                             : fmt::format("{}/{} ({})", r->score, r->max_score, to_string(r->verdict));
      status += ", graded " + when(state.dir() / (p.id + ".json"));
    } else if (fs::exists(file) && read_file(file) != read_file(p.stub())) {
      status = "started, not graded";
    }
    fmt::print("  {}  {:<34} {:<11} {:>3} pts  {}\n", p.id, p.slug, p.difficulty, p.max_score(), status);
  }
  if (!ordered.empty()) fmt::print("\nStart with: {} grade {}\n", prog(), ordered.front()->id);
  return kExitPassed;
}

int cmd_init(int argc, char** argv) {
  cxxopts::Options options(prog() + " init",
                           "Copy every problem's stub into the workspace. Existing files are never touched.");
  add_workspace_option(options);
  const auto args = parse(options, argc, argv);
  const Context c = load_context();
  const fs::path ws = workspace_dir(c, args);
  int created = 0, kept = 0;
  for (const auto& p : c.problems) (ensure_workspace_file(p, ws) ? created : kept)++;
  fmt::print("{}: created {} file{}, kept {} existing\n", shown(ws), created, created == 1 ? "" : "s", kept);
  const std::string note = write_editor_config(c.toolkit, c.problems, ws);
  if (note.empty())
    fmt::print("{}: compile_commands.json for clangd (completion and errors in your editor)\n", shown(ws));
  else
    std::cerr << "attnkata: " << note << "\n";
  return kExitPassed;
}

int cmd_grade(int argc, char** argv) {
  cxxopts::Options options(
      prog() + " grade",
      "Compile each file against the problem's tests, run it under limits and score it.\n"
      "A missing workspace file is first created from the stub.\n"
      "Exit codes: 0 every graded problem passed, 1 some did not, 2 usage error, 3 internal error or a\n"
      "missing sandbox (--isolate without bubblewrap).\n");
  options.positional_help("ID...");
  add_workspace_option(options);
  // clang-format off
  options.add_options()
      ("a,all", "grade every problem")
      ("reference", "grade the reference solutions instead of a workspace")
      ("f,format", "text, json, html (one page with heat maps of the failing tests' matrices: yours, expected, "
                   "difference), exercism (results.json v3), gradescope (results.json) or junit (XML)",
       cxxopts::value<std::string>()->default_value("text"))
      ("o,output", "write the report to FILE instead of standard output", cxxopts::value<std::string>())
      ("v,verbose", "show passing tests, compiler warnings and full compiler output (html: heat maps of passing "
                    "tests too)")
      ("j,jobs", "problems graded in parallel", cxxopts::value<int>()->default_value("2"))
      ("isolate", "run each submission in bubblewrap: no network, read-only filesystem, private /tmp "
                  "(also on when ATTNKATA_ISOLATE=1); without bubblewrap installed, nothing is graded (exit 3)")
      ("ids", "problem ids", cxxopts::value<std::vector<std::string>>());
  // clang-format on
  add_time_limit_option(options);
  options.parse_positional({"ids"});
  const auto args = parse(options, argc, argv);
  const std::string format = args["format"].as<std::string>();
  const bool all = args.count("all") > 0, reference = args.count("reference") > 0;
  const auto ids =
      args.count("ids") ? args["ids"].as<std::vector<std::string>>() : std::vector<std::string>{};
  if (all && !ids.empty()) throw UsageError("give problem ids or --all, not both");
  if (!all && ids.empty()) throw UsageError("which problem? e.g. " + prog() + " grade p01 (or --all)");
  if (reference && args.count("workspace"))
    throw UsageError("--reference grades the reference solutions: it takes no --workspace");
  BatchOptions batch;
  batch.jobs = std::max(1, args["jobs"].as<int>());
  if (format == "html")  // the test runs record the matrices the heat maps show
    batch.artifacts = args.count("verbose") ? ArtifactMode::all : ArtifactMode::failing;
  const char* isolate_env = std::getenv("ATTNKATA_ISOLATE");
  if (args.count("isolate") || (isolate_env && std::string(isolate_env) == "1"))
    batch.sandbox = Sandbox::require();  // fails closed: no bubblewrap, no grading
  const bool to_file = args.count("output") > 0;
  const auto view =
      make_view(format, {use_color() && !to_file && format == "text", args.count("verbose") > 0});

  Context c = load_context();
  apply_time_limit(c, args);
  std::vector<const Problem*> selected;
  if (all)
    for (const auto& p : c.problems) selected.push_back(&p);
  for (const auto& id : ids) selected.push_back(&find_problem(c.problems, id));
  const fs::path ws = reference ? fs::path() : workspace_dir(c, args);
  const WorkspaceState state = reference ? WorkspaceState::reference(c.toolkit) : WorkspaceState(c.toolkit, ws);

  // Sources: the reference, or the learner's file (created from the stub when missing).
  std::vector<GradeRequest> requests;
  for (const Problem* p : selected) {
    GradeRequest req;
    req.problem = p;
    req.work_dir = state.work_dir(p->id);
    if (reference) {
      req.source = p->reference();
    } else {
      if (ensure_workspace_file(*p, ws))
        std::cerr << fmt::format("created {} from the stub\n", shown(ws / p->file_name()));
      req.source = ws / p->file_name();
      if (!fs::is_regular_file(req.source)) throw UsageError(shown(req.source) + " is not a regular file");
    }
    req.display_path = shown(req.source);
    requests.push_back(req);
  }

  if (!reference) write_editor_config(c.toolkit, c.problems, ws);  // clangd understands the files graded here
  const bool progress = is_terminal(STDERR_FILENO) && format == "text";
  if (progress) std::cerr << "checking the toolkit build…\r" << std::flush;
  size_t done = 0;
  batch.on_result = [&](size_t, const ProblemResult& r) {
    state.save_result(r);  // remembered for `list`
    if (progress) std::cerr << fmt::format("\33[2Kgraded {}/{}…\r", ++done, requests.size()) << std::flush;
  };
  const std::vector<ProblemResult> results = grade_batch(c.toolkit, requests, batch);
  if (progress) std::cerr << "\33[2K" << std::flush;

  const std::string report = view->render(results);
  if (to_file) {
    std::ofstream out(args["output"].as<std::string>());
    if (!(out << report)) throw UsageError("cannot write " + args["output"].as<std::string>());
  } else {
    std::cout << report;
  }

  bool all_passed = true, internal = false;
  for (const auto& r : results)
    all_passed &= r.verdict == Verdict::passed, internal |= r.verdict == Verdict::internal_error;
  if (format == "text" && !to_file && !reference && selected.size() == 1) {
    const Problem& p = *selected.front();
    if (results.front().verdict == Verdict::passed) {
      fmt::print("\nAll {} tests pass. The worked solution: {} show {} --walkthrough\n", p.tests.size(),
                 prog(), p.id);
      if (const Problem* next = c.course.next_after(p.id, c.problems))
        fmt::print("Next: {} grade {}  ({})\n", prog(), next->id, next->title);
    } else if (results.front().verdict != Verdict::internal_error) {
      fmt::print("\nEdit {}, then run {} grade {} again.\nThe statement: {} show {}    A hint: {} hint {}\n",
                 shown(ws / p.file_name()), prog(), p.id, prog(), p.id, prog(), p.id);
    }
  }
  return internal ? kExitInternal : all_passed ? kExitPassed : kExitNotPassed;
}

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) {
  g_interrupted = true;
}

int cmd_class(int argc, char** argv) {
  cxxopts::Options options(
      prog() + " class",
      "Grade a whole class: every learner's workspace against the chosen problems, N at a time.\n"
      "ROSTER is a directory with one sub-directory per learner, or a CSV file of `name,path` lines.\n"
      "An unchanged file is not graded again, and files identical across learners are graded once.\n"
      "Nothing is written into a learner's folder; the reports go to --output-dir: class.json, gradebook.csv\n"
      "(for an LMS), scoreboard.html (open it in a browser), and with --format one file per learner in\n"
      "learners/. Ctrl-C stops early and still writes what was graded.\n"
      "Exit codes: 0 every pair passed, 1 some did not, 2 usage error, 3 internal error, 130 interrupted.\n");
  options.positional_help("ROSTER [ID...]");
  // clang-format off
  options.add_options()
      ("track", "the problems of one track", cxxopts::value<std::string>())
      ("set", "the problems of a named set (interview, workshop-day1, ...)", cxxopts::value<std::string>())
      ("o,output-dir", "where the reports go", cxxopts::value<std::string>()->default_value("class-report"))
      ("f,format", "also one report per learner: json, exercism, gradescope or junit", cxxopts::value<std::string>())
      ("title", "the scoreboard's title", cxxopts::value<std::string>()->default_value("attnkata scoreboard"))
      ("j,jobs", "pairs graded in parallel", cxxopts::value<int>()->default_value("2"))
      ("isolate", "run each submission in bubblewrap (without bubblewrap installed, nothing is graded: exit 3)")
      ("args", "roster and problem ids", cxxopts::value<std::vector<std::string>>());
  // clang-format on
  add_time_limit_option(options);
  options.parse_positional({"args"});
  const auto args = parse(options, argc, argv);
  auto positional = args.count("args") ? args["args"].as<std::vector<std::string>>() : std::vector<std::string>{};
  if (positional.empty())
    throw UsageError("which class? e.g. " + prog() + " class submissions/ (a folder per learner, or a CSV)");
  const fs::path roster = positional.front();
  const std::vector<std::string> ids(positional.begin() + 1, positional.end());
  if ((!ids.empty()) + args.count("track") + args.count("set") > 1)
    throw UsageError("choose the problems one way: ids, --track or --set");
  std::unique_ptr<View> per_learner;
  std::string extension;
  if (args.count("format")) {
    const std::string format = args["format"].as<std::string>();
    if (format == "text" || format == "html")
      throw UsageError("--format for class is json, exercism, gradescope or junit (heat maps: grade ID --format html)");
    per_learner = make_view(format, {});
    extension = format == "junit" ? ".xml" : "." + format + ".json";
  }
  ClassOptions copt;
  copt.jobs = std::max(1, args["jobs"].as<int>());
  if (args.count("isolate")) copt.sandbox = Sandbox::require();

  Context c = load_context();
  apply_time_limit(c, args);
  std::vector<const Problem*> problems;
  if (!ids.empty()) {
    for (const auto& id : ids) problems.push_back(&find_problem(c.problems, id));
  } else {
    problems = in_course_order(c.course, c.problems, group_option(args));
    if (problems.empty()) throw UsageError("'" + group_option(args) + "' has no problem in this repository yet");
  }
  const std::vector<Learner> learners = load_roster(roster);
  for (const auto& l : learners) {
    bool any = false;
    for (const Problem* p : problems) any |= fs::exists(l.workspace / p->file_name());
    if (!any) std::cerr << fmt::format("attnkata: note: {} has no file for these problems ({})\n", l.name,
                                       shown(l.workspace));
  }

  const bool progress = is_terminal(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  copt.cancel = &g_interrupted;
  size_t unchanged = 0;  // pairs reused from the last run, for the summary
  copt.progress = [&](size_t done, size_t total, size_t not_passed, size_t reused) {
    unchanged = reused;
    if (!progress) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const size_t graded = done - reused;
    const std::string left =
        graded > 0 && done < total ? fmt::format(", ~{:.0f} s left", elapsed / graded * (total - done)) : "";
    std::cerr << fmt::format("\33[2Kgraded {}/{} ({} not passed, {} unchanged{})\r", done, total, not_passed,
                             reused, left)
              << std::flush;
  };
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  const std::vector<LearnerResult> results = grade_class(c.toolkit, learners, problems, copt);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (progress) std::cerr << "\33[2K" << std::flush;

  const fs::path out = args["output-dir"].as<std::string>();
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw UsageError("cannot create " + out.string() + ": " + ec.message());
  auto write = [&](const fs::path& file, const std::string& text) {
    std::ofstream f(file);
    if (!(f << text)) throw UsageError("cannot write " + file.string());
  };
  write(out / "class.json", render_class_json(results, problems));
  write(out / "gradebook.csv", render_gradebook_csv(results, problems));
  write(out / "scoreboard.html", render_scoreboard_html(results, problems, args["title"].as<std::string>()));
  if (per_learner) {
    fs::create_directories(out / "learners");
    for (const auto& lr : results) write(out / "learners" / (lr.learner.name + extension), per_learner->render(lr.problems));
  }

  size_t pairs = 0, passed = 0, cancelled = 0;
  bool internal = false;
  for (const auto& lr : results)
    for (const auto& r : lr.problems) {
      ++pairs;
      passed += r.verdict == Verdict::passed;
      cancelled += was_cancelled(r);
      internal |= r.verdict == Verdict::internal_error && !was_cancelled(r);
    }
  fmt::print("{} learners × {} problems: {} of {} pairs passed ({} unchanged since the last run, not graded again)\n",
             learners.size(), problems.size(), passed, pairs, unchanged);
  for (const auto& lr : results) fmt::print("  {:<24} {:>4}/{}\n", lr.learner.name, lr.score, lr.max_score);
  fmt::print("Reports: {0}/scoreboard.html  {0}/gradebook.csv  {0}/class.json\n", shown(out));
  if (g_interrupted) {
    fmt::print("Interrupted: {} pairs were not graded (marked \"{}\"); run again to finish.\n", cancelled,
               kCancelledSummary);
    return 130;
  }
  return internal ? kExitInternal : passed == pairs ? kExitPassed : kExitNotPassed;
}

int cmd_export(int argc, char** argv) {
  cxxopts::Options options(
      prog() + " export",
      "Hand the grader to a course platform, for classes larger than one machine grades comfortably.\n"
      "  gradescope        a Gradescope autograder zip: setup.sh builds the toolkit, run_autograder grades each\n"
      "                    submission into results.json (the toolkit without its solutions or known-wrong files)\n"
      "  github-classroom  .github/workflows/classroom.yml for GitHub Classroom's autograding: one test per\n"
      "                    problem, worth its points when the problem passes\n"
      "Without ids: every problem (or --set / --track).\n");
  options.positional_help("gradescope|github-classroom [ID...]");
  // clang-format off
  options.add_options()
      ("o,output", "the file to write (default: autograder.zip, or classroom.yml)", cxxopts::value<std::string>())
      ("set", "the problems of a named set", cxxopts::value<std::string>())
      ("track", "the problems of one track", cxxopts::value<std::string>())
      ("toolkit-url", "github-classroom: where the workflow clones the toolkit from",
       cxxopts::value<std::string>()->default_value("https://github.com/OWNER/attnkata.git"))
      ("args", "target and problem ids", cxxopts::value<std::vector<std::string>>());
  // clang-format on
  options.parse_positional({"args"});
  const auto args = parse(options, argc, argv);
  auto positional = args.count("args") ? args["args"].as<std::vector<std::string>>() : std::vector<std::string>{};
  if (positional.empty()) throw UsageError("export what? gradescope or github-classroom (" + prog() + " export --help)");
  const std::string target = positional.front();
  if (target != "gradescope" && target != "github-classroom")
    throw UsageError("unknown export target '" + target + "' (gradescope or github-classroom)");
  const Context c = load_context();
  std::vector<const Problem*> problems;
  for (size_t i = 1; i < positional.size(); ++i) problems.push_back(&find_problem(c.problems, positional[i]));
  if (problems.empty()) problems = in_course_order(c.course, c.problems, group_option(args));
  if (problems.empty()) throw UsageError("no problem to export");
  if (target == "gradescope") {
    const fs::path out = args.count("output") ? args["output"].as<std::string>() : "autograder.zip";
    const auto entries = gradescope_bundle(c.toolkit, problems);
    try {
      write_zip(out, entries);
    } catch (const std::exception& e) {
      throw UsageError(e.what());
    }
    fmt::print("wrote {} ({} files, {} problems): upload it as the autograder of a Gradescope programming "
               "assignment\n", shown(out), entries.size(), problems.size());
  } else {
    const fs::path out = args.count("output") ? args["output"].as<std::string>() : "classroom.yml";
    std::ofstream f(out);
    if (!(f << github_classroom_workflow(problems, args["toolkit-url"].as<std::string>())))
      throw UsageError("cannot write " + out.string());
    fmt::print("wrote {}: commit it as .github/workflows/classroom.yml in the assignment's template repository\n",
               shown(out));
    if (!args.count("toolkit-url"))
      fmt::print("(set --toolkit-url to the repository learners' workflows should clone the toolkit from)\n");
  }
  return kExitPassed;
}

int cmd_show(int argc, char** argv) {
  cxxopts::Options options(prog() + " show",
                           "Print a problem's statement, or with --walkthrough its worked solution. Before the\n"
                           "problem has passed in your workspace, --walkthrough asks first (--force does not).");
  options.positional_help("ID");
  add_workspace_option(options);
  options.add_options()("walkthrough", "the worked solution (spoilers!)")(
      "force", "show the walkthrough without asking")("id", "problem id", cxxopts::value<std::string>());
  options.parse_positional({"id"});
  const auto args = parse(options, argc, argv);
  if (!args.count("id")) throw UsageError("which problem? e.g. " + prog() + " show p01");
  const Context c = load_context();
  const Problem& p = find_problem(c.problems, args["id"].as<std::string>());
  const fs::path ws = workspace_dir(c, args);
  if (args.count("walkthrough")) refuse_during_drill(c, ws, p, "the walkthrough");
  if (args.count("walkthrough") && !args.count("force")) {
    const auto last = WorkspaceState(c.toolkit, ws).last_result(p.id);
    if (!last || last->verdict != Verdict::passed) {
      const std::string why = last ? fmt::format("your last grade of {} was {}/{}", p.id, last->score, last->max_score)
                                   : fmt::format("you have not graded {} yet", p.id);
      if (!is_terminal(STDIN_FILENO))
        throw UsageError(why + ": the walkthrough is the solution; add --force to read it anyway");
      std::cerr << fmt::format("{}. The walkthrough is the solution: read it anyway? [y/N] ", why) << std::flush;
      std::string answer;
      std::getline(std::cin, answer);
      if (answer != "y" && answer != "Y" && answer != "yes") {
        fmt::print("Not shown. A hint instead: {} hint {}\n", prog(), p.id);
        return kExitPassed;
      }
    }
  }
  const fs::path file = args.count("walkthrough") ? p.solution_dir / "WALKTHROUGH.md" : p.dir / "README.md";
  std::cout << read_file(file);
  if (!args.count("walkthrough"))
    fmt::print("\n---\nYour file: {}    Grade it: {} grade {}    A hint: {} hint {}\n", shown(ws / p.file_name()),
               prog(), p.id, prog(), p.id);
  return kExitPassed;
}

// watch's screen for a workspace, starting at first (interactive when both ends are a terminal).
WatchOptions watch_options(const Context& c, const fs::path& ws, const Problem& first) {
  WatchOptions o;
  o.toolkit = &c.toolkit, o.problems = &c.problems, o.course = &c.course;
  o.workspace = ws, o.first = &first, o.prog = prog();
  o.interactive = is_terminal(STDIN_FILENO) && is_terminal(STDOUT_FILENO);
  o.color = use_color();
  o.ensure_file = [ws](const Problem& p) {
    if (ensure_workspace_file(p, ws)) std::cerr << fmt::format("created {} from the stub\n", shown(ws / p.file_name()));
  };
  return o;
}

int cmd_watch(int argc, char** argv) {
  cxxopts::Options options(prog() + " watch",
                           "Grade a problem every time you save its file, redrawing the result in place; when it\n"
                           "passes, move on to the next problem in course order. Keys: h next hint, n next problem,\n"
                           "q quit. Without an ID: the next problem that has not passed (as `next` says).");
  options.positional_help("[ID]");
  add_workspace_option(options);
  add_time_limit_option(options);
  options.add_options()("id", "problem id", cxxopts::value<std::string>());
  options.parse_positional({"id"});
  const auto args = parse(options, argc, argv);
  Context c = load_context();
  apply_time_limit(c, args);
  const fs::path ws = workspace_dir(c, args);
  const Problem* first = args.count("id") ? &find_problem(c.problems, args["id"].as<std::string>())
                                          : first_not_passed(c, WorkspaceState(c.toolkit, ws));
  if (!first) throw UsageError("every problem has passed in " + shown(ws) + "; name one to watch it");
  write_editor_config(c.toolkit, c.problems, ws);
  const WatchOptions o = watch_options(c, ws, *first);
  // the toolkit objects of every problem it may move on to, built once up front
  std::vector<const Problem*> ahead{first};
  if (const Problem* next = c.course.next_after(first->id, c.problems)) ahead.push_back(next);
  build_for(c.toolkit, ahead);
  return watch(o);
}

int cmd_interview(int argc, char** argv) {
  cxxopts::Options options(
      prog() + " interview",
      "A timed drill, as in an interview: a fresh file from the stub (your earlier file is saved beside it as\n"
      "<name>.<timestamp>.bak), a countdown, grading on every save as watch does, hints and the walkthrough\n"
      "locked until it passes or the time is up. The attempt is recorded (time to pass, grades, points at the\n"
      "deadline); `stats` shows them. Without an ID: the next problem to drill from --set (default: interview),\n"
      "never drilled first, then those failed at the deadline, then the slowest.\n"
      "q or Ctrl-C stops early (recorded as stopped). Exit codes: 0 passed in time, 1 not, 2 usage error.\n");
  options.positional_help("[ID]");
  add_workspace_option(options);
  add_time_limit_option(options);
  // clang-format off
  options.add_options()
      ("m,minutes", "the time allowed", cxxopts::value<double>()->default_value("30"))
      ("set", "draw the problem from this set or track", cxxopts::value<std::string>())
      ("id", "problem id", cxxopts::value<std::string>());
  // clang-format on
  options.parse_positional({"id"});
  const auto args = parse(options, argc, argv);
  const double minutes = args["minutes"].as<double>();
  if (!(minutes >= 0.05 && minutes <= 600)) throw UsageError("--minutes must be between 0.05 and 600");
  if (args.count("id") && args.count("set")) throw UsageError("give a problem id or --set, not both");
  Context c = load_context();
  apply_time_limit(c, args);
  const fs::path ws = workspace_dir(c, args);
  const WorkspaceState state(c.toolkit, ws);
  const DrillLog log(state);
  if (const auto running = log.active())
    throw UsageError(fmt::format("a drill of {} is under way in {} ({} left); one at a time", running->id, shown(ws),
                                 clock_text(static_cast<double>(running->deadline - std::time(nullptr)))));
  const Problem* p = nullptr;
  if (args.count("id")) {
    p = &find_problem(c.problems, args["id"].as<std::string>());
  } else {
    const auto order = drill_order(in_course_order(c.course, c.problems, args.count("set") ? args["set"].as<std::string>()
                                                                                          : "interview"),
                                   log.records());
    if (order.empty()) throw UsageError("that set has no problem here");
    p = order.front();
  }
  build_for(c.toolkit, {p});  // before the clock starts: a first build can take minutes
  const fs::path file = ws / p->file_name();
  if (fs::exists(file) && read_file(file) != read_file(p->stub())) {
    const auto backup = restore_stub(*p, ws);
    std::cerr << fmt::format("your earlier {} is kept as {}\n", p->id, shown(*backup));
  } else {
    ensure_workspace_file(*p, ws);
  }
  write_editor_config(c.toolkit, c.problems, ws);
  DrillRecord record;
  record.id = p->id, record.minutes = minutes, record.started = std::time(nullptr);
  record.max_score = p->max_score();
  log.set_active({p->id, record.started + static_cast<std::time_t>(std::ceil(minutes * 60))});
  WatchOptions o = watch_options(c, ws, *p);
  o.drill = &record;
  int code = kExitNotPassed;
  try {
    code = watch(o);
  } catch (...) {
    log.clear_active();
    throw;
  }
  log.clear_active();
  log.append(record);
  fmt::print("Recorded. Your drills: {} stats{}\n", prog(),
             record.passed() ? "" : fmt::format("    The walkthrough: {} show {} --walkthrough", prog(), p->id));
  return code;
}

int cmd_stats(int argc, char** argv) {
  cxxopts::Options options(prog() + " stats",
                           "Your interview drills: attempts and best time per problem, and which to drill again\n"
                           "(failed at the deadline or stopped first, then the slowest best times).");
  add_workspace_option(options);
  const auto args = parse(options, argc, argv);
  const Context c = load_context();
  const fs::path ws = workspace_dir(c, args);
  const WorkspaceState state(c.toolkit, ws);
  const auto records = DrillLog(state).records();
  int passed = 0;
  for (const auto& p : c.problems)
    if (const auto r = state.last_result(p.id); r && r->verdict == Verdict::passed) ++passed;
  fmt::print("{} of {} problems pass in {}.\n", passed, c.problems.size(), shown(ws));
  if (records.empty()) {
    fmt::print("No interview drills yet. Start one: {} interview p01 --minutes 30   (or --set interview)\n", prog());
    return kExitPassed;
  }
  fmt::print("\nInterview drills ({} attempt{}):\n", records.size(), records.size() == 1 ? "" : "s");
  const auto summary = summarise_drills(records);
  std::vector<const Problem*> drilled;
  for (const Problem* p : in_course_order(c.course, c.problems)) {
    const auto it = summary.find(p->id);
    if (it == summary.end()) continue;
    drilled.push_back(p);
    const DrillSummary& s = it->second;
    const DrillRecord& last = *s.last;
    char day[32];
    std::tm tm{};
    localtime_r(&last.started, &tm);
    std::strftime(day, sizeof day, "%b %d", &tm);
    const std::string last_text =
        last.passed() ? fmt::format("passed in {} of {}", clock_text(last.seconds_to_pass), clock_text(last.minutes * 60))
                      : fmt::format("{}/{} {}", last.score, last.max_score,
                                    last.outcome == "deadline" ? "at the deadline" : "when stopped");
    fmt::print("  {}  {:<34} {:>2} attempt{}  best {:>7}   last ({}): {}\n", p->id, p->slug, s.attempts,
               s.attempts == 1 ? " " : "s", s.best_seconds < 0 ? "—" : clock_text(s.best_seconds), day, last_text);
  }
  // what to drill again: not passed at the last attempt, then passed but slowest (over half the time allowed)
  std::vector<std::string> again;
  for (const Problem* p : drill_order(drilled, records)) {
    const DrillSummary& s = summary.at(p->id);
    if (!s.last->passed())
      again.push_back(fmt::format("{} ({})", p->id, s.last->outcome == "deadline" ? "failed at the deadline" : "stopped"));
    else if (s.best_share > 0.5)
      again.push_back(fmt::format("{} (slow: best {:.0f}% of the time allowed)", p->id, 100 * s.best_share));
  }
  if (again.empty())
    fmt::print("\nNothing to drill again: every drilled problem passed in under half its time.\n");
  else
    fmt::print("\nDrill again: {}\n", fmt::join(again, ", "));
  fmt::print("Next drill: {} interview --set interview\n", prog());
  return kExitPassed;
}

int cmd_next(int argc, char** argv) {
  cxxopts::Options options(prog() + " next",
                           "Name the next problem to work on: the first in course order (the order of list) that\n"
                           "has not passed in your workspace. Grades nothing. --set NAME: within one named set.");
  add_workspace_option(options);
  options.add_options()("set", "only this set or track (e.g. interview)", cxxopts::value<std::string>());
  const auto args = parse(options, argc, argv);
  const Context c = load_context();
  const fs::path ws = workspace_dir(c, args);
  const WorkspaceState state(c.toolkit, ws);
  const std::string group = group_option(args);
  if (const Problem* p = first_not_passed(c, state, group)) {
    const auto last = state.last_result(p->id);
    const std::string status = last ? fmt::format("{}/{} at your last grade ({})", last->score, last->max_score,
                                                  to_string(last->verdict))
                                    : "not graded yet";
    fmt::print("Next: {} {} — {}\n  {}\n  {} show {}    then edit {}    then {} grade {}\n", p->id, p->slug, p->title,
               status, prog(), p->id, shown(ws / p->file_name()), prog(), p->id);
    return kExitPassed;
  }
  fmt::print("Every problem{} has passed in {}. Drill one against the clock, or read a walkthrough: {} show ID "
             "--walkthrough\n",
             group.empty() ? "" : " of " + c.course.group(group).title, shown(ws), prog());
  return kExitPassed;
}

int cmd_hint(int argc, char** argv) {
  cxxopts::Options options(prog() + " hint",
                           "Show a problem's hints one at a time: each call reveals the next.");
  options.positional_help("ID");
  add_workspace_option(options);
  options.add_options()("all", "show every hint at once")("id", "problem id", cxxopts::value<std::string>());
  options.parse_positional({"id"});
  const auto args = parse(options, argc, argv);
  if (!args.count("id")) throw UsageError("which problem? e.g. " + prog() + " hint p01");
  const Context c = load_context();
  const Problem& p = find_problem(c.problems, args["id"].as<std::string>());
  if (p.hints.empty()) throw ToolkitError(p.id + " has no hints in its problem.json");
  refuse_during_drill(c, workspace_dir(c, args), p, "hints");
  const WorkspaceState state(c.toolkit, workspace_dir(c, args));
  const size_t seen = state.hints_seen(p.id);
  const size_t show = args.count("all") ? p.hints.size() : std::min(seen + 1, p.hints.size());
  for (size_t i = 0; i < show; ++i) fmt::print("Hint {} of {}: {}\n\n", i + 1, p.hints.size(), p.hints[i]);
  state.set_hints_seen(p.id, std::max(seen, show));
  if (show < p.hints.size())
    fmt::print("(run {} hint {} again for the next one)\n", prog(), p.id);
  else
    fmt::print("That was the last hint. The statement: {} show {}\n", prog(), p.id);
  return kExitPassed;
}

int cmd_reset(int argc, char** argv) {
  cxxopts::Options options(
      prog() + " reset",
      "Restore a problem's stub in the workspace. Your file is first saved beside it as\n"
      "<name>.cpp.<timestamp>.bak; nothing is deleted.");
  options.positional_help("ID");
  add_workspace_option(options);
  options.add_options()("id", "problem id", cxxopts::value<std::string>());
  options.parse_positional({"id"});
  const auto args = parse(options, argc, argv);
  if (!args.count("id")) throw UsageError("which problem? e.g. " + prog() + " reset p01");
  const Context c = load_context();
  const Problem& p = find_problem(c.problems, args["id"].as<std::string>());
  const fs::path ws = workspace_dir(c, args), file = ws / p.file_name();
  if (const auto backup = restore_stub(p, ws))
    fmt::print("saved your file as {}\nrestored the stub in {}\n", shown(*backup), shown(file));
  else
    fmt::print("created {} from the stub\n", shown(file));
  return kExitPassed;
}

int cmd_test(int argc, char** argv) {
  cxxopts::Options options(
      prog() + " test",
      "Run the toolkit's self-test (ctest): harness unit tests; every problem complete and consistent;\n"
      "every reference at full marks and every stub at 0 through the grader; the known-wrong submissions\n"
      "with their expected verdicts; CLI errors, verdicts and isolation; watch and interview driven in tmux;\n"
      "the editor set-up under clangd; the HTML report in headless Chromium; class grading (a 30-learner\n"
      "roster, the scoreboard in Chromium, the per-learner formats, the Gradescope bundle). The bootstrap\n"
      "script builds everything first and, as root, installs chromium, libxml2-utils, clangd and tmux for\n"
      "those checks (without them, each says it was skipped and why).\n"
      "Extra arguments after -- go to ctest.\n");
  options.positional_help("[-- CTEST-ARGS...]");
  options.add_options()("ctest-args", "passed to ctest", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"ctest-args"});
  const auto args = parse(options, argc, argv);
  const Toolkit toolkit = load_toolkit();
  std::vector<std::string> cmd{"ctest", "--test-dir", toolkit.build_dir.string(), "--output-on-failure",
                               "-j2"};
  if (args.count("ctest-args"))
    for (const auto& a : args["ctest-args"].as<std::vector<std::string>>()) cmd.push_back(a);
  std::vector<char*> cargv;
  for (auto& s : cmd) cargv.push_back(s.data());
  cargv.push_back(nullptr);
  ::execvp("ctest", cargv.data());
  throw ToolkitError("cannot run ctest (is cmake installed?)");
}

int dispatch(int argc, char** argv) {
  const std::string verb = argc > 1 ? argv[1] : "";
  if (verb.empty() || verb == "-h" || verb == "--help" || verb == "help") {
    std::cout << fmt::format(fmt::runtime(kUsage), prog());
    return verb.empty() ? kExitUsage : kExitPassed;
  }
  if (verb == "--version" || verb == "version") {
    std::cout << "attnkata " << load_toolkit().version << "\n";
    return kExitPassed;
  }
  static const std::map<std::string, std::function<int(int, char**)>> kVerbs = {
      {"list", cmd_list}, {"init", cmd_init},   {"grade", cmd_grade}, {"show", cmd_show},
      {"hint", cmd_hint}, {"reset", cmd_reset}, {"test", cmd_test}, {"class", cmd_class},
      {"export", cmd_export}, {"next", cmd_next},
      {"watch", cmd_watch}, {"interview", cmd_interview}, {"stats", cmd_stats}};
  const auto it = kVerbs.find(verb);
  if (it == kVerbs.end()) {
    std::string near;
    for (const auto& [name, fn] : kVerbs)
      if (edit_distance(verb, name) <= 2) near = name;
    throw UsageError("unknown command '" + verb + "'" + (near.empty() ? "" : "; did you mean " + near + "?") +
                     " (" + prog() + " --help lists them)");
  }
  return it->second(argc - 1, argv + 1);
}

}  // namespace
}  // namespace attnkata

int main(int argc, char** argv) {
  using namespace attnkata;
  try {
    return dispatch(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "attnkata: " << e.what() << "\n";
    return kExitUsage;
  } catch (const SetupError& e) {
    std::cerr << "attnkata: " << e.what() << "\n";
    return kExitInternal;
  } catch (const ToolkitError& e) {
    std::cerr << "attnkata: internal error: " << e.what() << "\n";
    return kExitInternal;
  } catch (const std::exception& e) {
    std::cerr << "attnkata: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
}

// Grading one problem end to end (see grade.h), and the pure pieces the unit tests cover: record parsing,
// scoring, verdict selection.
#include "grade.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>

namespace attnkata {

using nlohmann::json;

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::passed:
      return "passed";
    case Verdict::failed:
      return "failed";
    case Verdict::compile_error:
      return "compile_error";
    case Verdict::time_limit:
      return "time_limit";
    case Verdict::memory_limit:
      return "memory_limit";
    case Verdict::output_limit:
      return "output_limit";
    case Verdict::runtime_error:
      return "runtime_error";
    case Verdict::internal_error:
      return "internal_error";
  }
  return "internal_error";
}

ChannelRecords parse_records(const std::string& text, const std::string& nonce) {
  ChannelRecords out;
  std::set<std::string> reported;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) break;  // a line cut short by a crash is not a record
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || j.value("n", "") != nonce || nonce.empty()) continue;
    const std::string type = j.value("t", "");
    try {
      if (type == "start") {
        out.unfinished = j.at("name").get<std::string>();
      } else if (type == "case") {
        CaseRecord c;
        c.name = j.at("name");
        c.category = j.value("category", "");
        c.points = j.value("points", 0);
        c.status = j.value("status", "error");
        c.message = j.value("message", "");
        if (j.contains("out") && j["out"].size() == 2) c.out_begin = j["out"][0], c.out_end = j["out"][1];
        if (out.unfinished == c.name) out.unfinished.reset();
        if (reported.insert(c.name).second) out.cases.push_back(std::move(c));
      } else if (type == "end") {
        out.ended = true;
        out.end_count = j.value("cases", -1);
      }
    } catch (const json::exception&) {
      continue;  // a malformed record counts as no record
    }
  }
  return out;
}

std::vector<TestResult> score_tests(const std::vector<TestSpec>& specs,
                                    const std::vector<CaseRecord>& records,
                                    const std::string& missing_reason) {
  std::vector<TestResult> results;
  for (const auto& spec : specs) {
    TestResult t{spec.name, spec.category, spec.points, "error", missing_reason, ""};
    for (const auto& r : records)
      if (r.name == spec.name) {
        t.status = r.status == "pass" ? "pass" : r.status == "fail" ? "fail" : "error";
        t.message = r.message;
        break;
      }
    results.push_back(std::move(t));
  }
  return results;
}

Verdict choose_verdict(const RunSummary& run, const std::vector<TestResult>& tests) {
  if (run.timed_out || run.signal == SIGXCPU) return Verdict::time_limit;
  const bool out_of_memory = std::any_of(tests.begin(), tests.end(), [](const TestResult& t) {
    return t.status != "pass" && t.message.find("bad_alloc") != std::string::npos;
  });
  if (out_of_memory) return Verdict::memory_limit;
  if (run.signal == SIGXFSZ) return Verdict::output_limit;
  if (run.signal != 0 || !run.complete) return Verdict::runtime_error;
  const bool all_pass =
      std::all_of(tests.begin(), tests.end(), [](const TestResult& t) { return t.status == "pass"; });
  return all_pass && !tests.empty() ? Verdict::passed : Verdict::failed;
}

namespace {

std::string random_nonce() {
  std::random_device rd;
  char buf[33];
  std::snprintf(buf, sizeof buf, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  return buf;
}

std::string read_or_empty(const fs::path& p) {
  try {
    return fs::exists(p) ? read_file(p) : std::string();
  } catch (const ToolkitError&) {
    return {};
  }
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

// Compiler output with the toolkit's absolute paths replaced by the ones the user knows.
std::string shorten_paths(std::string text, const Toolkit& toolkit, const GradeOptions& options) {
  replace_all(text, fs::absolute(options.source).lexically_normal().string(), options.display_path.string());
  std::error_code ec;
  fs::path rel = fs::relative(toolkit.source_dir, fs::current_path(), ec);
  const std::string root = ec || rel.empty() || rel == "." ? "" : rel.string() + "/";
  replace_all(text, toolkit.source_dir.string() + "/", root);
  return text;
}

std::string clip(std::string s, size_t cap) {
  if (s.size() > cap)
    s = s.substr(0, cap) + "\n[… " + std::to_string(s.size() - cap) + " more bytes not shown]";
  return s;
}

struct Run {
  RunOutcome outcome;
  ChannelRecords records;
  std::string output;  // the learner's stdout+stderr
};

Run run_tests(const fs::path& binary, const Problem& problem, const fs::path& work, const std::string& tag,
              const std::vector<std::string>& extra_args, bool sanitized, const fs::path& bwrap) {
  const std::string nonce = random_nonce();
  RunSpec spec;
  const fs::path scratch = work / "run";
  if (!bwrap.empty()) {
    // Everything read-only but the scratch directory; a private /tmp; no network; its own PID namespace,
    // torn down if the grader dies. Descriptors 1, 2 and 3 pass through.
    // The work directory (the binary) is bound again after the private /tmp, in case it lives under /tmp.
    // clang-format off
    spec.argv = {bwrap.string(), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                 "--ro-bind", work.string(), work.string(), "--bind", scratch.string(), scratch.string(),
                 "--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent",
                 "--chdir", scratch.string(), "--"};
    // clang-format on
  }
  spec.argv.push_back(binary.string());
  spec.argv.insert(spec.argv.end(), extra_args.begin(), extra_args.end());
  spec.env = {"ATTNKATA_RESULT_FD=3", "ATTNKATA_NONCE=" + nonce};
  spec.output_file = work / ("output" + tag + ".txt");
  spec.result_file = work / ("results" + tag + ".jsonl");
  spec.working_dir = scratch;
  spec.wall_seconds = problem.limits.wall_seconds;
  spec.cpu_seconds = static_cast<long>(problem.limits.cpu_seconds + 0.999);
  spec.memory_bytes =
      sanitized ? 0 : problem.limits.memory_mib << 20;  // ASan reserves terabytes of address space
  spec.file_bytes = std::max<long>(problem.limits.output_kib << 10, 1 << 20) + 4096;
  fs::create_directories(spec.working_dir);
  Run run;
  run.outcome = run_process(spec);
  run.records = parse_records(read_or_empty(spec.result_file), nonce);
  run.output = read_or_empty(spec.output_file);
  return run;
}

std::string crash_description(const RunOutcome& o, const Problem& problem) {
  if (o.timed_out)
    return "ran past the " + fmt_seconds(problem.limits.wall_seconds) +
           " limit (an infinite loop, or far too slow)";
  if (o.signal == SIGXCPU)
    return "used more than " + fmt_seconds(problem.limits.cpu_seconds) + " of CPU time";
  if (o.signal == SIGXFSZ) return "printed more than the output limit";
  if (o.signal != 0) return "crashed with " + describe_signal(o.signal);
  return "ended the program (exit code " + std::to_string(o.exit_code) +
         ") before the tests finished: do not call exit, _exit, quick_exit or abort";
}

}  // namespace

fs::path find_bwrap() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"})
    if (::access((std::string(dir) + "/bwrap").c_str(), X_OK) == 0) return fs::path(dir) / "bwrap";
  return {};
}

std::string fmt_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s == static_cast<long>(s) ? "%.0f s" : "%.1f s", s);
  return buf;
}

void ensure_built(const Toolkit& toolkit, const std::vector<std::string>& targets) {
  if (std::getenv("ATTNKATA_NO_BUILD")) return;
  const fs::path lock_path = toolkit.build_dir / ".attnkata-build.lock";
  const int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock >= 0) ::flock(lock, LOCK_EX);
  RunSpec spec;
  spec.argv = {toolkit.build_program.string(), "-C", toolkit.build_dir.string()};
  spec.argv.insert(spec.argv.end(), targets.begin(), targets.end());
  spec.output_file = toolkit.build_dir / "attnkata-build.log";
  spec.wall_seconds = 1800;
  const RunOutcome o = run_process(spec);
  if (lock >= 0) ::close(lock);
  if (!o.started || o.exit_code != 0) {
    const std::string log = read_or_empty(spec.output_file);
    throw ToolkitError("building the toolkit failed (" + spec.output_file.string() + "):\n" +
                       log.substr(log.size() > 3000 ? log.size() - 3000 : 0));
  }
}

ProblemResult grade_problem(const Toolkit& toolkit, const Problem& problem, const GradeOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  ProblemResult r;
  r.id = problem.id;
  r.slug = problem.slug;
  r.file = options.display_path;
  r.max_score = problem.max_score();
  auto finish = [&](Verdict v, std::string summary, const std::string& missing_reason,
                    const std::vector<CaseRecord>& records = {}) {
    r.verdict = v;
    r.summary = std::move(summary);
    if (r.tests.empty()) r.tests = score_tests(problem.tests, records, missing_reason);
    for (const auto& t : r.tests) r.score += t.status == "pass" ? t.points : 0;
    r.time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
  };

  const auto objects = toolkit.problem_objects.find(problem.id);
  if (objects == toolkit.problem_objects.end())
    return finish(Verdict::internal_error,
                  "the toolkit has no test object for " + problem.id + ": rebuild with ./attnkata",
                  "not run: internal error");
  const fs::path work = options.work_dir;
  fs::create_directories(work);
  const bool sanitized = std::any_of(toolkit.compile_flags.begin(), toolkit.compile_flags.end(),
                                     [](const std::string& f) { return f.starts_with("-fsanitize"); });

  // 1. compile the submission alone, with the flags and precompiled header the references use
  RunSpec compile;
  compile.argv = {toolkit.compiler.string()};
  compile.argv.insert(compile.argv.end(), toolkit.compile_flags.begin(), toolkit.compile_flags.end());
  compile.argv.insert(compile.argv.end(), toolkit.learner_flags.begin(), toolkit.learner_flags.end());
  for (const char* f : {"-Winvalid-pch", "-fdiagnostics-color=never", "-include"}) compile.argv.push_back(f);
  compile.argv.push_back(toolkit.pch_header.string());
  compile.argv.push_back("-I" + problem.dir.string());
  for (const auto& d : toolkit.include_dirs) compile.argv.push_back("-I" + d.string());
  for (const auto& d : toolkit.system_include_dirs)
    compile.argv.insert(compile.argv.end(), {"-isystem", d.string()});
  const fs::path object = work / "submission.o";
  compile.argv.insert(compile.argv.end(), {"-c", fs::absolute(options.source).lexically_normal().string(),
                                           "-o", object.string()});
  compile.output_file = work / "compile.txt";
  compile.wall_seconds = 120;
  const RunOutcome compiled = run_process(compile);
  r.compile_output = clip(shorten_paths(read_or_empty(compile.output_file), toolkit, options), 20000);
  if (!compiled.started) return finish(Verdict::internal_error, compiled.error, "not run: internal error");
  if (compiled.timed_out || compiled.exit_code != 0)
    return finish(Verdict::compile_error,
                  compiled.timed_out ? "the compiler ran past 120 s" : "it does not compile",
                  "not run: the file does not compile");

  // 2. link with the prebuilt tests and main
  RunSpec link;
  link.argv = {toolkit.compiler.string()};
  link.argv.insert(link.argv.end(), toolkit.link_flags.begin(), toolkit.link_flags.end());
  link.argv.push_back(object.string());
  for (const auto& o : objects->second) link.argv.push_back(o.string());
  for (const auto& o : toolkit.main_objects) link.argv.push_back(o.string());
  const fs::path binary = work / "graded";
  link.argv.insert(link.argv.end(), {"-o", binary.string()});
  link.output_file = work / "link.txt";
  link.wall_seconds = 60;
  const RunOutcome linked = run_process(link);
  if (!linked.started) return finish(Verdict::internal_error, linked.error, "not run: internal error");
  if (linked.exit_code != 0) {
    std::string out = shorten_paths(read_or_empty(link.output_file), toolkit, options);
    // GNU ld says "undefined reference to `f'", mold and lld "undefined symbol: f"
    static const std::regex kUndefined(R"(undefined (?:reference to [`']|symbol: )(attn::[^(']+))");
    std::set<std::string> missing;
    for (auto it = std::sregex_iterator(out.begin(), out.end(), kUndefined); it != std::sregex_iterator();
         ++it)
      missing.insert((*it)[1].str());
    std::string summary = "it does not link";
    if (!missing.empty()) {
      summary += ": your file does not define";
      for (const auto& name : missing) summary += " " + name + "()";
      summary += " (keep every function of the stub, with its exact signature)";
    }
    r.compile_output += out;
    return finish(Verdict::compile_error, summary, "not run: the file does not link");
  }

  // 3. run every test; 4. re-run, one by one, the tests a crash or hang kept from reporting
  Run main_run = run_tests(binary, problem, work, "", {}, sanitized, options.bwrap);
  if (!options.bwrap.empty() &&
      main_run.output.starts_with("bwrap: "))  // the sandbox, not the learner, failed
    return finish(
        Verdict::internal_error,
        "the bubblewrap sandbox could not start: " + main_run.output.substr(0, main_run.output.find('\n')),
        "not run: internal error");
  std::vector<CaseRecord> records = main_run.records.cases;
  auto attach_output = [](std::vector<TestResult>& tests, const Run& run) {
    for (auto& t : tests)
      for (const auto& c : run.records.cases)
        if (c.name == t.name && c.out_begin >= 0 && c.out_end > c.out_begin &&
            static_cast<size_t>(c.out_begin) < run.output.size())
          t.output = clip(run.output.substr(c.out_begin, c.out_end - c.out_begin), 4096);
  };
  RunSummary summary{main_run.outcome.timed_out, main_run.outcome.signal, main_run.outcome.exit_code, false};
  summary.complete = main_run.records.ended && main_run.records.cases.size() == problem.tests.size() &&
                     main_run.records.end_count == static_cast<int>(problem.tests.size());

  std::string where;  // the test in which the main run died
  std::vector<Run> reruns;
  if (!summary.complete) {
    const std::string what = crash_description(main_run.outcome, problem);
    where = main_run.records.unfinished.value_or("");
    if (!where.empty()) records.push_back({where, "", "error", "your code " + what, 0, -1, -1});
    double budget = 2 * problem.limits.wall_seconds;
    for (const auto& spec : problem.tests) {
      const bool have = std::any_of(records.begin(), records.end(),
                                    [&](const CaseRecord& c) { return c.name == spec.name; });
      if (have) continue;
      if (budget <= 0) break;
      Run rerun = run_tests(binary, problem, work, "-rerun" + std::to_string(reruns.size()),
                            {"-tc=" + spec.name}, sanitized, options.bwrap);
      budget -= rerun.outcome.seconds;
      bool got = false;
      for (const auto& c : rerun.records.cases)
        if (c.name == spec.name) records.push_back(c), got = true;
      if (!got)
        records.push_back(
            {spec.name, "", "error", "your code " + crash_description(rerun.outcome, problem), 0, -1, -1});
      reruns.push_back(std::move(rerun));
    }
    if (where.empty() && !main_run.outcome.timed_out && main_run.outcome.signal == 0 &&
        main_run.records.cases.empty())
      where = "(before the first test)";
  }
  r.tests = score_tests(problem.tests, records, "not run: out of time after an earlier test hung");
  attach_output(r.tests, main_run);
  for (const auto& rerun : reruns) attach_output(r.tests, rerun);
  // A run that printed more than the cap is an output_limit, whatever else happened.
  if (main_run.output.size() > static_cast<size_t>(problem.limits.output_kib) << 10) summary.signal = SIGXFSZ;

  Verdict v = choose_verdict(summary, r.tests);
  std::string line;
  const std::string in = where.empty() ? "" : where.front() == '(' ? " " + where : " in test '" + where + "'";
  switch (v) {
    case Verdict::time_limit:
      line = "your code " + crash_description(main_run.outcome, problem) + in;
      break;
    case Verdict::memory_limit:
      line = "your code ran out of memory: it used more than " + std::to_string(problem.limits.memory_mib) +
             " MiB" + in;
      break;
    case Verdict::output_limit:
      line = "your code printed more than " + std::to_string(problem.limits.output_kib) + " KiB" + in;
      break;
    case Verdict::runtime_error:
      line = "your code " + crash_description(main_run.outcome, problem) + in;
      break;
    default:
      break;
  }
  if (!summary.complete && v != Verdict::failed && v != Verdict::passed)
    line += "; the other tests were run one by one to keep their points";
  return finish(v, line, "");
}

}  // namespace attnkata

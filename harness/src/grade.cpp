// Orchestration: compile, link, run under limits, re-run what a crash kept from reporting, decide, explain.
// The policy is verdict.cpp's, the words explain.cpp's, the tools toolchain.cpp's, the sandbox sandbox.cpp's.
#include "grade.h"

#include <attnkata/protocol.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <mutex>
#include <thread>

#include "channel.h"
#include "explain.h"
#include "process.h"
#include "toolchain.h"
#include "verdict.h"

namespace attnkata {

namespace {

struct Run {
  RunOutcome outcome;
  ChannelRecords records;
  std::string output;  // the learner's stdout+stderr
};

struct RunContext {
  const Problem& problem;
  const fs::path& binary;
  const fs::path& work;
  const Sandbox& sandbox;
  bool sanitized;
  const std::atomic<bool>* cancel;
  ArtifactMode artifacts;
};

Run run_tests(const RunContext& ctx, const std::string& tag, const std::vector<std::string>& extra_args) {
  const std::string nonce = random_nonce();
  const fs::path scratch = ctx.work / "run";
  fs::create_directories(scratch);
  const Limits& limits = ctx.problem.limits;
  RunSpec spec;
  spec.argv = ctx.sandbox.wrap(ctx.work, scratch);
  spec.argv.push_back(ctx.binary.string());
  spec.argv.insert(spec.argv.end(), extra_args.begin(), extra_args.end());
  spec.env = {std::string(protocol::kEnvResultFd) + "=" + std::to_string(protocol::kResultFd),
              std::string(protocol::kEnvNonce) + "=" + nonce};
  if (ctx.artifacts != ArtifactMode::none)
    spec.env.push_back(std::string(protocol::kEnvArtifacts) + "=" +
                       (ctx.artifacts == ArtifactMode::all ? protocol::kArtifactsAll : protocol::kArtifactsFailing));
  spec.output_file = ctx.work / ("output" + tag + ".txt");
  spec.result_file = ctx.work / ("results" + tag + ".jsonl");
  spec.working_dir = scratch;
  spec.wall_seconds = limits.wall_seconds;
  spec.cpu_seconds = static_cast<long>(limits.cpu_seconds + 0.999);
  spec.memory_bytes = ctx.sanitized ? 0 : limits.memory_mib << 20;  // ASan reserves terabytes of address space
  spec.file_bytes = std::max<long>(limits.output_kib << 10, 1 << 20) + 4096;
  spec.cancel = ctx.cancel;
  Run run;
  run.outcome = run_process(spec);
  run.records = parse_records(read_or_empty(spec.result_file), nonce);
  run.output = read_or_empty(spec.output_file);
  return run;
}

// Killed with its resident set at the address-space limit: the allocation that failed was not C++'s.
bool died_at_memory_limit(const RunOutcome& o, const Limits& limits, bool sanitized) {
  return !sanitized && o.signal != 0 && o.peak_rss_kib >= (limits.memory_mib << 10) * 85 / 100;
}

bool cpu_exhausted(const RunOutcome& o, const Limits& limits) {
  return o.signal == SIGXCPU || (o.signal == SIGKILL && !o.timed_out && o.cpu_seconds >= limits.cpu_seconds);
}

void attach_output(std::vector<TestResult>& tests, const Run& run) {
  for (auto& t : tests)
    for (const auto& c : run.records.cases)
      if (c.name == t.name && c.out_begin >= 0 && c.out_end > c.out_begin &&
          static_cast<size_t>(c.out_begin) < run.output.size())
        t.output = clip(run.output.substr(c.out_begin, c.out_end - c.out_begin), 4096);
}

// The matrices a test recorded, for the views to show; channel.cpp has re-checked their caps.
void attach_artifacts(std::vector<TestResult>& tests, const std::vector<CaseRecord>& records) {
  for (auto& t : tests)
    for (const auto& c : records)
      if (c.name == t.name && !c.artifacts.empty()) {
        t.artifacts = c.artifacts;
        break;
      }
}

}  // namespace

ProblemResult grade_one(const Toolkit& toolkit, const GradeRequest& request, const Sandbox& sandbox,
                        const std::atomic<bool>* cancel, ArtifactMode artifacts) {
  const auto start = std::chrono::steady_clock::now();
  const Problem& problem = *request.problem;
  ProblemResult r;
  r.id = problem.id;
  r.slug = problem.slug;
  r.file = request.display_path;
  r.max_score = problem.max_score();
  auto finish = [&](Verdict v, std::string summary, const std::string& missing_reason) {
    r.verdict = v;
    r.summary = std::move(summary);
    if (r.tests.empty()) r.tests = score_tests(problem.tests, {}, missing_reason);
    r.score = total_points(r.tests);
    r.time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
  };

  if (!toolkit.problem_objects.count(problem.id))
    return finish(Verdict::internal_error,
                  "the toolkit has no test object for " + problem.id + ": rebuild with ./attnkata",
                  "not run: internal error");
  const fs::path work = request.work_dir;
  fs::create_directories(work);
  const bool sanitized = std::any_of(toolkit.compile_flags.begin(), toolkit.compile_flags.end(),
                                     [](const std::string& f) { return f.starts_with("-fsanitize"); });

  // 1. compile the submission alone, with the flags and precompiled header the references use
  const fs::path object = work / "submission.o", binary = work / "graded";
  const BuildStep compiled =
      compile_submission(toolkit, problem, request.source, request.display_path, object, work);
  r.compile_output = clip(compiled.diagnostics, 20000);
  if (!compiled.started)
    return finish(Verdict::internal_error, "the compiler could not be run: " + compiled.error,
                  "not run: internal error");
  if (!compiled.ok)
    return finish(Verdict::compile_error, compile_summary(compiled.timed_out),
                  "not run: the file does not compile");

  // 2. link with the prebuilt tests and main
  const BuildStep linked = link_submission(toolkit, problem, object, request.display_path, binary, work);
  if (!linked.started)
    return finish(Verdict::internal_error, "the linker could not be run: " + linked.error,
                  "not run: internal error");
  if (!linked.ok) {
    r.compile_output += linked.diagnostics;
    return finish(Verdict::compile_error, link_summary(undefined_functions(linked.diagnostics)),
                  "not run: the file does not link");
  }

  // 3. run every test
  const RunContext ctx{problem, binary, work, sandbox, sanitized, cancel, artifacts};
  const Limits& limits = problem.limits;
  const Run main_run = run_tests(ctx, "", {});
  if (!main_run.outcome.started)
    return finish(Verdict::internal_error, "the tests could not be run: " + main_run.outcome.error,
                  "not run: internal error");
  if (sandbox.failed_to_start(main_run.output))
    return finish(Verdict::internal_error,
                  "the bubblewrap sandbox could not start: " + main_run.output.substr(0, main_run.output.find('\n')),
                  "not run: internal error");
  if (main_run.outcome.cancelled) return finish(Verdict::internal_error, kCancelledSummary, "not run");

  RunEvidence evidence;
  evidence.timed_out = main_run.outcome.timed_out;
  evidence.cpu_limit = cpu_exhausted(main_run.outcome, limits);
  evidence.signal = main_run.outcome.signal;
  evidence.exit_code = main_run.outcome.exit_code;
  evidence.out_of_memory = died_at_memory_limit(main_run.outcome, limits, sanitized);
  // A run that printed more than the cap is an output_limit, whatever else happened.
  evidence.output_limit = main_run.output.size() > static_cast<size_t>(limits.output_kib) << 10;
  evidence.complete = main_run.records.ended && main_run.records.cases.size() == problem.tests.size() &&
                      main_run.records.end_count == static_cast<int>(problem.tests.size());
  r.cpu_s = main_run.outcome.cpu_seconds;
  r.peak_rss_kib = main_run.outcome.peak_rss_kib;

  // 4. re-run, one by one, the tests a crash or hang kept from reporting
  std::vector<CaseRecord> records = main_run.records.cases;
  std::string where;  // the test in which the main run died
  std::vector<Run> reruns;
  if (!evidence.complete) {
    const std::string what = describe_run_end(main_run.outcome, limits, evidence.out_of_memory);
    where = main_run.records.unfinished.value_or("");
    if (!where.empty()) records.push_back({where, "", "error", "your code " + what, 0, -1, -1, 0, "", {}});
    double budget = 2 * limits.wall_seconds;
    for (const auto& spec : problem.tests) {
      const bool have = std::any_of(records.begin(), records.end(),
                                    [&](const CaseRecord& c) { return c.name == spec.name; });
      if (have) continue;
      if (budget <= 0 || (cancel && cancel->load())) break;
      Run rerun = run_tests(ctx, "-rerun" + std::to_string(reruns.size()), {"-tc=" + spec.name});
      budget -= rerun.outcome.seconds;
      r.cpu_s += rerun.outcome.cpu_seconds;
      r.peak_rss_kib = std::max(r.peak_rss_kib, rerun.outcome.peak_rss_kib);
      const bool oom = died_at_memory_limit(rerun.outcome, limits, sanitized);
      evidence.out_of_memory |= oom;
      bool got = false;
      for (const auto& c : rerun.records.cases)
        if (c.name == spec.name) records.push_back(c), got = true;
      if (!got)
        records.push_back({spec.name, "", "error", "your code " + describe_run_end(rerun.outcome, limits, oom), 0,
                           -1, -1, 0, "", {}});
      reruns.push_back(std::move(rerun));
    }
    if (where.empty() && !main_run.outcome.timed_out && main_run.outcome.signal == 0 &&
        main_run.records.cases.empty())
      where = "(before the first test)";
  }
  if (cancel && cancel->load()) return finish(Verdict::internal_error, kCancelledSummary, "not run");
  r.tests = score_tests(problem.tests, records, "not run: out of time after an earlier test hung");
  attach_output(r.tests, main_run);
  for (const auto& rerun : reruns) attach_output(r.tests, rerun);
  attach_artifacts(r.tests, records);

  const Verdict v = choose_verdict(evidence, r.tests);
  const bool reran = !evidence.complete && v != Verdict::failed && v != Verdict::passed;
  return finish(v, verdict_summary(v, main_run.outcome, limits, r.peak_rss_kib, where, reran), "");
}

void build_for(const Toolkit& toolkit, const std::vector<const Problem*>& problems) {
  std::vector<std::string> targets{toolkit.main_target};
  for (const Problem* p : problems) {
    targets.push_back(p->id + "_tests");
    const std::string& pch = learner_build(toolkit, *p).target;
    if (std::find(targets.begin(), targets.end(), pch) == targets.end()) targets.push_back(pch);
  }
  ensure_built(toolkit, targets);
}

std::vector<ProblemResult> grade_batch(const Toolkit& toolkit, const std::vector<GradeRequest>& requests,
                                       const BatchOptions& options) {
  if (options.build_first) {
    std::vector<const Problem*> problems;
    for (const auto& req : requests) problems.push_back(req.problem);
    build_for(toolkit, problems);
  }
  std::vector<ProblemResult> results(requests.size());
  std::mutex mu;
  size_t next = 0;
  auto worker = [&] {
    for (;;) {
      size_t i;
      {
        std::lock_guard lock(mu);
        if (next == requests.size()) return;
        i = next++;
      }
      const GradeRequest& req = requests[i];
      ProblemResult r;
      if (options.cancel && options.cancel->load()) {
        r.id = req.problem->id, r.slug = req.problem->slug, r.max_score = req.problem->max_score();
        r.verdict = Verdict::internal_error, r.summary = kCancelledSummary;
      } else {
        try {
          r = grade_one(toolkit, req, options.sandbox, options.cancel, options.artifacts);
        } catch (const std::exception& e) {
          r.id = req.problem->id, r.slug = req.problem->slug, r.max_score = req.problem->max_score();
          r.verdict = Verdict::internal_error, r.summary = std::string("the grader failed: ") + e.what();
        }
      }
      std::lock_guard lock(mu);
      results[i] = std::move(r);
      if (options.on_result) options.on_result(i, results[i]);
    }
  };
  std::vector<std::thread> pool;
  const int workers = std::min<int>(std::max(1, options.jobs), static_cast<int>(requests.size()));
  for (int t = 0; t < workers; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  return results;
}

}  // namespace attnkata

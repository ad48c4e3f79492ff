// Compile, link and build steps, each one child process under a time limit.
#include "toolchain.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <regex>

#include "process.h"

namespace attnkata {

std::string read_or_empty(const fs::path& p) {
  try {
    return fs::exists(p) ? read_file(p) : std::string();
  } catch (const ToolkitError&) {
    return {};
  }
}

std::string clip(std::string s, size_t cap) {
  if (s.size() > cap)
    s = s.substr(0, cap) + "\n[… " + std::to_string(s.size() - cap) + " more bytes not shown]";
  return s;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

namespace {

// Tool output with the toolkit's absolute paths replaced by the ones the user knows.
std::string shorten_paths(std::string text, const Toolkit& toolkit, const fs::path& source,
                          const fs::path& display_path) {
  replace_all(text, fs::absolute(source).lexically_normal().string(), display_path.string());
  std::error_code ec;
  const fs::path rel = fs::relative(toolkit.source_dir, fs::current_path(), ec);
  const std::string root = ec || rel.empty() || rel == "." ? "" : rel.string() + "/";
  replace_all(text, toolkit.source_dir.string() + "/", root);
  return text;
}

BuildStep run_step(RunSpec spec, const Toolkit& toolkit, const fs::path& source, const fs::path& display_path) {
  const RunOutcome o = run_process(spec);
  BuildStep step;
  step.started = o.started;
  step.error = o.error;
  step.timed_out = o.timed_out;
  step.ok = o.started && !o.timed_out && o.exit_code == 0;
  step.diagnostics = shorten_paths(read_or_empty(spec.output_file), toolkit, source, display_path);
  return step;
}

}  // namespace

const LearnerBuild& learner_build(const Toolkit& toolkit, const Problem& problem) {
  return problem.optimize ? toolkit.optimized : toolkit.quick;
}

BuildStep compile_submission(const Toolkit& toolkit, const Problem& problem, const fs::path& source,
                             const fs::path& display_path, const fs::path& object, const fs::path& work) {
  RunSpec spec;
  spec.argv = {toolkit.compiler.string()};
  const LearnerBuild& build = learner_build(toolkit, problem);
  spec.argv.insert(spec.argv.end(), build.compile_flags.begin(), build.compile_flags.end());
  spec.argv.insert(spec.argv.end(), toolkit.learner_flags.begin(), toolkit.learner_flags.end());
  spec.argv.push_back("-fdiagnostics-color=never");
  spec.argv.insert(spec.argv.end(), build.pch_flags.begin(), build.pch_flags.end());
  spec.argv.push_back("-I" + problem.dir.string());
  for (const auto& d : toolkit.include_dirs) spec.argv.push_back("-I" + d.string());
  for (const auto& d : toolkit.system_include_dirs) spec.argv.insert(spec.argv.end(), {"-isystem", d.string()});
  spec.argv.insert(spec.argv.end(),
                   {"-c", fs::absolute(source).lexically_normal().string(), "-o", object.string()});
  spec.output_file = work / "compile.txt";
  spec.wall_seconds = 120;
  return run_step(spec, toolkit, source, display_path);
}

BuildStep link_submission(const Toolkit& toolkit, const Problem& problem, const fs::path& object,
                          const fs::path& display_path, const fs::path& binary, const fs::path& work) {
  RunSpec spec;
  spec.argv = {toolkit.compiler.string()};
  spec.argv.insert(spec.argv.end(), toolkit.link_flags.begin(), toolkit.link_flags.end());
  // -O1 objects first (the PCH's code, the test main), then the tests (-O0 for most problems) and the learner's
  // object: where several define an inline function (an Eigen evaluator), the linker keeps the first, optimised one
  for (const auto& o : learner_build(toolkit, problem).objects) spec.argv.push_back(o.string());
  for (const auto& o : toolkit.main_objects) spec.argv.push_back(o.string());
  const auto objects = toolkit.problem_objects.find(problem.id);
  if (objects != toolkit.problem_objects.end())
    for (const auto& o : objects->second) spec.argv.push_back(o.string());
  spec.argv.push_back(object.string());
  spec.argv.insert(spec.argv.end(), {"-o", binary.string()});
  spec.output_file = work / "link.txt";
  spec.wall_seconds = 60;
  return run_step(spec, toolkit, object, display_path);
}

std::set<std::string> undefined_functions(const std::string& link_output) {
  // GNU ld says "undefined reference to `f'", mold and lld "undefined symbol: f"
  static const std::regex kUndefined(R"(undefined (?:reference to [`']|symbol: )(attn::[^(']+))");
  std::set<std::string> missing;
  for (auto it = std::sregex_iterator(link_output.begin(), link_output.end(), kUndefined);
       it != std::sregex_iterator(); ++it)
    missing.insert((*it)[1].str());
  return missing;
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
  if (!o.started) throw ToolkitError("cannot run the build tool: " + o.error);
  if (o.exit_code != 0) {
    const std::string log = read_or_empty(spec.output_file);
    throw ToolkitError("building the toolkit failed (" + spec.output_file.string() + "):\n" +
                       log.substr(log.size() > 3000 ? log.size() - 3000 : 0));
  }
}

}  // namespace attnkata

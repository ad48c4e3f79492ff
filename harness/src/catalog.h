// The toolkit as the CLI sees it: where things are (attnkata-toolkit.json, written by CMake) and the problems
// (problems/pNN_slug/problem.json plus the ATTN_TEST lines of each tests.cpp).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace attnkata {

namespace fs = std::filesystem;

// A problem with the toolkit itself (missing file, bad metadata): exit code 3, never the learner's fault.
struct ToolkitError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The machine lacks something the user asked for (bubblewrap for --isolate): exit code 3, one clear line,
// nothing graded.
struct SetupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// A mistake on the command line (unknown problem, bad option): exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// How a learner's (or a reference) file is compiled and what its binary links besides the tests: at -O1 for
// problems whose tests are heavy ("optimize": true in problem.json), at -O0 for the others (compiles ~2x faster).
struct LearnerBuild {
  std::vector<std::string> compile_flags;  // the graded flags at this level
  std::vector<std::string> pch_flags;      // how the file uses the precompiled header (-include-pch or -include)
  std::vector<fs::path> objects;           // the precompiled header's code (clang -fpch-codegen), else none
  std::string target;                      // the CMake target that builds them
};

struct Toolkit {
  std::string version;
  fs::path source_dir, build_dir, build_program, compiler;
  std::vector<std::string> compile_flags, learner_flags, link_flags;
  LearnerBuild optimized, quick;
  std::vector<fs::path> include_dirs, system_include_dirs, main_objects;
  std::string main_target;
  std::map<std::string, std::vector<fs::path>> problem_objects;  // id -> test objects

  static Toolkit load(const fs::path& config_file);
};

struct Limits {
  double wall_seconds = 10, cpu_seconds = 10;
  long memory_mib = 1024, output_kib = 64;
};

// One graded test case, as declared by ATTN_TEST("name", category, points) in tests.cpp.
struct TestSpec {
  std::string name, category;
  int points = 0;
  std::string code;  // the test's source, from ATTN_TEST to its closing brace (for views that show it)
};

struct Problem {
  std::string id, slug, title, track, difficulty, seed_note;
  int seed_question = 0;
  std::vector<std::string> functions, hints;
  Limits limits;
  bool optimize = false;  // compile the learner's file at -O1 (heavy tests) rather than -O0
  fs::path dir;           // problems/pNN_slug
  fs::path solution_dir;  // solutions/pNN_slug
  std::vector<TestSpec> tests;

  std::string file_name() const { return id + "_" + slug + ".cpp"; }  // in a workspace
  fs::path stub() const { return dir / (slug + ".cpp"); }
  fs::path reference() const { return solution_dir / (slug + ".cpp"); }
  int max_score() const;
};

// The ATTN_TEST declarations in a tests.cpp source, in file order.
std::vector<TestSpec> parse_test_specs(const std::string& source);

// Every problems/pNN_slug/ under source_dir, sorted by id. A malformed problem throws ToolkitError, or when
// errors is given, is skipped and described there (so one broken problem does not block the others).
std::vector<Problem> load_problems(const fs::path& source_dir, std::vector<std::string>* errors = nullptr);

// Resolve what a user typed ("p01", "1", "01", "sdpa_stable_softmax", "p01_sdpa_stable_softmax") to a
// problem. Throws UsageError naming the nearest id or slug when nothing matches.
const Problem& find_problem(const std::vector<Problem>& problems, const std::string& query);

// Levenshtein distance, for "did you mean" suggestions.
size_t edit_distance(const std::string& a, const std::string& b);

std::string read_file(const fs::path& path);

}  // namespace attnkata

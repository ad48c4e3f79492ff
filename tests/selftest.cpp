// The toolkit's self-test (rustlings' `dev check`): every problem directory is complete and consistent, every
// reference scores full marks through the CLI, every stub scores 0 with every test reported.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "catalog.h"
#include "grade.h"
#include "report.h"

using namespace attnkata;

namespace {

const fs::path kCli = ATTNKATA_CLI;

Toolkit toolkit() {
  return Toolkit::load(kCli.parent_path() / "attnkata-toolkit.json");
}

struct CliRun {
  RunOutcome outcome;
  std::string output;
};

CliRun cli(const std::vector<std::string>& args, const fs::path& scratch) {
  RunSpec spec;
  spec.argv = {kCli.string()};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.output_file = scratch / "cli-output.txt";
  spec.wall_seconds = 900;
  CliRun r{run_process(spec), ""};
  r.output = read_file(spec.output_file);
  return r;
}

fs::path scratch_dir(const std::string& name) {
  const fs::path dir = toolkit().build_dir / "selftest" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST_SUITE("consistency") {
  TEST_CASE("every problem directory is complete and its metadata and tests are well formed") {
    const Toolkit t = toolkit();
    const auto problems = load_problems(t.source_dir);
    REQUIRE(!problems.empty());
    const std::set<std::string> categories{"shape", "numeric", "property", "edge"};
    const std::set<std::string> difficulties{"easy", "easy-medium", "medium", "medium-hard", "hard"};
    for (const auto& p : problems) {
      CAPTURE(p.id);
      for (const fs::path& f :
           {p.dir / "README.md", p.dir / "problem.json", p.dir / (p.slug + ".h"), p.stub(),
            p.dir / "tests.cpp", p.dir / "golden.inc", p.reference(), p.solution_dir / "WALKTHROUGH.md"}) {
        CAPTURE(f);
        CHECK(fs::is_regular_file(f));
      }
      CHECK(t.problem_objects.count(p.id) == 1);
      CHECK(p.hints.size() >= 2);
      CHECK(!p.functions.empty());
      CHECK(difficulties.count(p.difficulty) == 1);
      CHECK(p.seed_question >= 1);
      CHECK(p.seed_question <= 30);
      const std::string stub = read_file(p.stub()), header = read_file(p.dir / (p.slug + ".h"));
      const std::string readme = read_file(p.dir / "README.md"), tests = read_file(p.dir / "tests.cpp");
      CHECK(stub.find("TODO") != std::string::npos);
      CHECK(stub.find("throw std::logic_error") != std::string::npos);
      CHECK(stub.find("#include \"" + p.slug + ".h\"") != std::string::npos);
      for (const auto& fn : p.functions) {
        CAPTURE(fn);
        CHECK(header.find(fn + "(") != std::string::npos);
        CHECK(readme.find(fn) != std::string::npos);
      }
      // every test case is an ATTN_TEST with points and a category, and its name is a valid doctest filter
      CHECK(!p.tests.empty());
      CHECK(std::regex_search(tests, std::regex(R"(\bTEST_CASE\s*\()")) == false);
      std::set<std::string> names;
      for (const auto& test : p.tests) {
        CAPTURE(test.name);
        CHECK(categories.count(test.category) == 1);
        CHECK(test.points > 0);
        CHECK(test.name.find_first_of(",*?\\") == std::string::npos);
        CHECK(names.insert(test.name).second);
      }
    }
  }
}

TEST_SUITE("references") {
  TEST_CASE("every reference solution scores full marks through the grader") {
    const Toolkit t = toolkit();
    const auto problems = load_problems(t.source_dir);
    const fs::path dir = scratch_dir("references");
    const CliRun run = cli(
        {"grade", "--reference", "--all", "--format", "json", "--output", (dir / "r.json").string()}, dir);
    INFO(run.output);
    CHECK(run.outcome.exit_code == 0);
    const auto results = parse_json_results(read_file(dir / "r.json"));
    REQUIRE(results.size() == problems.size());
    for (size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      CAPTURE(r.id);
      CAPTURE(r.summary);
      CAPTURE(r.compile_output);
      CHECK(to_string(r.verdict) == "passed");
      CHECK(r.score == r.max_score);
      CHECK(r.max_score == problems[i].max_score());
      CHECK(r.tests.size() == problems[i].tests.size());
      for (const auto& test : r.tests) {
        CAPTURE(test.name);
        CAPTURE(test.message);
        CHECK(test.status == "pass");
      }
    }
  }
}

TEST_SUITE("stubs") {
  TEST_CASE("every stub compiles and scores 0 with every test reported") {
    const Toolkit t = toolkit();
    const auto problems = load_problems(t.source_dir);
    const fs::path dir = scratch_dir("stubs"), ws = dir / "workspace";
    REQUIRE(cli({"init", "--workspace", ws.string()}, dir).outcome.exit_code == 0);
    const CliRun run = cli({"grade", "--all", "--workspace", ws.string(), "--format", "json", "--output",
                            (dir / "r.json").string()},
                           dir);
    INFO(run.output);
    CHECK(run.outcome.exit_code == 1);
    const auto results = parse_json_results(read_file(dir / "r.json"));
    REQUIRE(results.size() == problems.size());
    for (size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      CAPTURE(r.id);
      CAPTURE(r.compile_output);
      CHECK(to_string(r.verdict) == "failed");
      CHECK(r.score == 0);
      REQUIRE(r.tests.size() == problems[i].tests.size());
      for (const auto& test : r.tests) {
        CAPTURE(test.name);
        CHECK(test.status != "pass");
        CHECK(test.message.find("TODO") != std::string::npos);  // reported by the test, not "did not run"
      }
    }
  }
}

// tests/known_wrong/<id>/<name>.cpp: wrong or hostile submissions. Line 2 of each says what the grader must
// give it: "// expect: <verdict>, score <min>..<max>". None may pass; none may score above its max.
TEST_SUITE("known_wrong") {
  TEST_CASE("known-wrong submissions get their verdict and no more than their score") {
    const Toolkit t = toolkit();
    const auto problems = load_problems(t.source_dir);
    struct Case {
      fs::path file;
      const Problem* problem;
      std::string verdict;
      int min_score, max_score;
    };
    std::vector<Case> cases;
    static const std::regex kExpect(R"(// expect: (\w+), score (\d+)\.\.(\d+))");
    for (const auto& entry : fs::recursive_directory_iterator(t.source_dir / "tests" / "known_wrong")) {
      if (entry.path().extension() != ".cpp") continue;
      const std::string id = entry.path().parent_path().filename().string();
      const std::string source = read_file(entry.path());
      std::smatch m;
      INFO(entry.path());
      REQUIRE(std::regex_search(source, m, kExpect));
      cases.push_back({entry.path(), &find_problem(problems, id), m[1], std::stoi(m[2]), std::stoi(m[3])});
    }
    REQUIRE(cases.size() >= 15);

    // two at a time: each grade is one compile, and the hangs wait out a short limit
    const fs::path root = scratch_dir("known_wrong");
    std::vector<std::string> failures(cases.size());
    std::atomic<size_t> next{0};
    auto worker = [&] {
      for (size_t i; (i = next++) < cases.size();) {
        const Case& c = cases[i];
        const std::string tag = c.problem->id + "_" + c.file.stem().string();
        const fs::path ws = root / tag / "workspace";
        fs::create_directories(ws);
        fs::copy_file(c.file, ws / c.problem->file_name());
        const CliRun run =
            cli({"grade", c.problem->id, "--workspace", ws.string(), "--format", "json", "--output",
                 (root / tag / "r.json").string(), "--time-limit", "2", "--jobs", "1"},
                root / tag);
        std::string why;
        try {
          const ProblemResult r = parse_json_results(read_file(root / tag / "r.json")).at(0);
          if (to_string(r.verdict) != c.verdict)
            why += "verdict " + to_string(r.verdict) + " (" + r.summary + ")";
          if (r.score < c.min_score || r.score > c.max_score)
            why += (why.empty() ? "" : "; ") + std::string("score ") + std::to_string(r.score);
          if (r.verdict == Verdict::passed) why += "; it PASSED";
          if (!why.empty())
            why = tag + ": expected " + c.verdict + " with score " + std::to_string(c.min_score) + ".." +
                  std::to_string(c.max_score) + ", got " + why;
        } catch (const std::exception& e) {
          why = tag + ": no report (" + e.what() + "): " + run.output;
        }
        failures[i] = why;
      }
    };
    std::thread a(worker), b(worker);
    a.join();
    b.join();
    for (const auto& f : failures) CHECK_MESSAGE(f.empty(), f);
  }
}

// Bad input on the command line: one clear line on stderr, the documented exit code, nothing lost.
TEST_SUITE("cli") {
  TEST_CASE("bad input gets one clear line and the documented exit code") {
    const fs::path dir = scratch_dir("cli"), ws = dir / "workspace";
    fs::create_directories(ws);
    std::ofstream(dir / "a_file") << "x";
    struct Case {
      std::vector<std::string> args;
      int exit_code;
      std::string says;
    };
    const std::vector<Case> cases = {
        {{"grade", "p99"}, 2, "there is no problem p99"},
        {{"grade", "sdpa_stable_sofmax"}, 2, "did you mean p01"},
        {{"grade", "p01", "--format", "xml"}, 2, "unknown --format 'xml'"},
        {{"grade", "p01", "--all"}, 2, "not both"},
        {{"grade"}, 2, "which problem?"},
        {{"grade", "p01", "--reference", "--workspace", ws.string()}, 2, "takes no --workspace"},
        {{"grade", "p01", "--workspace", (dir / "a_file").string()}, 2, "is a file, not a directory"},
        {{"grade", "p01", "--time-limit", "-1"}, 2, "--time-limit must be"},
        {{"grade", "p01", "--no-such-option"}, 2, "does not exist"},
        {{"gradee", "p01"}, 2, "did you mean grade?"},
        {{"show"}, 2, "which problem?"},
        {{"hint", "p1000"}, 2, "unknown problem"},
        {{}, 2, "Usage:"},
    };
    for (const auto& c : cases) {
      std::string joined;
      for (const auto& a : c.args) joined += a + " ";
      CAPTURE(joined);
      const CliRun run = cli(c.args, dir);
      CAPTURE(run.output);
      CHECK(run.outcome.exit_code == c.exit_code);
      CHECK(run.output.find(c.says) != std::string::npos);
      CHECK(run.output.find("terminate called") == std::string::npos);
      CHECK(run.output.find("what()") == std::string::npos);
    }
  }

  TEST_CASE("grading never writes to a learner's file; reset keeps a backup; init never overwrites") {
    const fs::path dir = scratch_dir("cli-files"), ws = dir / "workspace";
    fs::create_directories(ws);
    const fs::path file = ws / "p01_sdpa_stable_softmax.cpp";
    const std::string mine = "// my attempt\n#include \"sdpa_stable_softmax.h\"\nint not_finished(\n";
    std::ofstream(file) << mine;
    const CliRun graded = cli({"grade", "p01", "--workspace", ws.string()}, dir);
    CHECK(graded.outcome.exit_code == 1);
    CHECK(graded.output.find("compile_error") != std::string::npos);
    CHECK(read_file(file) == mine);

    CHECK(cli({"init", "--workspace", ws.string()}, dir).outcome.exit_code == 0);
    CHECK(read_file(file) == mine);

    const CliRun reset = cli({"reset", "p01", "--workspace", ws.string()}, dir);
    CHECK(reset.outcome.exit_code == 0);
    int backups = 0;
    for (const auto& entry : fs::directory_iterator(ws))
      if (entry.path().extension() == ".bak") {
        ++backups;
        CHECK(read_file(entry.path()) == mine);
      }
    CHECK(backups == 1);
    CHECK(read_file(file).find("TODO") != std::string::npos);
  }
}

TEST_SUITE("cli") {
  TEST_CASE("--isolate keeps a submission from writing outside its scratch directory") {
    if (find_bwrap().empty()) {
      MESSAGE("bubblewrap is not installed: isolation not tested");
      return;
    }
    const Toolkit t = toolkit();
    const fs::path dir = scratch_dir("isolation"), ws = dir / "workspace", breach = dir / "breach.txt";
    fs::create_directories(ws);
    fs::copy_file(t.source_dir / "tests" / "isolation" / "p01_escape.cpp",
                  ws / "p01_sdpa_stable_softmax.cpp");
    for (const bool isolate : {false, true}) {
      CAPTURE(isolate);
      fs::remove(breach);
      RunSpec spec;
      spec.argv = {kCli.string(), "grade", "p01", "--workspace", ws.string()};
      if (isolate) spec.argv.push_back("--isolate");
      spec.env = {"ATTNKATA_SELFTEST_BREACH=" + breach.string()};
      spec.output_file = dir / "cli-output.txt";
      spec.wall_seconds = 300;
      const RunOutcome o = run_process(spec);
      INFO(read_file(spec.output_file));
      CHECK(o.exit_code == 0);                // the solution itself is correct
      CHECK(fs::exists(breach) == !isolate);  // the write lands only without isolation
    }
  }
}

TEST_SUITE("cli") {
  TEST_CASE(
      "an empty or non-UTF-8 workspace file is a compile error with a clear summary, and JSON stays valid") {
    const fs::path dir = scratch_dir("cli-bad-files");
    const std::vector<std::pair<std::string, std::string>> files = {
        {"empty", ""},
        {"latin1", "// r\xe9sum\xe9 \xff\xfe\n#include \"sdpa_stable_softmax.h\"\nint x = \"\xe9\";\n"},
    };
    for (const auto& [name, content] : files) {
      CAPTURE(name);
      const fs::path ws = dir / name;
      fs::create_directories(ws);
      std::ofstream(ws / "p01_sdpa_stable_softmax.cpp", std::ios::binary) << content;
      const CliRun run = cli({"grade", "p01", "--workspace", ws.string(), "--format", "json", "--output",
                              (ws / "r.json").string()},
                             dir);
      CHECK(run.outcome.exit_code == 1);
      const ProblemResult r = parse_json_results(read_file(ws / "r.json")).at(0);  // throws if not valid JSON
      CHECK(r.verdict == Verdict::compile_error);
      CHECK(r.score == 0);
      if (name == "empty") CHECK(r.summary.find("does not define attn::") != std::string::npos);
      CHECK(read_file(ws / "p01_sdpa_stable_softmax.cpp") == content);
    }
  }
}

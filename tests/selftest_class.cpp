// The teacher's side: a generated class of 30 learners graded with `class` gives each learner the score its files
// deserve; the scoreboard shows the same numbers in headless Chromium; the per-learner formats carry what their
// consumers require (Exercism v3, Gradescope, JUnit checked by xmllint against tests/schemas/junit.xsd).
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "classroom.h"
#include "state.h"
#include "zip.h"
#include "selftest_support.h"

using namespace selftest;

namespace {

// A file a learner may hand in for a problem, with the score range it must get.
struct Submission {
  std::string kind;  // "reference", "stub", "missing", or a known-wrong file name
  std::string source;
  int min_score, max_score;
};

std::vector<Submission> submissions_for(const Problem& p, const std::vector<Problem>& problems) {
  std::vector<Submission> out{{"reference", read_file(p.reference()), p.max_score(), p.max_score()},
                              {"stub", read_file(p.stub()), 0, 0},
                              {"missing", "", 0, 0}};
  const fs::path dir = toolkit().source_dir / "tests" / "known_wrong" / p.id;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    const KnownWrong kw = parse_known_wrong(f, problems);
    if (kw.verdict != "failed") continue;  // hostile files have their own suite; a class is about mistakes
    const std::string source = f.extension() == ".patch" ? apply_patch(read_file(p.reference()), read_file(f))
                                                         : read_file(f);
    out.push_back({f.filename().string(), source, kw.min_score, kw.max_score});
  }
  return out;
}


// The problems, skipping one a maintainer is still writing (the consistency suite is the strict one).
std::vector<Problem> problems_here() {
  std::vector<std::string> skipped;
  return load_problems(toolkit().source_dir, &skipped);
}

}  // namespace

TEST_SUITE("class") {
  TEST_CASE("a class of 30 learners gets the scores its files deserve, and a second run grades nothing again") {
    const Toolkit t = toolkit();
    const auto problems = problems_here();
    const std::vector<std::string> ids{"p01", "p18"};
    const fs::path dir = scratch_dir("class"), roster = dir / "roster", out = dir / "report";
    std::map<std::string, std::map<std::string, Submission>> expected;  // learner -> problem -> submission
    std::vector<std::vector<Submission>> pools;
    for (const auto& id : ids) pools.push_back(submissions_for(find_problem(problems, id), problems));
    for (int i = 0; i < 30; ++i) {
      const std::string name = "learner" + std::to_string(100 + i);
      fs::create_directories(roster / name);
      fs::remove_all(WorkspaceState(t, roster / name).dir());  // a fresh class: no results from an earlier run
      for (size_t k = 0; k < ids.size(); ++k) {
        const Problem& p = find_problem(problems, ids[k]);
        const Submission& s = pools[k][(static_cast<size_t>(i) * (2 * k + 1)) % pools[k].size()];
        expected[name][p.id] = s;
        if (s.kind != "missing") std::ofstream(roster / name / p.file_name()) << s.source;
      }
    }

    size_t submitted_pairs = 0;
    for (const auto& [name, by_problem] : expected)
      for (const auto& [id, s] : by_problem) submitted_pairs += s.kind != "missing";
    const CliRun first = cli({"class", roster.string(), "p01", "p18", "-o", out.string(), "--format", "junit"}, dir);
    INFO(first.output);
    CHECK(first.outcome.exit_code == 1);  // not every pair passes
    const auto results = parse_class_json(read_file(out / "class.json"));
    REQUIRE(results.size() == 30);
    for (const auto& lr : results) {
      REQUIRE(lr.problems.size() == ids.size());
      int total = 0;
      for (const auto& r : lr.problems) {
        const Submission& s = expected.at(lr.learner.name).at(r.id);
        CAPTURE(lr.learner.name);
        CAPTURE(s.kind);
        CAPTURE(r.summary);
        CHECK(r.score >= s.min_score);
        CHECK(r.score <= s.max_score);
        if (s.kind == "reference") CHECK(r.verdict == Verdict::passed);
        if (s.kind == "missing") CHECK(r.summary.find("not submitted") == 0);
        total += r.score;
      }
      CHECK(lr.score == total);
      // the gradebook row says the same
      const std::string csv = read_file(out / "gradebook.csv");
      CHECK(csv.find(lr.learner.name + "," + std::to_string(lr.problems[0].score) + "," +
                     std::to_string(lr.problems[1].score) + "," + std::to_string(total) + ",") !=
            std::string::npos);
      CHECK(fs::exists(out / "learners" / (lr.learner.name + ".xml")));
    }
    CHECK(std::regex_search(first.output, std::regex(R"(\(0 unchanged)")));
    // identical files (a stub left as it was, the same solution) are compiled once, and each learner's report
    // names their own file
    std::map<std::pair<std::string, std::string>, int> compiles;  // (problem, source) -> learners compiled for it
    for (const auto& [name, by_problem] : expected)
      for (const auto& [id, s] : by_problem)
        if (s.kind != "missing")
          compiles[{id, s.source}] += fs::exists(WorkspaceState(t, roster / name).work_dir(id) / "compile.txt");
    for (const auto& [what, n] : compiles) CHECK_MESSAGE(n == 1, what.first << " compiled " << n << " times");
    CHECK(compiles.size() < submitted_pairs);  // the roster shares files, so something was shared
    for (const auto& lr : results)
      for (const auto& r : lr.problems) {
        CHECK(r.file.string().find(lr.learner.name + "/") != std::string::npos);
        if (!r.compile_output.empty()) CHECK(r.compile_output.find(lr.learner.name + "/") != std::string::npos);
      }

    // nothing changed: nothing is graded again, and the reports are the same
    const CliRun second = cli({"class", roster.string(), "p01", "p18", "-o", (dir / "report2").string()}, dir);
    CHECK(second.output.find("(" + std::to_string(submitted_pairs) + " unchanged") != std::string::npos);
    CHECK(read_file(dir / "report2" / "gradebook.csv") == read_file(out / "gradebook.csv"));
    // nothing was written into a learner's folder
    for (const auto& entry : fs::recursive_directory_iterator(roster))
      if (entry.is_regular_file()) CHECK(entry.path().extension() == ".cpp");
  }

  TEST_CASE("the scoreboard renders in headless Chromium with the numbers of class.json") {
    const fs::path dir = toolkit().build_dir / "selftest" / "class", out = dir / "report";
    if (!fs::exists(out / "class.json")) {
      MESSAGE("skipped: the class test did not leave a report (run the whole class suite)");
      return;
    }
    const fs::path chromium = fs::exists("/usr/bin/chromium") ? "/usr/bin/chromium" : "";
    if (chromium.empty()) {
      MESSAGE("skipped: Debian's chromium is not installed (./attnkata test installs it when run as root; "
              "or: sudo apt-get install chromium)");
      return;
    }
    const std::string url = "file://" + fs::absolute(out / "scoreboard.html").string();
    const std::vector<std::string> flags{chromium.string(), "--headless", "--no-sandbox", "--disable-gpu",
                                         "--user-data-dir=" + (dir / "chromium-profile").string()};
    auto argv = flags;
    argv.insert(argv.end(), {"--dump-dom", url});
    const auto [code, dom] = run(argv, dir, 180);
    INFO(dom.substr(0, 2000));
    REQUIRE(code == 0);
    // every cell of the rendered page against class.json
    const auto results = parse_class_json(read_file(out / "class.json"));
    static const std::regex kCell(
        R"re(data-learner="([^"]+)" data-problem="(p\d\d)" data-score="(\d+)" data-max="(\d+)")re");
    std::map<std::pair<std::string, std::string>, int> shown;
    for (auto it = std::sregex_iterator(dom.begin(), dom.end(), kCell); it != std::sregex_iterator(); ++it)
      shown[{(*it)[1].str(), (*it)[2].str()}] = std::stoi((*it)[3].str());
    size_t cells = 0;
    for (const auto& lr : results)
      for (const auto& r : lr.problems) {
        ++cells;
        CAPTURE(lr.learner.name);
        CAPTURE(r.id);
        REQUIRE(shown.count({lr.learner.name, r.id}) == 1);
        CHECK(shown[{lr.learner.name, r.id}] == r.score);
      }
    CHECK(shown.size() == cells);
    // the pass rate per problem
    for (size_t k = 0; k < results.front().problems.size(); ++k) {
      int passed = 0;
      for (const auto& lr : results) passed += lr.problems[k].verdict == Verdict::passed;
      const std::string id = results.front().problems[k].id;
      CHECK(dom.find("data-problem=\"" + id + "\" data-passed=\"" + std::to_string(passed) + "\"") !=
            std::string::npos);
    }
    // and a screenshot a person can look at
    argv = flags;
    argv.insert(argv.end(), {"--window-size=1400,1600", "--screenshot=" + (dir / "scoreboard.png").string(), url});
    CHECK(run(argv, dir, 180).first == 0);
    CHECK(fs::exists(dir / "scoreboard.png"));
    if (fs::exists(dir / "scoreboard.png")) CHECK(fs::file_size(dir / "scoreboard.png") > 20000);
  }

  TEST_CASE("per-learner formats carry what Exercism, Gradescope and JUnit consumers require") {
    const Toolkit t = toolkit();
    const fs::path dir = scratch_dir("formats"), ws = dir / "ws";
    const auto problems = problems_here();
    fs::create_directories(ws);
    // one problem passing, one failing, one that does not compile
    std::ofstream(ws / "p01_sdpa_stable_softmax.cpp") << read_file(find_problem(problems, "p01").reference());
    std::ofstream(ws / "p18_bahdanau_additive_attention.cpp")
        << read_file(t.source_dir / "tests" / "known_wrong" / "p18" / "zeros.cpp");
    std::ofstream(ws / "p02_han_attention_pooling.cpp") << "#include \"han_attention_pooling.h\"\nint x = ;\n";
    for (const std::string format : {"exercism", "gradescope", "junit"}) {
      CAPTURE(format);
      const fs::path file = dir / (format + ".out");
      const CliRun r = cli({"grade", "p01", "p18", "p02", "-w", ws.string(), "--format", format, "-o", file.string()},
                           dir);
      CHECK(r.outcome.exit_code == 1);
      const std::string text = read_file(file);
      if (format == "junit") {
        if (!fs::exists("/usr/bin/xmllint")) {
          MESSAGE("skipped the schema check: xmllint is not installed (sudo apt-get install libxml2-utils)");
          continue;
        }
        const auto [code, says] =
            run({"/usr/bin/xmllint", "--noout", "--schema", (t.source_dir / "tests" / "schemas" / "junit.xsd").string(),
                 file.string()},
                dir);
        INFO(says);
        CHECK(code == 0);
        CHECK(text.find("<error message=\"it does not compile\" type=\"compile_error\">") != std::string::npos);
        continue;
      }
      const auto doc = nlohmann::json::parse(text);
      if (format == "exercism") {
        CHECK(doc.at("version") == 3);
        CHECK(doc.at("status") == "error");  // p02 cannot be tested
        CHECK(doc.at("message").get<std::string>().find("p02: compile_error") != std::string::npos);
        for (const auto& test : doc.at("tests")) {
          CHECK(std::set<std::string>{"pass", "fail", "error"}.count(test.at("status")) == 1);
          CHECK(test.at("name").is_string());
          CHECK(test.at("test_code").get<std::string>().find("ATTN_TEST(") == 0);
          if (test.at("status") != "pass") CHECK(test.contains("message"));
        }
      } else {
        int sum = 0, max = 0;
        for (const auto& test : doc.at("tests")) {
          CHECK(std::set<std::string>{"passed", "failed"}.count(test.at("status")) == 1);
          CHECK(test.at("visibility") == "visible");
          CHECK(test.at("tags").size() == 1);
          sum += test.at("score").get<int>(), max += test.at("max_score").get<int>();
        }
        CHECK(doc.at("score") == sum);
        CHECK(doc.at("max_score") == max);
        CHECK(doc.at("execution_time").is_number());
        CHECK(sum >= find_problem(problems, "p01").max_score());
      }
    }
  }
}

TEST_SUITE("class") {
  TEST_CASE("the Gradescope bundle holds no solutions, and its run_autograder grades a simulated root") {
    const Toolkit t = toolkit();
    const auto problems = problems_here();
    const fs::path dir = scratch_dir("gradescope"), zip = dir / "autograder.zip";
    const CliRun made = cli({"export", "gradescope", "p01", "p18", "-o", zip.string()}, dir);
    INFO(made.output);
    REQUIRE(made.outcome.exit_code == 0);
    const auto entries = read_zip(zip);
    REQUIRE(entries.count("setup.sh") == 1);
    REQUIRE(entries.count("run_autograder") == 1);
    CHECK(entries.at("run_autograder").mode == 0755);
    CHECK(entries.count("attnkata/CMakeLists.txt") == 1);
    CHECK(entries.count("attnkata/problems/p01_sdpa_stable_softmax/tests.cpp") == 1);
    for (const auto& [name, entry] : entries) {
      CAPTURE(name);
      CHECK(name.find("solutions/") == std::string::npos);
      CHECK(name.find("known_wrong") == std::string::npos);
      CHECK(name.find("/build/") == std::string::npos);
    }
    CHECK(entries.at("setup.sh").data.find("p18_tests") != std::string::npos);

    // a simulated /autograder: the toolkit (already built here), a submission with one right and one wrong file
    const fs::path root = dir / "autograder";
    fs::create_directories(root / "submission" / "nested");
    fs::create_directories(root / "source");
    fs::create_symlink(t.source_dir, root / "source" / "attnkata");
    std::ofstream(root / "submission" / "nested" / "sdpa_stable_softmax.cpp")  // the stub's name, in a folder
        << read_file(find_problem(problems, "p01").reference());
    std::ofstream(root / "submission" / "p18_bahdanau_additive_attention.cpp")
        << read_file(t.source_dir / "tests" / "known_wrong" / "p18" / "zeros.cpp");
    std::ofstream(root / "run_autograder") << entries.at("run_autograder").data;
    RunSpec spec;
    spec.argv = {"/bin/bash", (root / "run_autograder").string()};
    spec.env = {"AUTOGRADER_ROOT=" + root.string(), "ATTNKATA_CLI=" + kCli.string()};
    spec.output_file = dir / "run_autograder.log";
    spec.wall_seconds = 300;
    const RunOutcome o = run_process(spec);
    INFO(read_file(spec.output_file));
    CHECK(o.exit_code == 0);
    const auto results = nlohmann::json::parse(read_file(root / "results" / "results.json"));
    const int p01_max = find_problem(problems, "p01").max_score();
    int p01 = 0, p18 = 0;
    for (const auto& test : results.at("tests")) {
      const std::string name = test.at("name");
      (name.starts_with("p01") ? p01 : p18) += test.at("score").get<int>();
    }
    CHECK(p01 == p01_max);
    const KnownWrong zeros = parse_known_wrong(t.source_dir / "tests" / "known_wrong" / "p18" / "zeros.cpp", problems);
    CHECK(p18 >= zeros.min_score);
    CHECK(p18 <= zeros.max_score);
    CHECK(results.at("score") == p01 + p18);
  }

  TEST_CASE("the GitHub Classroom workflow grades every chosen problem with its points") {
    const fs::path dir = scratch_dir("classroom");
    const CliRun made = cli({"export", "github-classroom", "--set", "interview", "-o", (dir / "c.yml").string(),
                             "--toolkit-url", "https://example.org/attnkata.git"},
                            dir);
    REQUIRE(made.outcome.exit_code == 0);
    const std::string yml = read_file(dir / "c.yml");
    const auto problems = problems_here();
    for (const char* id : {"p01", "p04", "p18"}) {
      CAPTURE(id);
      const Problem& p = find_problem(problems, id);
      CHECK(yml.find("command: .attnkata/attnkata grade " + p.id + " --workspace .") != std::string::npos);
      CHECK(yml.find("max-score: " + std::to_string(p.max_score())) != std::string::npos);
    }
    CHECK(yml.find("git clone --depth 1 https://example.org/attnkata.git .attnkata") != std::string::npos);
    CHECK(yml.find("p02") == std::string::npos);  // not in the interview set
  }
}

TEST_SUITE("class") {
  TEST_CASE("Ctrl-C stops a class run early and still writes reports of what was graded") {
    const Toolkit t = toolkit();
    const auto problems = problems_here();
    const fs::path dir = scratch_dir("class-interrupt"), roster = dir / "roster", out = dir / "report";
    for (int i = 0; i < 12; ++i) {
      const fs::path ws = roster / ("l" + std::to_string(10 + i));
      fs::create_directories(ws);
      fs::remove_all(WorkspaceState(t, ws).dir());
      // each file its own (identical files would be graded once)
      std::ofstream(ws / "p01_sdpa_stable_softmax.cpp")
          << read_file(find_problem(problems, "p01").reference()) << "// learner " << i << "\n";
    }
    // a teacher's Ctrl-C: SIGINT to the CLI once the first learner's result is saved
    RunSpec spec;
    spec.argv = {kCli.string(), "class", roster.string(), "p01", "-j", "1", "-o", out.string()};
    spec.output_file = dir / "out.txt";
    spec.wall_seconds = 600;
    RunOutcome o;
    std::thread runner([&] { o = run_process(spec); });
    const fs::path first_result = WorkspaceState(t, roster / "l10").dir() / "p01.json";
    for (int waited = 0; waited < 6000 && !fs::exists(first_result); ++waited)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // the CLI is the process whose command line names this roster (its children have their own)
    for (const auto& entry : fs::directory_iterator("/proc")) {
      const std::string pid = entry.path().filename().string();
      if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream cmdline(entry.path() / "cmdline");
      std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
      if (args.starts_with(kCli.string()) && args.find(roster.string()) != std::string::npos)
        ::kill(std::stoi(pid), SIGINT);
    }
    runner.join();
    INFO(read_file(spec.output_file));
    CHECK(o.exit_code == 130);
    const auto results = parse_class_json(read_file(out / "class.json"));
    REQUIRE(results.size() == 12);
    int graded = 0, cancelled = 0;
    for (const auto& lr : results) {
      const ProblemResult& r = lr.problems.at(0);
      if (r.summary == "not graded: cancelled") ++cancelled;
      else if (r.verdict == Verdict::passed) ++graded;
    }
    CHECK(graded >= 1);
    CHECK(cancelled >= 1);
    CHECK(graded + cancelled == 12);
    CHECK(read_file(spec.output_file).find("Interrupted") != std::string::npos);
  }
}

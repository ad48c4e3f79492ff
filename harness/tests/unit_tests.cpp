// Unit tests of the grader's pure parts: test declarations, id resolution, result records, scoring, verdicts.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <csignal>

#include "catalog.h"
#include "channel.h"
#include "classroom.h"
#include "course.h"
#include "state.h"
#include "verdict.h"
#include "view.h"

using namespace attnkata;

TEST_CASE("ATTN_TEST declarations are read in order with category and points") {
  const auto specs = parse_test_specs(
      "#include <x>\n"
      "ATTN_TEST(\"output has shape n×d\", shape, 1) {\n}\n"
      "  ATTN_TEST(\"a \\\"quoted\\\" name\", numeric, 12) {}\n"
      "// ATTN_TEST(\"commented out\", edge, 1)\n"
      "#define ATTN_TEST(name, category, points) \\\n");
  REQUIRE(specs.size() == 2);
  CHECK(specs[0].name == "output has shape n×d");
  CHECK(specs[0].category == "shape");
  CHECK(specs[0].points == 1);
  CHECK(specs[1].name == "a \\\"quoted\\\" name");
  CHECK(specs[1].points == 12);
}

TEST_CASE("problem ids resolve from p01, 1, 01, the slug or the file name; typos get a suggestion") {
  std::vector<Problem> problems(2);
  problems[0].id = "p01", problems[0].slug = "sdpa_stable_softmax";
  problems[1].id = "p18", problems[1].slug = "bahdanau_additive_attention";
  for (const char* q : {"p01", "1", "01", "P01", "sdpa_stable_softmax", "p01_sdpa_stable_softmax",
                        "p01_sdpa_stable_softmax.cpp"})
    CHECK(find_problem(problems, q).id == "p01");
  CHECK(find_problem(problems, "18").id == "p18");
  CHECK_THROWS_WITH_AS(find_problem(problems, "bahdanau_additiv"), doctest::Contains("did you mean p18"), UsageError);
  CHECK_THROWS_AS(find_problem(problems, "p99"), UsageError);
  CHECK_THROWS_AS(find_problem(problems, ""), UsageError);
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("records without the run's nonce, malformed or cut short are ignored") {
  const std::string text =
      "{\"n\":\"abc\",\"t\":\"start\",\"name\":\"one\"}\n"
      "{\"n\":\"abc\",\"t\":\"case\",\"name\":\"one\",\"category\":\"shape\",\"points\":1,\"status\":\"pass\","
      "\"message\":\"\",\"out\":[0,5]}\n"
      "{\"n\":\"forged\",\"t\":\"case\",\"name\":\"two\",\"status\":\"pass\"}\n"
      "SUCCESS\n"
      "{\"t\":\"end\",\"cases\":2}\n"
      "{\"n\":\"abc\",\"t\":\"start\",\"name\":\"two\"}\n"
      "{\"n\":\"abc\",\"t\":\"case\",\"name\":\"tw";
  const ChannelRecords r = parse_records(text, "abc");
  REQUIRE(r.cases.size() == 1);
  CHECK(r.cases[0].name == "one");
  CHECK(r.cases[0].out_end == 5);
  CHECK_FALSE(r.ended);
  REQUIRE(r.unfinished.has_value());
  CHECK(*r.unfinished == "two");
  CHECK(parse_records(text, "").cases.empty());  // an empty nonce never matches
}

TEST_CASE("the final record counts the cases") {
  const ChannelRecords r = parse_records("{\"n\":\"k\",\"t\":\"end\",\"cases\":7}\n", "k");
  CHECK(r.ended);
  CHECK(r.end_count == 7);
}

TEST_CASE("scores come from the declarations; missing tests are errors") {
  const std::vector<TestSpec> specs{{"a", "shape", 1, ""}, {"b", "numeric", 2, ""}, {"c", "edge", 3, ""}};
  const std::vector<CaseRecord> records{{"a", "shape", "pass", "", 99, -1, -1, 0.5, "fast"},
                                        {"b", "numeric", "fail", "off", 2, -1, -1, 0, ""}};
  const auto tests = score_tests(specs, records, "not run");
  REQUIRE(tests.size() == 3);
  CHECK(tests[0].status == TestStatus::pass);
  CHECK(tests[0].points == 1);  // the record's 99 is not trusted
  CHECK(tests[0].time_s == 0.5);
  CHECK(tests[0].notes == "fast");
  CHECK(tests[1].status == TestStatus::fail);
  CHECK(tests[1].message == "off");
  CHECK(tests[2].status == TestStatus::error);
  CHECK(total_points(tests) == 1);
  CHECK(tests[2].message == "not run");
}

TestResult test(const char* name, TestStatus status, const char* message = "") {
  TestResult t;
  t.name = name, t.category = "shape", t.points = 1, t.status = status, t.message = message;
  return t;
}

RunEvidence evidence(bool complete, int signal = 0) {
  RunEvidence e;
  e.complete = complete, e.signal = signal;
  return e;
}

TEST_CASE("verdicts follow grader.md's order") {
  const std::vector<TestResult> pass{test("a", TestStatus::pass)};
  const std::vector<TestResult> fail{test("a", TestStatus::pass), test("b", TestStatus::fail, "x")};
  const std::vector<TestResult> oom{test("a", TestStatus::error, "exception escaped the test: std::bad_alloc")};
  CHECK(choose_verdict(evidence(true), pass) == Verdict::passed);
  CHECK(choose_verdict(evidence(true), fail) == Verdict::failed);
  RunEvidence wall = evidence(false, SIGKILL);
  wall.timed_out = true;
  CHECK(choose_verdict(wall, pass) == Verdict::time_limit);
  CHECK(choose_verdict(evidence(false, SIGXCPU), pass) == Verdict::time_limit);
  RunEvidence cpu = evidence(false, SIGKILL);  // the CPU hard limit won the race with the wall clock
  cpu.cpu_limit = true;
  CHECK(choose_verdict(cpu, pass) == Verdict::time_limit);
  CHECK(choose_verdict(evidence(false, SIGABRT), oom) == Verdict::memory_limit);
  CHECK(choose_verdict(wall, oom) == Verdict::memory_limit);  // slow because it ran out of memory
  RunEvidence killed_full = evidence(false, SIGSEGV);
  killed_full.out_of_memory = true;
  CHECK(choose_verdict(killed_full, pass) == Verdict::memory_limit);
  CHECK(choose_verdict(evidence(false, SIGXFSZ), pass) == Verdict::output_limit);
  RunEvidence printed = evidence(true);
  printed.output_limit = true;
  CHECK(choose_verdict(printed, pass) == Verdict::output_limit);
  CHECK(choose_verdict(evidence(false, SIGSEGV), fail) == Verdict::runtime_error);
  CHECK(choose_verdict(evidence(false), pass) == Verdict::runtime_error);  // exit(0) before the end record
  CHECK(choose_verdict(evidence(true), {}) == Verdict::failed);            // no tests is never a pass
}

TEST_CASE("verdict and status names round-trip, one spelling each") {
  for (const Verdict v : {Verdict::compile_error, Verdict::time_limit, Verdict::memory_limit, Verdict::output_limit,
                          Verdict::runtime_error, Verdict::failed, Verdict::passed, Verdict::internal_error})
    CHECK(verdict_from(to_string(v)) == v);
  CHECK_FALSE(verdict_from("timeout").has_value());
  for (const TestStatus s : {TestStatus::pass, TestStatus::fail, TestStatus::error})
    CHECK(test_status_from(to_string(s)) == s);
  CHECK(test_status_from("bogus") == TestStatus::error);
}

TEST_CASE("the state hash is stable: FNV-1a 64") {
  CHECK(stable_hash("") == 0xcbf29ce484222325ull);
  CHECK(stable_hash("a") == 0xaf63dc4c8601ec8cull);
  CHECK(stable_hash("/home/a/workspace") != stable_hash("/home/b/workspace"));
}

TEST_CASE("views: unknown formats are usage errors naming the known ones") {
  CHECK_THROWS_WITH_AS(make_view("xml", {}), doctest::Contains("text, json"), UsageError);
  CHECK(make_view("text", {}) != nullptr);
}

TEST_CASE("JSON reports round-trip") {
  ProblemResult r;
  r.id = "p01", r.slug = "sdpa_stable_softmax", r.verdict = Verdict::failed, r.score = 3, r.max_score = 5;
  r.cpu_s = 0.25, r.peak_rss_kib = 12345;
  r.tests = {test("a", TestStatus::pass), test("b", TestStatus::fail, "expected 4×8, got 8×4")};
  r.tests[1].output = "hi\n";
  r.tests[1].artifacts.push_back({"weights", 1, 2, {0.25f, 0.75f}});
  const auto back = parse_json_results(make_json_view({})->render({r}));
  REQUIRE(back.size() == 1);
  CHECK(back[0].verdict == Verdict::failed);
  CHECK(back[0].score == 3);
  CHECK(back[0].tests[1].message == "expected 4×8, got 8×4");
  CHECK(back[0].tests[1].output == "hi\n");
  CHECK(back[0].cpu_s == 0.25);
  CHECK(back[0].peak_rss_kib == 12345);
  REQUIRE(back[0].tests[1].artifacts.size() == 1);
  CHECK(back[0].tests[1].artifacts[0].values[1] == 0.75f);
}

TEST_CASE("per-learner formats: exercism v3, gradescope and junit carry every test") {
  ProblemResult r;
  r.id = "p01", r.slug = "sdpa_stable_softmax", r.verdict = Verdict::failed, r.score = 1, r.max_score = 3;
  r.tests = {test("a <shape>", TestStatus::pass), test("b", TestStatus::fail, "expected 4×8, got 8×4 & \"so\"")};
  r.tests[1].points = 2, r.tests[1].code = "ATTN_TEST(\"b\", edge, 2) {}";
  const std::string ex = make_view("exercism", {})->render({r});
  CHECK(ex.find("\"version\": 3") != std::string::npos);
  CHECK(ex.find("\"status\": \"fail\"") != std::string::npos);
  CHECK(ex.find("\"test_code\": \"ATTN_TEST(") != std::string::npos);
  const std::string gs = make_view("gradescope", {})->render({r});
  CHECK(gs.find("\"score\": 1") != std::string::npos);
  CHECK(gs.find("\"tags\": [") != std::string::npos);
  const std::string ju = make_view("junit", {})->render({r});
  CHECK(ju.find("<testsuite name=\"p01 sdpa_stable_softmax\" tests=\"2\" failures=\"1\"") != std::string::npos);
  CHECK(ju.find("a &lt;shape&gt;") != std::string::npos);
  CHECK(ju.find("&amp; &quot;so&quot;") != std::string::npos);
  r.verdict = Verdict::compile_error, r.summary = "it does not compile";
  CHECK(make_view("exercism", {})->render({r}).find("\"status\": \"error\"") != std::string::npos);
}

TEST_CASE("class reports round-trip and the gradebook has a column per problem") {
  Problem p;
  p.id = "p01", p.slug = "sdpa_stable_softmax", p.title = "SDPA";
  p.tests = {{"a", "shape", 1, ""}, {"b", "numeric", 2, ""}};
  ProblemResult r;
  r.id = "p01", r.slug = p.slug, r.verdict = Verdict::failed, r.score = 1, r.max_score = 3;
  r.tests = {test("a", TestStatus::pass), test("b", TestStatus::fail, "off")};
  LearnerResult alice{{"alice, jr", "/tmp/alice"}, {r}, 1, 3, true};
  const std::vector<const Problem*> problems{&p};
  const auto back = parse_class_json(render_class_json({alice}, problems));
  REQUIRE(back.size() == 1);
  CHECK(back[0].learner.name == "alice, jr");
  CHECK(back[0].problems.at(0).tests.at(1).message == "off");
  CHECK(render_gradebook_csv({alice}, problems) == "name,p01,total,max\n\"alice, jr\",1,1,3\n");
  const std::string html = render_scoreboard_html({alice}, problems, "t");
  CHECK(html.find("data-learner=\"alice, jr\" data-problem=\"p01\" data-score=\"1\"") != std::string::npos);
  CHECK(html.find("failed by 1 of 1") != std::string::npos);
}

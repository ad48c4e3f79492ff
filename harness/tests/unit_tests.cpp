// Unit tests of the grader's pure parts: test declarations, id resolution, result records, scoring, verdicts.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <attnkata/artifacts.h>

#include <cmath>
#include <csignal>
#include <regex>

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
      "#define ATTN_TEST(name, category, points) \\\n"
      "ATTN_TEST(\"a declaration clang-format wrapped\", numeric,\n          3) {}\n");
  REQUIRE(specs.size() == 3);
  CHECK(specs[2].name == "a declaration clang-format wrapped");
  CHECK(specs[2].points == 3);
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
  const std::vector<CaseRecord> records{{"a", "shape", "pass", "", 99, -1, -1, 0.5, "fast", {}},
                                        {"b", "numeric", "fail", "off", 2, -1, -1, 0, "", {}}};
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
  r.tests[1].artifacts.push_back({"weights", "yours", 1, 3, {0.25f, 0.75f, NAN}});
  const auto back = parse_json_results(make_json_view({})->render({r}));
  REQUIRE(back.size() == 1);
  CHECK(back[0].verdict == Verdict::failed);
  CHECK(back[0].score == 3);
  CHECK(back[0].tests[1].message == "expected 4×8, got 8×4");
  CHECK(back[0].tests[1].output == "hi\n");
  CHECK(back[0].cpu_s == 0.25);
  CHECK(back[0].peak_rss_kib == 12345);
  REQUIRE(back[0].tests[1].artifacts.size() == 1);
  CHECK(back[0].tests[1].artifacts[0].kind == "yours");
  REQUIRE(back[0].tests[1].artifacts[0].values.size() == 3);
  CHECK(back[0].tests[1].artifacts[0].values[1] == 0.75f);
  CHECK(std::isnan(back[0].tests[1].artifacts[0].values[2]));  // written null
}

// A case record carrying the given "artifacts" JSON text.
std::string case_with_artifacts(const std::string& artifacts) {
  return "{\"n\":\"k\",\"t\":\"case\",\"name\":\"a\",\"status\":\"fail\",\"artifacts\":" + artifacts + "}\n";
}

// One artifact as the test main writes it.
std::string artifact_json(const std::string& name, const std::string& kind, long rows, long cols,
                          const std::string& values) {
  return "{\"name\":\"" + name + "\",\"kind\":\"" + kind + "\",\"rows\":" + std::to_string(rows) +
         ",\"cols\":" + std::to_string(cols) + ",\"values\":[" + values + "]}";
}

TEST_CASE("artifacts: null is NaN, \"inf\" and \"-inf\" are infinities; a record's artifacts never cost the record") {
  const ChannelRecords r = parse_records(
      case_with_artifacts("[" + artifact_json("weights", "yours", 2, 2, "0.25,null,\"inf\",\"-inf\"") + "," +
                          artifact_json("weights", "mask", 1, 2, "1,0") + "]"),
      "k");
  REQUIRE(r.cases.size() == 1);
  REQUIRE(r.cases[0].artifacts.size() == 2);
  const Artifact& a = r.cases[0].artifacts[0];
  CHECK(a.name == "weights");
  CHECK(a.kind == "yours");
  CHECK(a.rows == 2);
  CHECK(a.cols == 2);
  REQUIRE(a.values.size() == 4);
  CHECK(a.values[0] == 0.25f);
  CHECK(std::isnan(a.values[1]));
  CHECK(a.values[2] == INFINITY);
  CHECK(a.values[3] == -INFINITY);
  CHECK(r.cases[0].artifacts[1].kind == "mask");
  // garbage where the artifacts should be: the case still counts, with none
  for (const std::string bad : {"7", "\"x\"", "{}", "[1,2]", "null"}) {
    const ChannelRecords g = parse_records(case_with_artifacts(bad), "k");
    REQUIRE(g.cases.size() == 1);
    CHECK(g.cases[0].status == "fail");
    CHECK(g.cases[0].artifacts.empty());
  }
}

TEST_CASE("artifacts: the grader drops what breaks the caps (hostile records)") {
  std::string big;  // 65 × 64 = 4160 values, over the 4096 cap
  for (int k = 0; k < 65 * 64; ++k) big += k ? ",0" : "0";
  const std::string ok = artifact_json("w", "yours", 1, 1, "1");
  const std::vector<std::string> dropped{
      artifact_json("big", "yours", 65, 64, big),                                 // over the cap
      artifact_json("lying", "yours", 2, 2, "1,2,3"),                             // rows × cols ≠ values
      artifact_json("overflow", "yours", 4294967296, 4294967296, ""),            // rows × cols wraps to 0
      artifact_json("negative", "yours", -1, -1, "1"),                            // negative shape
      artifact_json("kind", "scores", 1, 1, "1"),                                 // unknown kind
      artifact_json("text", "yours", 1, 2, "1,\"2\""),                            // a string that is not ±inf
      "{\"name\":3,\"kind\":\"yours\",\"rows\":1,\"cols\":1,\"values\":[1]}",  // a name that is not text
  };
  for (const auto& bad : dropped) {
    CAPTURE(bad.substr(0, 80));
    const ChannelRecords r = parse_records(case_with_artifacts("[" + bad + "," + ok + "]"), "k");
    REQUIRE(r.cases.size() == 1);
    REQUIRE(r.cases[0].artifacts.size() == 1);  // the bad one dropped, the good one kept
    CHECK(r.cases[0].artifacts[0].name == "w");
  }
  // at most 8 a case: the first 8 are kept
  std::string nine = "[";
  for (int k = 0; k < 9; ++k) nine += (k ? "," : "") + artifact_json("m" + std::to_string(k), "yours", 1, 1, "1");
  const ChannelRecords r = parse_records(case_with_artifacts(nine + "]"), "k");
  REQUIRE(r.cases.size() == 1);
  REQUIRE(r.cases[0].artifacts.size() == 8);
  CHECK(r.cases[0].artifacts[7].name == "m7");
  // and a 64×64 matrix, at the cap, is kept
  std::string full;
  for (int k = 0; k < 64 * 64; ++k) full += k ? ",0.5" : "0.5";
  CHECK(parse_records(case_with_artifacts("[" + artifact_json("full", "expected", 64, 64, full) + "]"), "k")
            .cases.at(0)
            .artifacts.size() == 1);
}

TEST_CASE("artifacts, test side: a check's group is recorded whole or not at all, within the caps") {
  namespace art = attnkata::artifacts;
  using Rows = std::vector<std::vector<float>>;
  struct M {  // the rows(), cols(), m(i, j) that art::matrix reads
    Rows v;
    long rows() const { return static_cast<long>(v.size()); }
    long cols() const { return v.empty() ? 0 : static_cast<long>(v[0].size()); }
    float operator()(long i, long j) const { return v[i][j]; }
  };
  art::current().clear();
  const M yours{{{1, 0}, {NAN, 1}}}, expected{{{1, 0}, {0, 1}}}, mask{{{1, 0}, {1, 1}}};
  art::record({art::matrix("w", "yours", yours), art::matrix("w", "expected", expected)});
  REQUIRE(art::current().size() == 2);
  CHECK(art::current()[0].values[1] == 0.f);
  art::record({art::matrix("w", "yours", yours), art::matrix("w", "mask", mask)});  // yours again: same, NaN too
  CHECK(art::current().size() == 3);
  art::record({art::matrix("w", "yours", expected), art::matrix("w", "mask", mask)});  // another yours: refused
  CHECK(art::current().size() == 3);
  const M big{Rows(65, std::vector<float>(64, 0.f))};
  art::record({art::matrix("big", "yours", big), art::matrix("big", "expected", yours)});  // big left out
  REQUIRE(art::current().size() == 4);
  CHECK(art::current()[3].kind == "expected");
  for (int k = 0; k < 5; ++k) {
    const std::string name = "n" + std::to_string(k);
    art::record({art::matrix(name, "yours", yours), art::matrix(name, "expected", expected)});
  }
  CHECK(art::current().size() == 8);  // 4 + 2 + 2, then no room for a pair
  art::current().clear();
}

TEST_CASE("html: heat maps for the failing test's artifacts, every string escaped, masked cells marked") {
  ProblemResult r;
  r.id = "p01", r.slug = "sdpa", r.verdict = Verdict::failed, r.score = 1, r.max_score = 3;
  r.tests = {test("passes <b>", TestStatus::pass), test("fails <script>", TestStatus::fail, "a & b")};
  r.tests[0].artifacts.push_back({"weights", "yours", 1, 1, {1.f}});  // passing: no maps without verbose
  r.tests[1].artifacts = {{"w\"", "yours", 2, 2, {0.5f, 0.25f, NAN, 1.f}},
                          {"w\"", "expected", 2, 2, {0.5f, 0.f, 0.f, 1.f}},
                          {"w\"", "mask", 2, 2, {1.f, 0.f, 1.f, 1.f}},
                          {"out", "yours", 2, 1, {1.f, 2.f}},
                          {"out", "expected", 1, 2, {1.f, 2.f}},
                          {"broken", "yours", 3, 3, {1.f}}};
  const std::string html = make_view("html", {})->render({r});
  CHECK(html.find("<script>") == std::string::npos);
  CHECK(html.find("fails &lt;script&gt;") != std::string::npos);
  CHECK(html.find("data-artifact=\"w&quot;\"") != std::string::npos);
  CHECK(html.find("a &amp; b") != std::string::npos);
  auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t at = html.find(what); at != std::string::npos; at = html.find(what, at + 1)) ++n;
    return n;
  };
  CHECK(count("data-kind=\"yours\"") == 4 + 2);
  CHECK(count("data-kind=\"expected\"") == 4 + 2);
  CHECK(count("data-kind=\"difference\"") == 4);  // none for "out": its shapes differ
  CHECK(html.find("No difference map: yours is 2×1, expected 1×2 (transposed?)") != std::string::npos);
  CHECK(count("data-masked=\"1\"") == 3);  // (0, 1) in each of the three maps
  CHECK(count("data-zero=\"1\"") == 0);    // a mask was recorded: it marks, not the zeros
  CHECK(html.find("data-v=\"nan\"") != std::string::npos);
  CHECK(html.find("NaN or ±inf") != std::string::npos);
  CHECK(html.find("difference: largest |Δ| = 0.25 at (0, 1); 1 not finite") != std::string::npos);
  CHECK(html.find("data-test=\"passes &lt;b&gt;\" data-artifact") == std::string::npos);
  CHECK(html.find("broken") == std::string::npos);  // values that do not fill rows × cols are not drawn
  CHECK(html.find("http") == std::string::npos);     // nothing fetched
  // verbose: the passing test's map too; without a mask, expected zeros are outlined
  r.tests[1].artifacts.erase(r.tests[1].artifacts.begin() + 2);
  const std::string verbose = make_view("html", {false, true})->render({r});
  CHECK(verbose.find("data-test=\"passes &lt;b&gt;\" data-artifact=\"weights\" data-kind=\"yours\"") !=
        std::string::npos);
  CHECK(verbose.find("data-zero=\"1\"") != std::string::npos);
  CHECK(verbose.find("expected exactly 0") != std::string::npos);
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

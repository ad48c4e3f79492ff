// The self-test of interview drills: a drill in a terminal (tmux) that passes, the locks while it runs, the
// learner's earlier file kept; a drill without a terminal that runs out of time; the records `stats` reads back,
// and the choice of the next drill from the interview set.
#include <doctest/doctest.h>

#include <fstream>

#include "drill.h"
#include "selftest_support.h"

using namespace attnkata;
using namespace selftest;

TEST_SUITE("cli") {
  TEST_CASE("interview: a fresh stub, hints and walkthrough locked, a pass recorded, a deadline recorded, stats") {
    const Toolkit t = toolkit();
    const auto problems = load_problems(t.source_dir);
    const fs::path dir = scratch_dir("cli-interview"), ws = dir / "workspace";
    fs::create_directories(ws);
    const WorkspaceState state(t, ws);
    fs::remove_all(state.dir());
    const Problem& p01 = find_problem(problems, "p01");
    const fs::path file = ws / p01.file_name();
    const std::string mine = "// my unfinished attempt: it must survive the drill\n";
    std::ofstream(file) << mine;

    // 1. a drill in a terminal, passed
    if (!TmuxSession::available()) {
      MESSAGE("skipped the terminal part: tmux is not installed (./attnkata test installs it when run as root; or: "
              "sudo apt-get install tmux)");
    } else {
      const TmuxSession tmux({kCli.string(), "interview", "p01", "--minutes", "10", "--workspace", ws.string()}, dir,
                             160, 50);
      REQUIRE(tmux.started());
      CHECK(tmux.wait_for("p01 failed 0/31 · graded in"));  // the stub, graded once
      CHECK(tmux.screen().find("left · q: stop the drill") != std::string::npos);
      // the earlier file is kept beside the fresh stub
      CHECK(read_file(file) == read_file(p01.stub()));
      int backups = 0;
      for (const auto& e : fs::directory_iterator(ws))
        if (e.path().extension() == ".bak") {
          ++backups;
          CHECK(read_file(e.path()) == mine);
        }
      CHECK(backups == 1);
      // locked while it runs, from another terminal too
      const CliRun hint = cli({"hint", "p01", "-w", ws.string()}, dir);
      CHECK(hint.outcome.exit_code == 2);
      CHECK(hint.output.find("hints of p01 are locked during its interview drill") != std::string::npos);
      const CliRun walk = cli({"show", "p01", "--walkthrough", "--force", "-w", ws.string()}, dir);
      CHECK(walk.outcome.exit_code == 2);
      CHECK(walk.output.find("locked") != std::string::npos);
      const CliRun second = cli({"interview", "p04", "-w", ws.string()}, dir);
      CHECK(second.outcome.exit_code == 2);
      CHECK(second.output.find("a drill of p01 is under way") != std::string::npos);
      // the h key does not reveal a hint either
      tmux.keys("h");
      CHECK(tmux.wait_for("Hints are locked until the drill ends"));
      CHECK(tmux.screen().find("Hint 1 of") == std::string::npos);
      // solved
      std::ofstream(file) << read_file(p01.reference());
      CHECK(tmux.wait_for("Drill over: p01 passed in"));
      CHECK(tmux.wait_for("Recorded. Your drills:"));
      // unlocked now
      CHECK(cli({"hint", "p01", "-w", ws.string()}, dir).outcome.exit_code == 0);
      const auto records = DrillLog(state).records();
      REQUIRE(records.size() == 1);
      CHECK(records[0].outcome == "passed");
      CHECK(records[0].score == 31);
      CHECK(records[0].grades >= 2);
      CHECK(records[0].seconds_to_pass > 0);
      CHECK(records[0].seconds_to_pass < 600);
    }

    // 2. a drill without a terminal that runs out of time: the stub is graded, then the deadline
    const auto before = DrillLog(state).records().size();
    const CliRun timed = cli({"interview", "p18", "--minutes", "0.05", "-w", ws.string()}, dir);
    INFO(timed.output);
    CHECK(timed.outcome.exit_code == 1);
    CHECK(timed.output.find("Drill over: p18 ran out of time at 0/") != std::string::npos);
    auto records = DrillLog(state).records();
    REQUIRE(records.size() == before + 1);
    CHECK(records.back().id == "p18");
    CHECK(records.back().outcome == "deadline");
    CHECK(records.back().seconds_to_pass < 0);
    CHECK(!DrillLog(state).active());  // unlocked
    CHECK(cli({"hint", "p18", "-w", ws.string()}, dir).outcome.exit_code == 0);

    // 3. stats: the failed drill first among those to drill again
    const CliRun stats = cli({"stats", "-w", ws.string()}, dir);
    INFO(stats.output);
    CHECK(stats.outcome.exit_code == 0);
    CHECK(stats.output.find("p18  bahdanau_additive_attention") != std::string::npos);
    CHECK(stats.output.find("Drill again: p18 (failed at the deadline)") != std::string::npos);

    // 4. --set interview: never-drilled problems come first, in course order (p01 may be drilled already)
    const Course course = Course::load(t.source_dir);
    const auto order = drill_order(in_course_order(course, problems, "interview"), DrillLog(state).records());
    REQUIRE(!order.empty());
    const CliRun next = cli({"interview", "--set", "interview", "--minutes", "0.05", "-w", ws.string()}, dir);
    CHECK(next.output.find("Drill over: " + order.front()->id) != std::string::npos);
    CHECK(order.front()->id != "p18");
    // bad input
    CHECK(cli({"interview", "p01", "--minutes", "0", "-w", ws.string()}, dir).outcome.exit_code == 2);
    CHECK(cli({"interview", "p01", "--set", "interview", "-w", ws.string()}, dir).outcome.exit_code == 2);
    CHECK(cli({"interview", "--set", "nosuchset", "-w", ws.string()}, dir).outcome.exit_code == 2);
  }
}

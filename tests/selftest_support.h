// Shared by the self-test's files: running the CLI, scratch directories, strict patches, known-wrong headers.
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "catalog.h"
#include "process.h"
#include "toolchain.h"

namespace selftest {

using namespace attnkata;

inline const fs::path kCli = ATTNKATA_CLI;

inline Toolkit toolkit() {
  return Toolkit::load(kCli.parent_path() / "attnkata-toolkit.json");
}

struct CliRun {
  RunOutcome outcome;
  std::string output;
};

// Everything a grade may need, built once per self-test process; the CLI runs after that skip their own ninja check
// (ATTNKATA_NO_BUILD): hundreds of grades, each saving a no-op build of the whole graph.
inline void build_everything_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    ensure_built(toolkit(), {"all"});
    ::setenv("ATTNKATA_NO_BUILD", "1", 1);
  });
}

inline CliRun cli(const std::vector<std::string>& args, const fs::path& scratch) {
  build_everything_once();
  RunSpec spec;
  spec.argv = {kCli.string()};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.output_file = scratch / "cli-output.txt";
  spec.wall_seconds = 900;
  CliRun r{run_process(spec), ""};
  r.output = read_file(spec.output_file);
  return r;
}

// Runs a program, returns (exit code, what it printed on stdout and stderr); exit code -1 when it could not start.
inline std::pair<int, std::string> run(const std::vector<std::string>& argv, const fs::path& dir,
                                       double seconds = 300) {
  RunSpec spec;
  spec.argv = argv;
  spec.output_file = dir / "run-output.txt";
  spec.wall_seconds = seconds;
  const RunOutcome o = run_process(spec);
  return {o.started ? o.exit_code : -1, read_file(spec.output_file)};
}

// What a command printed (stdout and stderr).
inline std::string output_of(const std::vector<std::string>& argv, const fs::path& dir) {
  return run(argv, dir, 60).second;
}

// A command in a detached tmux session, read off its screen as a person would see it. The pane stays after the
// command ends, so its last screen can still be read; the session is killed on destruction.
class TmuxSession {
 public:
  TmuxSession(const std::vector<std::string>& command, const fs::path& dir, int width = 160, int height = 60)
      : name_("attnkata-selftest-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++)), dir_(dir) {
    std::vector<std::string> argv{kTmux, "new-session", "-d", "-s", name_, "-x", std::to_string(width), "-y",
                                  std::to_string(height), "env", "NO_COLOR=1"};
    argv.insert(argv.end(), command.begin(), command.end());
    started_ = output_of(argv, dir_).empty();
    if (started_) output_of({kTmux, "set-option", "-t", name_, "remain-on-exit", "on"}, dir_);
  }
  ~TmuxSession() { output_of({kTmux, "kill-session", "-t", name_}, dir_); }
  TmuxSession(const TmuxSession&) = delete;
  TmuxSession& operator=(const TmuxSession&) = delete;

  static bool available() { return fs::exists(kTmux); }
  bool started() const { return started_; }
  std::string screen() const { return output_of({kTmux, "capture-pane", "-p", "-t", name_}, dir_); }
  void keys(const std::string& keys) const { output_of({kTmux, "send-keys", "-t", name_, keys}, dir_); }
  // Whether text appears on the screen within two minutes (a busy machine).
  bool wait_for(const std::string& text) const {
    for (int i = 0; i < 1200; ++i) {
      if (screen().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  // Whether the command has ended (its pane is dead) within 30 s.
  bool wait_for_exit() const {
    for (int i = 0; i < 300; ++i) {
      if (output_of({kTmux, "display-message", "-p", "-t", name_, "#{pane_dead}"}, dir_).starts_with("1")) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

 private:
  static inline const std::string kTmux = "/usr/bin/tmux";
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::string name_;
  fs::path dir_;
  bool started_ = false;
};

inline fs::path scratch_dir(const std::string& name) {
  const fs::path dir = toolkit().build_dir / "selftest" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}


inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t end = text.find('\n', pos);
    lines.push_back(text.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    pos = end == std::string::npos ? text.size() : end + 1;
  }
  return lines;
}

// Applies a unified diff to source with no fuzz: every context and removed line must match exactly where the
// hunk header says. Throws std::runtime_error naming the hunk that does not apply.
inline std::string apply_patch(const std::string& source, const std::string& patch) {
  const std::vector<std::string> in = split_lines(source), diff = split_lines(patch);
  static const std::regex kHunk(R"(^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@)");
  std::vector<std::string> out;
  size_t next = 0;  // first line of `in` not yet copied
  int hunks = 0;
  for (size_t k = 0; k < diff.size(); ++k) {
    std::smatch m;
    if (!std::regex_search(diff[k], m, kHunk)) continue;
    ++hunks;
    const std::string where = "hunk " + std::to_string(hunks) + " (" + diff[k] + ")";
    const size_t old_start = std::stoul(m[1]), old_count = m[2].matched ? std::stoul(m[2]) : 1;
    const size_t at = old_count == 0 ? old_start : old_start - 1;
    if (at < next || at > in.size()) throw std::runtime_error(where + ": out of order or past the end");
    out.insert(out.end(), in.begin() + static_cast<long>(next), in.begin() + static_cast<long>(at));
    next = at;
    for (++k; k < diff.size() && !diff[k].starts_with("@@"); ++k) {
      const std::string& line = diff[k];
      if (line.starts_with("\\")) continue;  // "\ No newline at end of file"
      const char op = line.empty() ? ' ' : line[0];
      const std::string text = line.empty() ? "" : line.substr(1);
      if (op == '+') {
        out.push_back(text);
      } else if (op == ' ' || op == '-') {
        if (next >= in.size() || in[next] != text)
          throw std::runtime_error(where + ": line " + std::to_string(next + 1) + " of the reference is '" +
                                   (next < in.size() ? in[next] : "<end>") + "', the patch expects '" + text +
                                   "'");
        if (op == ' ') out.push_back(text);
        ++next;
      } else {
        break;  // the next file's header or trailing text
      }
    }
    --k;
  }
  if (hunks == 0) throw std::runtime_error("no hunks");
  out.insert(out.end(), in.begin() + static_cast<long>(next), in.end());
  std::string text;
  for (const auto& line : out) text += line + "\n";
  return text;
}

struct KnownWrong {
  fs::path file;
  const Problem* problem;
  std::string verdict;
  int min_score, max_score;
  std::set<std::string> may_pass;  // categories or test names; empty: no restriction
  bool restricted = false;
};

inline KnownWrong parse_known_wrong(const fs::path& file, const std::vector<Problem>& problems) {
  static const std::regex kExpect(R"(// expect: (\w+), score (\d+)\.\.(\d+))");
  static const std::regex kMayPass(R"(// may pass:([^\n]*))");
  const std::string id = file.parent_path().filename().string(), source = read_file(file);
  std::smatch m;
  if (!std::regex_search(source, m, kExpect)) throw std::runtime_error("no '// expect:' line");
  KnownWrong c{file, &find_problem(problems, id), m[1], std::stoi(m[2]), std::stoi(m[3]), {}, false};
  if (std::regex_search(source, m, kMayPass)) {
    c.restricted = true;
    std::stringstream items(m[1].str());
    for (std::string item; std::getline(items, item, ';');) {
      item = std::regex_replace(item, std::regex(R"(^\s+|\s+$)"), "");
      if (item.empty()) continue;
      const bool known = item == "shape" || std::any_of(c.problem->tests.begin(), c.problem->tests.end(),
                                                        [&](const TestSpec& t) { return t.name == item; });
      if (!known) throw std::runtime_error("'may pass' names '" + item + "', which is not a test of " + id);
      c.may_pass.insert(item);
    }
  }
  return c;
}


}  // namespace selftest

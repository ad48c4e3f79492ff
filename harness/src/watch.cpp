// The watch loop. A save is noticed by inotify on the workspace directory (editors that save by rename included)
// and, as a safety net for filesystems where inotify stays silent (network mounts, WSL's Windows folders), by
// comparing the file every 250 ms; a burst of saves gives one grade (150 ms of quiet first) and a file whose
// content did not change is not graded again. A grade in flight is cancelled when the file changes again.
#include "watch.h"

#include <fmt/core.h>
#include <poll.h>
#include <sys/inotify.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "grade.h"
#include "state.h"
#include "view.h"

namespace attnkata {

namespace {

using Clock = std::chrono::steady_clock;

std::atomic<bool> g_stop{false};
extern "C" void on_stop(int) { g_stop = true; }

// Raw keys from the terminal for as long as it lives; the terminal is restored on exit.
class RawTerminal {
 public:
  explicit RawTerminal(bool enable) {
    if (!enable || ::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios raw = saved_;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
    raw.c_cc[VMIN] = 0, raw.c_cc[VTIME] = 0;
    active_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

// The content of the file, or nullopt when it cannot be read (mid-save by rename, say).
std::optional<std::string> content_of(const fs::path& file) {
  try {
    return read_file(file);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// One grade running in the background, cancellable.
class Grader {
 public:
  Grader(const Toolkit& toolkit, const WorkspaceState& state) : toolkit_(toolkit), state_(state) {}
  ~Grader() { stop(); }

  void start(const Problem& p, const fs::path& file) {
    stop();
    cancel_ = false, done_ = false;
    started_ = Clock::now();
    worker_ = std::thread([this, &p, file] {
      GradeRequest req{&p, file, file, state_.work_dir(p.id)};
      BatchOptions batch;
      batch.jobs = 1;
      batch.cancel = &cancel_;
      batch.on_result = [this](size_t, const ProblemResult& r) {
        if (!was_cancelled(r)) state_.save_result(r);
      };
      ProblemResult r = grade_batch(toolkit_, {req}, batch).at(0);
      std::lock_guard lock(mu_);
      result_ = std::move(r);
      done_ = true;
    });
  }
  void stop() {
    cancel_ = true;
    if (worker_.joinable()) worker_.join();
  }
  // The finished result, once; nullopt while running or after it was taken.
  std::optional<ProblemResult> take() {
    if (!done_ || !worker_.joinable()) return std::nullopt;
    worker_.join();
    std::lock_guard lock(mu_);
    return std::move(result_);
  }
  double seconds() const { return std::chrono::duration<double>(Clock::now() - started_).count(); }
  Clock::time_point started() const { return started_; }
  bool busy() const { return worker_.joinable(); }  // started and not yet taken or stopped

 private:
  const Toolkit& toolkit_;
  const WorkspaceState& state_;
  std::thread worker_;
  std::atomic<bool> cancel_{false}, done_{false};
  std::mutex mu_;
  std::optional<ProblemResult> result_;
  Clock::time_point started_;
};

}  // namespace

int watch(const WatchOptions& o) {
  const WorkspaceState state(*o.toolkit, o.workspace);
  const Problem* problem = o.first;
  const auto view = make_text_view({o.color, false});
  RawTerminal terminal(o.interactive);
  g_stop = false;
  std::signal(SIGINT, on_stop);
  std::signal(SIGTERM, on_stop);

  const int inotify = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  int watch_fd = -1;
  if (inotify >= 0)
    watch_fd = ::inotify_add_watch(inotify, o.workspace.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE);
  bool said_polling = false;
  auto say = [&](const std::string& line) { std::cout << line << std::flush; };
  if (watch_fd < 0) {
    say("attnkata: inotify is not available here; noticing saves by polling the file every 250 ms\n");
    said_polling = true;
  }

  Grader grader(*o.toolkit, state);
  std::string screen;  // the last report, redrawn with a new status line
  std::optional<std::string> graded_content;
  std::optional<Clock::time_point> changed_at, move_on_at;
  size_t hints_shown = 0;
  auto file_of = [&](const Problem& p) { return o.workspace / p.file_name(); };
  // a drill: its clock, from the steady clock (a changed system time does not move the deadline)
  const Clock::time_point drill_start = Clock::now();
  const auto drill_deadline =
      drill_start + std::chrono::milliseconds(o.drill ? std::lround(o.drill->minutes * 60000) : 0);
  auto left = [&] { return std::chrono::duration<double>(drill_deadline - Clock::now()).count(); };
  auto title = [&] {
    if (!o.drill) return fmt::format("attnkata watch · {} {}", problem->id, problem->slug);
    return fmt::format("attnkata interview · {} {} · {} left of {}", problem->id, problem->slug, clock_text(left()),
                       clock_text(o.drill->minutes * 60));
  };
  // a drill's last line, with no newline after it, so that the countdown rewrites it in place
  auto countdown = [&] { return fmt::format("{} left · q: stop the drill", clock_text(left())); };
  auto header = [&] {
    return fmt::format("{}\nSave {} to grade it{}{}\n\n", title(), file_of(*problem).string(),
                       o.interactive ? "." : " (Ctrl-C stops).",
                       o.drill ? " Hints and the walkthrough are locked until it passes or the time is up." : "");
  };
  // the keys go last, so that a long report scrolls the top away, never them
  auto draw = [&](const std::string& status) {
    if (o.interactive) std::cout << "\33[H\33[2J";
    else std::cout << "────────\n";
    std::cout << header() << screen << (status.empty() ? "" : "\n" + status + "\n")
              << (!o.interactive ? "" : o.drill ? "\n" + countdown() : "\nh: next hint  n: next problem  q: quit\n")
              << std::flush;
  };
  auto begin_grade = [&] {
    graded_content = content_of(file_of(*problem));
    grader.start(*problem, file_of(*problem));
    draw("grading…");
  };
  auto switch_to = [&](const Problem* next) {
    grader.stop();
    problem = next;
    o.ensure_file(*problem);
    screen.clear(), hints_shown = 0, move_on_at.reset(), changed_at.reset();
    begin_grade();
  };
  o.ensure_file(*problem);
  begin_grade();

  Clock::time_point last_look, last_tick = Clock::now();
  bool time_up = false;
  while (!g_stop) {
    pollfd fds[2];
    nfds_t n = 0;
    if (watch_fd >= 0) fds[n++] = {inotify, POLLIN, 0};
    if (o.interactive) fds[n++] = {STDIN_FILENO, POLLIN, 0};
    ::poll(fds, n, 50);
    bool notified = false;
    if (watch_fd >= 0) {
      alignas(inotify_event) char buf[4096];
      for (ssize_t len; (len = ::read(inotify, buf, sizeof buf)) > 0;)
        for (char* at = buf; at < buf + len;) {
          const auto* ev = reinterpret_cast<const inotify_event*>(at);
          if (ev->len && problem->file_name() == ev->name) notified = true;
          at += sizeof(inotify_event) + ev->len;
        }
    }
    // the safety net: compare the file itself (cheap: one small read every 250 ms)
    if (notified || Clock::now() - last_look > std::chrono::milliseconds(250)) {
      last_look = Clock::now();
      const auto now_content = content_of(file_of(*problem));
      if (now_content && now_content != graded_content) {
        if (!notified && watch_fd >= 0 && !said_polling) {
          say("attnkata: inotify did not report that save (a network or Windows folder?); polling as well\n");
          said_polling = true;
        }
        changed_at = Clock::now();
        move_on_at.reset();
      }
    }
    if (o.drill && !time_up && Clock::now() >= drill_deadline) {
      time_up = true;  // a save made before now is still graded; later ones are not looked at
      if (changed_at) {
        changed_at.reset();
        begin_grade();
      }
      if (!grader.busy()) break;
    }
    if (changed_at && !time_up && Clock::now() - *changed_at > std::chrono::milliseconds(150)) {
      changed_at.reset();
      begin_grade();  // cancels a grade in flight
    }
    if (o.drill && !time_up && Clock::now() - last_tick >= std::chrono::seconds(1)) {
      last_tick = Clock::now();  // the countdown: the last line, or a line a minute without a terminal
      if (o.interactive)
        std::cout << "\r\33[2K" << countdown() << std::flush;
      else if (std::lround(left()) % 60 == 0)
        std::cout << clock_text(left()) << " left\n" << std::flush;
    }
    if (auto r = grader.take()) {
      const double save_to_verdict = grader.seconds();
      if (o.drill) {
        ++o.drill->grades;
        o.drill->score = r->score, o.drill->max_score = r->max_score;
        if (r->verdict == Verdict::passed) {
          o.drill->outcome = "passed";
          o.drill->seconds_to_pass = std::chrono::duration<double>(grader.started() - drill_start).count();
        }
      }
      screen = view->render({*r});
      std::string status = fmt::format("{} {} {}/{} · graded in {:.1f} s after the save", r->id, to_string(r->verdict),
                                       r->score, r->max_score, save_to_verdict);
      if (o.drill) {
        if (r->verdict == Verdict::passed)
          status += fmt::format(" · passed in {} of {}, after {} grade{}", clock_text(o.drill->seconds_to_pass),
                                clock_text(o.drill->minutes * 60), o.drill->grades, o.drill->grades == 1 ? "" : "s");
        draw(status);
        if (r->verdict == Verdict::passed || time_up) break;
        continue;
      }
      if (r->verdict == Verdict::passed) {
        const Problem* next = o.course->next_after(problem->id, *o.problems);
        if (next) {
          status += fmt::format(" · passed! Next: {} {} in 3 s{}", next->id, next->slug,
                                o.interactive ? " (n: now, q: stay and quit)" : "");
          move_on_at = Clock::now() + std::chrono::seconds(3);
        } else {
          status += " · passed, and it was the last problem in the course. Well done.";
        }
        status += fmt::format("\nThe worked solution: {} show {} --walkthrough", o.prog, problem->id);
      }
      draw(status);
    }
    if (move_on_at && Clock::now() >= *move_on_at) {
      if (const Problem* next = o.course->next_after(problem->id, *o.problems)) switch_to(next);
    }
    if (o.interactive) {
      char key = 0;
      while (::read(STDIN_FILENO, &key, 1) == 1) {
        if (key == 'q' || key == 'Q') g_stop = true;
        if (o.drill) {
          if (key == 'h' || key == 'H' || key == 'n' || key == 'N')
            draw(fmt::format("Hints are locked until the drill ends ({} left). q stops the drill.", clock_text(left())));
          continue;
        }
        if (key == 'n' || key == 'N')
          if (const Problem* next = o.course->next_after(problem->id, *o.problems)) switch_to(next);
        if (key == 'h' || key == 'H') {
          const size_t seen = std::max(state.hints_seen(problem->id), hints_shown);
          const size_t show = std::min(seen + 1, problem->hints.size());
          state.set_hints_seen(problem->id, show);
          hints_shown = show;
          std::string hints;
          for (size_t i = 0; i < show; ++i)
            hints += fmt::format("Hint {} of {}: {}\n", i + 1, problem->hints.size(), problem->hints[i]);
          draw(hints);
        }
      }
    }
  }
  grader.stop();
  if (watch_fd >= 0) ::inotify_rm_watch(inotify, watch_fd);
  if (inotify >= 0) ::close(inotify);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!o.drill) {
    std::cout << "\nstopped watching\n";
    return 0;
  }
  DrillRecord& d = *o.drill;
  if (d.outcome.empty()) d.outcome = time_up ? "deadline" : "stopped";
  if (d.passed())
    std::cout << fmt::format("\nDrill over: {} passed in {} of {} after {} grade{}.\n", d.id,
                             clock_text(d.seconds_to_pass), clock_text(d.minutes * 60), d.grades, d.grades == 1 ? "" : "s");
  else
    std::cout << fmt::format("\nDrill over: {} {} at {}/{} points after {} grade{}.\n", d.id,
                             d.outcome == "deadline" ? "ran out of time" : "stopped", d.score, d.max_score, d.grades,
                             d.grades == 1 ? "" : "s");
  return d.passed() ? 0 : 1;
}

}  // namespace attnkata

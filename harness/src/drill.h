// Timed interview drills: the running drill (one per workspace) and the log of attempts, both in the workspace's
// state directory (never in the learner's file), and the choice of what to drill next.
#pragma once

#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "course.h"
#include "state.h"

namespace attnkata {

// One attempt, as drills.jsonl keeps it (one JSON object per line).
struct DrillRecord {
  std::string id;
  std::time_t started = 0;
  double minutes = 0;           // the time allowed
  std::string outcome;          // "passed", "deadline" (time ran out) or "stopped" (quit early)
  double seconds_to_pass = -1;  // from the start to the save that passed; -1 when it did not pass
  int grades = 0;               // grades that finished during the drill
  int score = 0, max_score = 0; // the last grade's points: at the pass, the deadline or the stop
  bool passed() const { return outcome == "passed"; }
};

// The drill under way in a workspace: which problem, and until when hints and the walkthrough stay locked.
struct ActiveDrill {
  std::string id;
  std::time_t deadline = 0;
};

class DrillLog {
 public:
  explicit DrillLog(const WorkspaceState& state) : dir_(state.dir()) {}

  std::vector<DrillRecord> records() const;  // oldest first; lines that do not parse are skipped
  void append(const DrillRecord& r) const;

  // The running drill, or nullopt (none, or its deadline has passed: a drill whose process died unlocks itself).
  std::optional<ActiveDrill> active() const;
  void set_active(const ActiveDrill& d) const;
  void clear_active() const;

 private:
  fs::path dir_;
};

// "12:05" for 725 s; "1:02:05" past an hour.
std::string clock_text(double seconds);

// One problem's attempts, summed up (records are oldest first).
struct DrillSummary {
  int attempts = 0;
  const DrillRecord* last = nullptr;
  double best_seconds = -1;  // the fastest pass; -1 when none passed
  double best_share = -1;    // the fastest pass as a share of its time allowed; -1 when none passed
};
std::map<std::string, DrillSummary> summarise_drills(const std::vector<DrillRecord>& records);  // by problem id

// Which problems of a set to drill first: never drilled, then failed at their last attempt, then slowest best
// time as a share of the time allowed; in course order among equals.
std::vector<const Problem*> drill_order(const std::vector<const Problem*>& candidates,
                                        const std::vector<DrillRecord>& records);

}  // namespace attnkata

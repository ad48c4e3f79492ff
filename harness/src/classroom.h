// Grading a class: a roster of learners' workspaces against a set of problems, every (learner, problem) pair
// through grade_batch, an unchanged file not graded again, and the reports a teacher reads (class.json,
// gradebook.csv, scoreboard.html). Nothing is ever written into a learner's folder.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "catalog.h"
#include "result.h"
#include "sandbox.h"

namespace attnkata {

struct Learner {
  std::string name;
  fs::path workspace;
};

// ROSTER is a directory with one sub-directory per learner, or a CSV file of `name,path` lines (a path relative
// to the CSV's directory; a first line `name,path` is a header). Throws UsageError for a missing roster, an empty
// one, a duplicate name, or a path that is not a directory.
std::vector<Learner> load_roster(const fs::path& roster);

// A learner who has no file for a problem gets a compile_error whose summary starts with kNotSubmitted.
inline constexpr const char* kNotSubmitted = "not submitted";
inline bool was_submitted(const ProblemResult& r) { return r.summary.rfind(kNotSubmitted, 0) != 0; }

struct LearnerResult {
  Learner learner;
  std::vector<ProblemResult> problems;  // in the order of the problems graded
  int score = 0, max_score = 0;
  bool submitted_any = false;
};

struct ClassOptions {
  int jobs = 2;
  Sandbox sandbox;
  const std::atomic<bool>* cancel = nullptr;
  // after each pair: graded so far, total, how many did not pass, how many were reused unchanged
  std::function<void(size_t done, size_t total, size_t not_passed, size_t reused)> progress;
};

std::vector<LearnerResult> grade_class(const Toolkit& toolkit, const std::vector<Learner>& learners,
                                       const std::vector<const Problem*>& problems, const ClassOptions& options);

// The reports; parse_class_json reads render_class_json back.
std::string render_class_json(const std::vector<LearnerResult>& results, const std::vector<const Problem*>& problems);
std::vector<LearnerResult> parse_class_json(const std::string& text);
std::string render_gradebook_csv(const std::vector<LearnerResult>& results,
                                 const std::vector<const Problem*>& problems);
std::string render_scoreboard_html(const std::vector<LearnerResult>& results,
                                   const std::vector<const Problem*>& problems, const std::string& title);

}  // namespace attnkata

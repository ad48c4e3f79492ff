// Grading: one entry for a batch of (source, problem) requests graded by N workers, each result reported as it
// finishes, the whole batch cancellable. grade, and later watch and class, all go through grade_batch.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "catalog.h"
#include "result.h"
#include "sandbox.h"

namespace attnkata {

struct GradeRequest {
  const Problem* problem = nullptr;
  fs::path source;        // the file to grade (a learner's or a reference)
  fs::path display_path;  // how to name it in messages
  fs::path work_dir;      // scratch: objects, binary, outputs
};

// Whether test runs record matrices for the HTML report's heat maps (attnkata/artifacts.h): not at all, from the
// checks that fail, or from every check. Never scored.
enum class ArtifactMode { none, failing, all };

struct BatchOptions {
  int jobs = 2;
  Sandbox sandbox;                                                  // default: no isolation
  std::function<void(size_t index, const ProblemResult&)> on_result;  // called from the worker, serialised
  const std::atomic<bool>* cancel = nullptr;  // set it to stop: running children are killed
  bool build_first = true;                    // bring the toolkit objects the requests need up to date
  ArtifactMode artifacts = ArtifactMode::none;  // none keeps the JSON and class reports lean
};

// The summary of a request cancelled before it finished (its verdict is internal_error).
inline constexpr const char* kCancelledSummary = "not graded: cancelled";
inline bool was_cancelled(const ProblemResult& r) {
  return r.verdict == Verdict::internal_error && r.summary == kCancelledSummary;
}

// Results in request order. A request cancelled before it finished is an internal_error with kCancelledSummary;
// an exception inside the grader becomes that request's internal_error.
std::vector<ProblemResult> grade_batch(const Toolkit& toolkit, const std::vector<GradeRequest>& requests,
                                       const BatchOptions& options);

// Brings what grading these problems links up to date: the learner PCH, the test main, each problem's tests.
void build_for(const Toolkit& toolkit, const std::vector<const Problem*>& problems);

// One request, start to end. The toolkit objects it links must be up to date.
ProblemResult grade_one(const Toolkit& toolkit, const GradeRequest& request, const Sandbox& sandbox,
                        const std::atomic<bool>* cancel = nullptr, ArtifactMode artifacts = ArtifactMode::none);

}  // namespace attnkata

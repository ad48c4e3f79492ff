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

struct BatchOptions {
  int jobs = 2;
  Sandbox sandbox;                                                  // default: no isolation
  std::function<void(size_t index, const ProblemResult&)> on_result;  // called from the worker, serialised
  const std::atomic<bool>* cancel = nullptr;  // set it to stop: running children are killed
  bool build_first = true;                    // bring the toolkit objects the requests need up to date
};

// Results in request order. A request cancelled before it finished is an internal_error "not graded:
// cancelled"; an exception inside the grader becomes that request's internal_error.
std::vector<ProblemResult> grade_batch(const Toolkit& toolkit, const std::vector<GradeRequest>& requests,
                                       const BatchOptions& options);

// One request, start to end. The toolkit objects it links must be up to date.
ProblemResult grade_one(const Toolkit& toolkit, const GradeRequest& request, const Sandbox& sandbox,
                        const std::atomic<bool>* cancel = nullptr);

}  // namespace attnkata

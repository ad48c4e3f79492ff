// watch: grade a problem on every save, redraw in place, move on in course order when it passes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "catalog.h"
#include "course.h"
#include "drill.h"

namespace attnkata {

struct WatchOptions {
  const Toolkit* toolkit = nullptr;
  const std::vector<Problem>* problems = nullptr;
  const Course* course = nullptr;
  fs::path workspace;
  const Problem* first = nullptr;
  std::string prog;          // how to name attnkata in hints to the user
  bool interactive = false;  // a terminal: keys h/n/q, the screen redrawn in place
  bool color = false;
  std::function<void(const Problem&)> ensure_file;  // creates a missing workspace file from the stub
  // An interview drill when set: a countdown from drill->minutes, hints locked, no moving on; it ends at the pass,
  // the deadline (a save made before it is still graded) or q / Ctrl-C, and watch fills in the record.
  DrillRecord* drill = nullptr;
};

// Runs until q, Ctrl-C, or every problem after the first has passed (a drill: until it ends). Returns an exit code:
// for a drill 0 when it passed, 1 when not.
int watch(const WatchOptions& options);

}  // namespace attnkata

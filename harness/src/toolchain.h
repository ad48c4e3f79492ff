// The toolchain: bring the toolkit's objects up to date, compile a learner's file exactly as the references are
// compiled, link it with a problem's prebuilt tests. A compiler or linker that cannot run is the toolkit's
// failure (started = false), never "your file does not compile".
#pragma once

#include <set>
#include <string>

#include "catalog.h"

namespace attnkata {

struct BuildStep {
  bool started = false;  // false: the tool could not be executed (error says why)
  bool ok = false;
  bool timed_out = false;
  std::string error;
  std::string diagnostics;  // what the tool printed, paths shortened to the ones the user knows
};

// The build a problem's learner file gets (toolkit.optimized or toolkit.quick).
const LearnerBuild& learner_build(const Toolkit& toolkit, const Problem& problem);

// Compiles source (shown as display_path in diagnostics) into object.
BuildStep compile_submission(const Toolkit& toolkit, const Problem& problem, const fs::path& source,
                             const fs::path& display_path, const fs::path& object, const fs::path& work);

// Links object with the problem's test object and the test main into binary.
BuildStep link_submission(const Toolkit& toolkit, const Problem& problem, const fs::path& object,
                          const fs::path& display_path, const fs::path& binary, const fs::path& work);

// The attn:: functions a failed link names as undefined (GNU ld, mold and lld spellings).
std::set<std::string> undefined_functions(const std::string& link_output);

// Brings the given CMake targets up to date (serialised by a lock in the build directory). Throws ToolkitError.
void ensure_built(const Toolkit& toolkit, const std::vector<std::string>& targets);

// Reads a file, or "" when it is missing or unreadable.
std::string read_or_empty(const fs::path& path);

// Every occurrence of from in s replaced by to.
void replace_all(std::string& s, const std::string& from, const std::string& to);

// s cut to cap bytes, with a note of how much was cut.
std::string clip(std::string s, size_t cap);

}  // namespace attnkata

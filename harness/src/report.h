// Views of grading results: text for people, JSON (version 1, grader.md) for tools.
#pragma once

#include <string>
#include <vector>

#include "grade.h"

namespace attnkata {

struct TextStyle {
  bool color = false;
  bool verbose = false;  // show passing tests' names and compiler warnings too
};

std::string render_text(const std::vector<ProblemResult>& results, const TextStyle& style);
std::string render_json(const std::vector<ProblemResult>& results);

// Parses render_json's output back (used by `list` to show the last grade, and by the self-test).
std::vector<ProblemResult> parse_json_results(const std::string& text);

}  // namespace attnkata

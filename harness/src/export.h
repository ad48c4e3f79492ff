// Handing the grader to the platforms that scale a course: a Gradescope autograder bundle and a GitHub Classroom
// workflow, both running the same `grade` as a learner's machine.
#pragma once

#include <string>
#include <vector>

#include "catalog.h"
#include "zip.h"

namespace attnkata {

// setup.sh (packages, then the toolkit build), run_autograder (grades $AUTOGRADER_ROOT/submission into
// $AUTOGRADER_ROOT/results/results.json, AUTOGRADER_ROOT defaulting to /autograder), and the toolkit's sources
// under attnkata/, without solutions/, known-wrong variants or build output: the learner's code runs beside them.
std::vector<ZipEntry> gradescope_bundle(const Toolkit& toolkit, const std::vector<const Problem*>& problems);

// .github/workflows/classroom.yml for GitHub Classroom's autograding: one test per problem, worth its points
// when the problem passes; the toolkit is cloned from toolkit_url.
std::string github_classroom_workflow(const std::vector<const Problem*>& problems, const std::string& toolkit_url);

}  // namespace attnkata

// The autograder bundle and the classroom workflow.
#include "export.h"

#include <fmt/core.h>

#include <algorithm>

namespace attnkata {

namespace {

// Directories of the source tree that never go into a bundle: learners' code would run beside them.
bool excluded(const fs::path& rel) {
  const std::string top = rel.begin()->string();
  if (top.front() == '.' || top == "build" || top == "workspace" || top == "solutions") return true;
  const std::string s = rel.generic_string();
  return s.starts_with("tests/known_wrong") || s.starts_with("tests/isolation") || s.starts_with("class-report");
}

std::string ids_of(const std::vector<const Problem*>& problems) {
  std::string ids;
  for (const Problem* p : problems) ids += (ids.empty() ? "" : " ") + p->id;
  return ids;
}

// clang: the distribution's default version (Gradescope's Ubuntu images have no clang-16; any clang >= 14 will do)
constexpr const char* kPackages =
    "clang cmake ninja-build libeigen3-dev doctest-dev libfmt-dev libcxxopts-dev nlohmann-json3-dev mold bubblewrap";

}  // namespace

std::vector<ZipEntry> gradescope_bundle(const Toolkit& toolkit, const std::vector<const Problem*>& problems) {
  std::string targets = "attnkata-cli attnkata_learner_pch attnkata_test_main";
  std::string files;
  for (const Problem* p : problems) targets += " " + p->id + "_tests", files += " " + p->file_name();
  std::vector<ZipEntry> entries;
  entries.push_back({"setup.sh", fmt::format(R"(#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image: the Debian/Ubuntu packages, then the toolkit.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends {0}
cd /autograder/source/attnkata
cmake --preset default -DATTNKATA_BENCHMARKS=OFF
ninja -C build/default {1}
)",
                                             kPackages, targets),
                     0755});
  entries.push_back({"run_autograder", fmt::format(R"(#!/usr/bin/env bash
# Gradescope runs this for every submission: the learner's files are in $root/submission (pNN_slug.cpp, or the
# stub's name slug.cpp, anywhere below it); the report goes to $root/results/results.json. AUTOGRADER_ROOT and
# ATTNKATA_CLI override the paths (the toolkit's self-test runs it against a simulated root). No --isolate:
# Gradescope already runs each submission in its own container, where bubblewrap cannot create namespaces.
set -uo pipefail
root=${{AUTOGRADER_ROOT:-/autograder}}
cli=${{ATTNKATA_CLI:-$root/source/attnkata/build/default/attnkata-cli}}
ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT
for file in {0}; do
  slug=${{file#p[0-9][0-9]_}}
  found=$(find "$root/submission" -type f \( -name "$file" -o -name "$slug" \) | sort | head -n 1)
  [[ -n $found ]] && cp "$found" "$ws/$file"
done
mkdir -p "$root/results"
"$cli" grade {1} --workspace "$ws" --format gradescope --output "$root/results/results.json" \
  >"$ws/grade.log" 2>&1
status=$?
if ((status > 1)); then  # the grader itself failed: say so instead of leaving no results
  cat "$ws/grade.log"
  printf '{{"score": 0, "output": "The grader failed (exit %d); the autograder log has its message."}}\n' \
    "$status" >"$root/results/results.json"
fi
exit 0
)",
                                                   files, ids_of(problems)),
                     0755});
  for (auto it = fs::recursive_directory_iterator(toolkit.source_dir); it != fs::recursive_directory_iterator();
       ++it) {
    const fs::path rel = fs::relative(it->path(), toolkit.source_dir);
    if (excluded(rel)) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    const auto perms = fs::status(it->path()).permissions();
    const bool exec = (perms & fs::perms::owner_exec) != fs::perms::none;
    entries.push_back({"attnkata/" + rel.generic_string(), read_file(it->path()), exec ? 0755u : 0644u});
  }
  std::sort(entries.begin() + 2, entries.end(), [](const ZipEntry& a, const ZipEntry& b) { return a.name < b.name; });
  return entries;
}

std::string github_classroom_workflow(const std::vector<const Problem*>& problems, const std::string& toolkit_url) {
  std::string steps, ids, runners;
  for (const Problem* p : problems) {
    const std::string step = p->id;
    steps += fmt::format(R"(      - name: {0} {1}
        id: {0}
        uses: classroom-resources/autograding-command-grader@v1
        with:
          test-name: {0} {1}
          command: .attnkata/attnkata grade {0} --workspace .
          timeout: 10
          max-score: {2}
)",
                         step, p->slug, p->max_score());
    runners += (runners.empty() ? "" : ",") + step;
    std::string upper = step;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    ids += fmt::format("          {}_RESULTS: \"${{{{steps.{}.outputs.result}}}}\"\n", upper, step);
  }
  return fmt::format(R"(# GitHub Classroom autograding with attnkata: each push grades the learner's files (pNN_slug.cpp at the
# repository's root) with the same grader as on their machine; a problem's points are awarded when it passes,
# and the job log holds the full report. Generated by `attnkata export github-classroom`.
name: Autograding Tests
on: [push, repository_dispatch]
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    steps:
      - uses: actions/checkout@v4
      - name: attnkata toolkit
        run: |
          git clone --depth 1 {0} .attnkata
          sudo apt-get update -qq
          sudo apt-get install -y -qq --no-install-recommends {4}
          .attnkata/attnkata --version
{1}      - name: Autograding Reporter
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
{2}        with:
          runners: {3}
)",
                     toolkit_url, steps, ids, runners, kPackages);
}

}  // namespace attnkata

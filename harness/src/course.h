// The course order (problems/course.json): tracks in teaching order and named sets. list, the "Next:" line and
// --set read it; a problem's track is the track that lists it. Ids not yet in the repository are skipped.
#pragma once

#include <string>
#include <vector>

#include "catalog.h"

namespace attnkata {

struct Course {
  struct Group {
    std::string name, title;
    std::vector<std::string> ids;
  };
  std::vector<Group> tracks, sets;

  // Throws ToolkitError when the file is missing or malformed, or lists an id twice among the tracks.
  static Course load(const fs::path& source_dir);

  // Every id in course order (tracks concatenated).
  std::vector<std::string> order() const;
  // The track listing id, or "" when none does.
  std::string track_of(const std::string& id) const;
  // The problem after id in course order that exists in problems, or nullptr at the end.
  const Problem* next_after(const std::string& id, const std::vector<Problem>& problems) const;
  // The set (or track) called name; throws UsageError listing the names when there is none.
  const Group& group(const std::string& name) const;
};

// problems sorted into course order; problems the course does not list come last, by id. With a group (a set or
// track name), only its problems; an unknown name throws UsageError.
std::vector<const Problem*> in_course_order(const Course& course, const std::vector<Problem>& problems,
                                            const std::string& group = "");

}  // namespace attnkata

// Reading the course file.
#include "course.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace attnkata {

using nlohmann::json;

Course Course::load(const fs::path& source_dir) {
  const fs::path file = source_dir / "problems" / "course.json";
  Course c;
  try {
    const json j = json::parse(read_file(file));
    auto groups = [&](const char* key) {
      std::vector<Group> out;
      for (const auto& g : j.at(key)) out.push_back({g.at("name"), g.at("title"), g.at("problems")});
      return out;
    };
    c.tracks = groups("tracks");
    c.sets = groups("sets");
  } catch (const json::exception& e) {
    throw ToolkitError(file.string() + " is malformed: " + e.what());
  }
  std::set<std::string> seen;
  for (const auto& t : c.tracks)
    for (const auto& id : t.ids)
      if (!seen.insert(id).second) throw ToolkitError(file.string() + " lists " + id + " in two tracks");
  return c;
}

std::vector<std::string> Course::order() const {
  std::vector<std::string> ids;
  for (const auto& t : tracks) ids.insert(ids.end(), t.ids.begin(), t.ids.end());
  return ids;
}

std::string Course::track_of(const std::string& id) const {
  for (const auto& t : tracks)
    if (std::find(t.ids.begin(), t.ids.end(), id) != t.ids.end()) return t.name;
  return "";
}

const Problem* Course::next_after(const std::string& id, const std::vector<Problem>& problems) const {
  const std::vector<std::string> ids = order();
  auto it = std::find(ids.begin(), ids.end(), id);
  if (it == ids.end()) return nullptr;
  for (++it; it != ids.end(); ++it)
    for (const auto& p : problems)
      if (p.id == *it) return &p;
  return nullptr;
}

const Course::Group& Course::group(const std::string& name) const {
  std::string names;
  for (const auto* list : {&sets, &tracks})
    for (const auto& g : *list) {
      if (g.name == name) return g;
      names += (names.empty() ? "" : ", ") + g.name;
    }
  throw UsageError("there is no set or track '" + name + "'; there are " + names);
}

std::vector<const Problem*> in_course_order(const Course& course, const std::vector<Problem>& problems,
                                            const std::string& group) {
  const std::vector<std::string> ids = course.order();
  auto rank = [&](const Problem* p) { return std::find(ids.begin(), ids.end(), p->id) - ids.begin(); };
  const std::vector<std::string>* members = group.empty() ? nullptr : &course.group(group).ids;
  std::vector<const Problem*> out;
  for (const auto& p : problems)
    if (!members || std::find(members->begin(), members->end(), p.id) != members->end()) out.push_back(&p);
  std::stable_sort(out.begin(), out.end(), [&](const Problem* a, const Problem* b) { return rank(a) < rank(b); });
  return out;
}

}  // namespace attnkata

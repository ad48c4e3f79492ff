// The workspace state directory.
#include "state.h"

#include <fmt/core.h>

#include <fstream>

#include "view.h"

namespace attnkata {

uint64_t stable_hash(const std::string& text) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

WorkspaceState::WorkspaceState(const Toolkit& toolkit, const fs::path& workspace) {
  const std::string abs = fs::weakly_canonical(fs::absolute(workspace)).string();
  dir_ = toolkit.build_dir / "grade" /
         fmt::format("{}-{:016x}", fs::path(abs).filename().string(), stable_hash(abs));
}

WorkspaceState WorkspaceState::reference(const Toolkit& toolkit) {
  return WorkspaceState(toolkit.build_dir / "grade" / "reference");
}

void WorkspaceState::save_result(const ProblemResult& r) const {
  fs::create_directories(dir_);
  std::ofstream(dir_ / (r.id + ".json")) << make_json_view({})->render({r});
}

std::optional<ProblemResult> WorkspaceState::last_result(const std::string& id) const {
  const fs::path file = dir_ / (id + ".json");
  if (!fs::exists(file)) return std::nullopt;
  try {
    return parse_json_results(read_file(file)).at(0);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

size_t WorkspaceState::hints_seen(const std::string& id) const {
  const fs::path counter = dir_ / (id + ".hints");
  if (!fs::exists(counter)) return 0;
  try {
    return std::stoul("0" + read_file(counter));
  } catch (const std::exception&) {
    return 0;
  }
}

void WorkspaceState::set_hints_seen(const std::string& id, size_t n) const {
  fs::create_directories(dir_);
  std::ofstream(dir_ / (id + ".hints")) << n;
}

}  // namespace attnkata

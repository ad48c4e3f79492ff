// Per-workspace state kept in the build directory, never in the workspace: the last result of each problem (for
// list) and how many hints were shown. The directory name carries a stable hash of the workspace's absolute
// path (FNV-1a, the same on every run and machine), so two workspaces never share state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "catalog.h"
#include "result.h"

namespace attnkata {

uint64_t stable_hash(const std::string& text);  // 64-bit FNV-1a

class WorkspaceState {
 public:
  WorkspaceState(const Toolkit& toolkit, const fs::path& workspace);
  static WorkspaceState reference(const Toolkit& toolkit);  // for grade --reference

  const fs::path& dir() const { return dir_; }
  fs::path work_dir(const std::string& id) const { return dir_ / id; }  // objects and outputs of a grade

  void save_result(const ProblemResult& r) const;
  std::optional<ProblemResult> last_result(const std::string& id) const;  // nullopt when never graded
  size_t hints_seen(const std::string& id) const;
  void set_hints_seen(const std::string& id, size_t n) const;

 private:
  explicit WorkspaceState(fs::path dir) : dir_(std::move(dir)) {}
  fs::path dir_;
};

}  // namespace attnkata

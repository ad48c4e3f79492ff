// bubblewrap: finding it, refusing to go on without it when isolation was asked for, its argv.
#include "sandbox.h"

#include <unistd.h>

#include <cstdlib>

#include "catalog.h"

namespace attnkata {

fs::path Sandbox::find_bwrap() {
  if (const char* path = std::getenv("ATTNKATA_BWRAP"))  // an explicit choice, even a wrong one, is final
    return ::access(path, X_OK) == 0 ? fs::path(path) : fs::path();
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"})
    if (::access((std::string(dir) + "/bwrap").c_str(), X_OK) == 0) return fs::path(dir) / "bwrap";
  return {};
}

Sandbox Sandbox::require() {
  Sandbox s;
  s.bwrap_ = find_bwrap();
  if (s.bwrap_.empty())
    throw SetupError(
        "--isolate needs bubblewrap, which is not installed (sudo apt-get install bubblewrap); nothing was "
        "graded");
  return s;
}

std::vector<std::string> Sandbox::wrap(const fs::path& work, const fs::path& scratch) const {
  if (!enabled()) return {};
  // clang-format off
  return {bwrap_.string(), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
          "--ro-bind", work.string(), work.string(), "--bind", scratch.string(), scratch.string(),
          "--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent",
          "--chdir", scratch.string(), "--"};
  // clang-format on
}

bool Sandbox::failed_to_start(const std::string& output) const {
  return enabled() && output.starts_with("bwrap: ");
}

}  // namespace attnkata

// Running graded code in bubblewrap. A sandbox that was asked for and cannot be had is an error, never a
// silent downgrade: Sandbox::require throws SetupError when bubblewrap is missing.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace attnkata {

namespace fs = std::filesystem;

class Sandbox {
 public:
  Sandbox() = default;  // no isolation
  // Isolation with bubblewrap; throws SetupError (exit 3) when it is not installed.
  static Sandbox require();
  // $ATTNKATA_BWRAP, else bwrap in /usr/bin, /usr/local/bin or /bin; empty when there is none
  static fs::path find_bwrap();

  bool enabled() const { return !bwrap_.empty(); }
  // The argv prefix that runs a program with everything read-only but scratch, a private /tmp, no network, its
  // own PID namespace torn down with the grader; work (the binary's directory) is bound again after the
  // private /tmp, in case it lives under /tmp. Empty when not enabled.
  std::vector<std::string> wrap(const fs::path& work, const fs::path& scratch) const;
  // Did the sandbox itself (not the program in it) fail to start? bwrap prefixes its own errors.
  bool failed_to_start(const std::string& output) const;

 private:
  fs::path bwrap_;
};

}  // namespace attnkata

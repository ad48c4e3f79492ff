// The matrices a test case records for the HTML report's heat maps (yours, expected, mask), kept per process
// for the current test case; test_main.cpp sends them with the case record and clears them. Never scored.
#pragma once

#include <attnkata/protocol.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace attnkata::artifacts {

struct Artifact {
  std::string name;  // the check's `what`: "weights", "causal output"
  std::string kind;  // protocol::kKindYours, kKindExpected or kKindMask
  long rows = 0, cols = 0;
  std::vector<float> values;  // (rows, cols) row-major; empty when over protocol::kMaxArtifactValues
};

enum class Mode { off, failing, all };

// Read once from protocol::kEnvArtifacts (test_main.cpp reads it first thing in main, then unsets it).
inline Mode mode() {
  static const Mode m = [] {
    const char* v = std::getenv(protocol::kEnvArtifacts);
    const std::string s = v ? v : "";
    if (s == protocol::kArtifactsAll) return Mode::all;
    return s == protocol::kArtifactsFailing ? Mode::failing : Mode::off;
  }();
  return m;
}

// Whether a check that failed (or passed) records its matrices.
inline bool wanted(bool failed) {
  return mode() == Mode::all || (mode() == Mode::failing && failed);
}

// The current test case's artifacts.
inline std::vector<Artifact>& current() {
  static std::vector<Artifact> list;
  return list;
}

// A float copy of m (anything with rows(), cols() and m(i, j)); values left empty past the size cap.
template <class M>
Artifact matrix(const std::string& name, const char* kind, const M& m) {
  Artifact a{name, kind, static_cast<long>(m.rows()), static_cast<long>(m.cols()), {}};
  if (a.rows * a.cols > protocol::kMaxArtifactValues) return a;
  a.values.reserve(static_cast<size_t>(a.rows * a.cols));
  for (long i = 0; i < a.rows; ++i)
    for (long j = 0; j < a.cols; ++j) a.values.push_back(static_cast<float>(m(i, j)));
  return a;
}

// Bitwise, so that a NaN equals itself.
inline bool same_matrix(const Artifact& a, const Artifact& b) {
  return a.rows == b.rows && a.cols == b.cols && a.values.size() == b.values.size() &&
         (a.values.empty() ||
          std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(float)) == 0);
}

// Records one check's group (yours with expected, or yours with mask) whole or not at all. Artifacts over the
// size cap are left out. A (name, kind) already recorded in this case is kept: an identical copy is skipped,
// a different one refuses the group, so the maps of one name always come from one check's inputs. At most
// protocol::kMaxArtifactsPerCase per case.
inline void record(const std::vector<Artifact>& group) {
  std::vector<Artifact>& list = current();
  std::vector<const Artifact*> fresh;
  for (const Artifact& a : group) {
    if (a.rows * a.cols != static_cast<long>(a.values.size())) continue;  // over the cap
    bool have = false;
    for (const Artifact& old : list)
      if (old.name == a.name && old.kind == a.kind) {
        if (!same_matrix(old, a)) return;
        have = true;
      }
    if (!have) fresh.push_back(&a);
  }
  if (list.size() + fresh.size() > static_cast<size_t>(protocol::kMaxArtifactsPerCase)) return;
  for (const Artifact* a : fresh) list.push_back(*a);
}

}  // namespace attnkata::artifacts

// The result channel between a graded test binary (harness/runtime/test_main.cpp) and the grader
// (harness/src/channel.cpp): the names both sides must agree on, in one place.
//
// The grader opens a file as descriptor kResultFd in the child and passes its number and a fresh random nonce in
// the environment. The test main writes one JSON object per line, each carrying the nonce:
//   {"n": nonce, "t": "start", "name": ...}                                   a test case begins
//   {"n": nonce, "t": "case", "name", "category", "points", "status", "message", "out": [begin, end], "time_s",
//    "notes", "artifacts": [{"name", "kind", "rows", "cols", "values": [row-major]}]}
//   {"n": nonce, "t": "end", "cases": count}                                  the run finished normally
// "out" is the byte range of the learner's stdout/stderr file written during the case. Lines without the nonce,
// or that do not parse, are not records.
// "artifacts" (attnkata/artifacts.h) is there only when the grader set kEnvArtifacts: matrices for the HTML report's
// heat maps, never scored. JSON has no NaN or infinity: a NaN value is written null, +inf and -inf the strings
// "inf" and "-inf", and read back as such.
#pragma once

namespace attnkata::protocol {

inline constexpr int kResultFd = 3;
inline constexpr const char* kEnvResultFd = "ATTNKATA_RESULT_FD";
inline constexpr const char* kEnvNonce = "ATTNKATA_NONCE";
inline constexpr const char* kReporter = "attnkata";

// record keys and types
inline constexpr const char* kNonce = "n";
inline constexpr const char* kType = "t";
inline constexpr const char* kStart = "start";
inline constexpr const char* kCase = "case";
inline constexpr const char* kEnd = "end";
inline constexpr const char* kName = "name";
inline constexpr const char* kCategory = "category";
inline constexpr const char* kPoints = "points";
inline constexpr const char* kStatus = "status";
inline constexpr const char* kMessage = "message";
inline constexpr const char* kOut = "out";
inline constexpr const char* kTime = "time_s";
inline constexpr const char* kNotes = "notes";  // MESSAGE(...) lines: shown with the test, never scored
inline constexpr const char* kCount = "cases";
inline constexpr const char* kArtifacts = "artifacts";
inline constexpr const char* kKind = "kind";  // kKindYours, kKindExpected or kKindMask
inline constexpr const char* kRows = "rows";
inline constexpr const char* kCols = "cols";
inline constexpr const char* kValues = "values";
inline constexpr const char* kKindYours = "yours";
inline constexpr const char* kKindExpected = "expected";
inline constexpr const char* kKindMask = "mask";  // 1 = allowed, 0 = masked
inline constexpr const char* kPlusInf = "inf";
inline constexpr const char* kMinusInf = "-inf";

// artifacts: off unless kEnvArtifacts is "failing" (from checks that fail) or "all" (passing checks too)
inline constexpr const char* kEnvArtifacts = "ATTNKATA_ARTIFACTS";
inline constexpr const char* kArtifactsFailing = "failing";
inline constexpr const char* kArtifactsAll = "all";
inline constexpr int kMaxArtifactValues = 64 * 64;  // a larger matrix is not recorded
inline constexpr int kMaxArtifactsPerCase = 8;

// ATTN_TEST stores "attnkata:<category>:<points>" as the doctest description
inline constexpr const char* kDescriptionPrefix = "attnkata:";

}  // namespace attnkata::protocol

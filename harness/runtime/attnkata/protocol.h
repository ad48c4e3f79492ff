// The result channel between a graded test binary (harness/runtime/test_main.cpp) and the grader
// (harness/src/channel.cpp): the names both sides must agree on, in one place.
//
// The grader opens a file as descriptor kResultFd in the child and passes its number and a fresh random nonce in
// the environment. The test main writes one JSON object per line, each carrying the nonce:
//   {"n": nonce, "t": "start", "name": ...}                                   a test case begins
//   {"n": nonce, "t": "case", "name", "category", "points", "status", "message", "out": [begin, end], "time_s",
//    "notes"}
//   {"n": nonce, "t": "end", "cases": count}                                  the run finished normally
// "out" is the byte range of the learner's stdout/stderr file written during the case. Lines without the nonce,
// or that do not parse, are not records.
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

// ATTN_TEST stores "attnkata:<category>:<points>" as the doctest description
inline constexpr const char* kDescriptionPrefix = "attnkata:";

}  // namespace attnkata::protocol

// The grader's side of the result channel (protocol in harness/runtime/attnkata/protocol.h): parsing the
// records a test run wrote.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "result.h"

namespace attnkata {

struct CaseRecord {
  std::string name, category, status, message;
  int points = 0;
  long out_begin = -1, out_end = -1;
  double time_s = 0;
  std::string notes;
  std::vector<Artifact> artifacts;  // for the HTML report only; within the caps of protocol.h
};

struct ChannelRecords {
  std::vector<CaseRecord> cases;
  std::optional<std::string> unfinished;  // a test that started and never reported: where the run died
  bool ended = false;                     // the final record arrived
  int end_count = -1;                     // test cases it says were run
};

// Parses the records a run wrote; lines without the run's nonce or that do not parse are ignored.
ChannelRecords parse_records(const std::string& text, const std::string& nonce);

// A case record's "artifacts", re-checked: an artifact whose kind is unknown, whose values are not rows × cols
// numbers (null, "inf", "-inf" aside) or more than protocol::kMaxArtifactValues is dropped, and only the first
// protocol::kMaxArtifactsPerCase are kept. Never throws.
std::vector<Artifact> parse_artifacts(const nlohmann::json& list);

// A fresh random nonce for one run.
std::string random_nonce();

}  // namespace attnkata

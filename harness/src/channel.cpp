// Parsing result records; anything without the nonce, malformed or cut short is not a record.
#include "channel.h"

#include <attnkata/protocol.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

namespace attnkata {

namespace proto = protocol;
using nlohmann::json;

std::string random_nonce() {
  std::random_device rd;
  char buf[33];
  std::snprintf(buf, sizeof buf, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  return buf;
}

std::vector<Artifact> parse_artifacts(const json& list) {
  std::vector<Artifact> out;
  if (!list.is_array()) return out;
  for (const json& j : list) {
    if (out.size() == static_cast<size_t>(proto::kMaxArtifactsPerCase)) break;
    if (!j.is_object()) continue;
    const auto name = j.find(proto::kName), kind = j.find(proto::kKind), rows = j.find(proto::kRows),
               cols = j.find(proto::kCols), values = j.find(proto::kValues);
    if (name == j.end() || !name->is_string() || kind == j.end() || !kind->is_string() || rows == j.end() ||
        !rows->is_number_integer() || cols == j.end() || !cols->is_number_integer() || values == j.end() ||
        !values->is_array())
      continue;
    const std::string k = *kind;
    if (k != proto::kKindYours && k != proto::kKindExpected && k != proto::kKindMask) continue;
    const long r = *rows, c = *cols;
    // each factor within the cap first, so that r * c cannot overflow
    if (r < 0 || c < 0 || r > proto::kMaxArtifactValues || c > proto::kMaxArtifactValues ||
        r * c > proto::kMaxArtifactValues || static_cast<size_t>(r * c) != values->size())
      continue;
    Artifact a{name->get<std::string>().substr(0, 200), k, static_cast<int>(r), static_cast<int>(c), {}};
    a.values.reserve(values->size());
    for (const json& v : *values) {
      if (v.is_number()) a.values.push_back(v.get<float>());
      else if (v.is_null()) a.values.push_back(std::numeric_limits<float>::quiet_NaN());
      else if (v == proto::kPlusInf) a.values.push_back(std::numeric_limits<float>::infinity());
      else if (v == proto::kMinusInf) a.values.push_back(-std::numeric_limits<float>::infinity());
      else break;
    }
    if (a.values.size() == values->size()) out.push_back(std::move(a));
  }
  return out;
}

ChannelRecords parse_records(const std::string& text, const std::string& nonce) {
  ChannelRecords out;
  std::set<std::string> reported;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t end = text.find('\n', pos);
    if (end == std::string::npos) break;  // a line cut short by a crash is not a record
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || nonce.empty() || j.value(proto::kNonce, "") != nonce) continue;
    const std::string type = j.value(proto::kType, "");
    try {
      if (type == proto::kStart) {
        out.unfinished = j.at(proto::kName).get<std::string>();
      } else if (type == proto::kCase) {
        CaseRecord c;
        c.name = j.at(proto::kName);
        c.category = j.value(proto::kCategory, "");
        c.points = j.value(proto::kPoints, 0);
        c.status = j.value(proto::kStatus, "error");
        c.message = j.value(proto::kMessage, "");
        c.time_s = j.value(proto::kTime, 0.0);
        c.notes = j.value(proto::kNotes, "");
        if (j.contains(proto::kOut) && j[proto::kOut].size() == 2)
          c.out_begin = j[proto::kOut][0], c.out_end = j[proto::kOut][1];
        if (j.contains(proto::kArtifacts)) c.artifacts = parse_artifacts(j[proto::kArtifacts]);
        if (out.unfinished == c.name) out.unfinished.reset();
        if (reported.insert(c.name).second) out.cases.push_back(std::move(c));
      } else if (type == proto::kEnd) {
        out.ended = true;
        out.end_count = j.value(proto::kCount, -1);
      }
    } catch (const json::exception&) {
      continue;  // a malformed record counts as no record
    }
  }
  return out;
}

}  // namespace attnkata

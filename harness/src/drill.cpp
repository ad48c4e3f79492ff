// Drill records and the drill order.
#include "drill.h"

#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

namespace attnkata {

using nlohmann::json;

namespace {
constexpr const char* kDrillLogFile = "drills.jsonl";
constexpr const char* kDrillActiveFile = "drill-active.json";
}  // namespace

std::vector<DrillRecord> DrillLog::records() const {
  std::vector<DrillRecord> out;
  std::ifstream in(dir_ / kDrillLogFile);
  for (std::string line; std::getline(in, line);) {
    const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) continue;
    try {
      DrillRecord r;
      r.id = j.at("id"), r.started = j.at("started"), r.minutes = j.at("minutes"), r.outcome = j.at("outcome");
      r.seconds_to_pass = j.value("seconds_to_pass", -1.0), r.grades = j.value("grades", 0);
      r.score = j.value("score", 0), r.max_score = j.value("max_score", 0);
      out.push_back(r);
    } catch (const json::exception&) {
    }
  }
  return out;
}

void DrillLog::append(const DrillRecord& r) const {
  fs::create_directories(dir_);
  const json j = {{"id", r.id},         {"started", r.started},
                  {"minutes", r.minutes}, {"outcome", r.outcome},
                  {"seconds_to_pass", r.seconds_to_pass}, {"grades", r.grades},
                  {"score", r.score},   {"max_score", r.max_score}};
  std::ofstream(dir_ / kDrillLogFile, std::ios::app) << j.dump() << "\n";
}

std::optional<ActiveDrill> DrillLog::active() const {
  std::ifstream in(dir_ / kDrillActiveFile);
  const json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("id") || !j.contains("deadline")) return std::nullopt;
  try {
    ActiveDrill d{j.at("id"), j.at("deadline")};
    if (d.deadline <= std::time(nullptr)) return std::nullopt;
    return d;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

void DrillLog::set_active(const ActiveDrill& d) const {
  fs::create_directories(dir_);
  std::ofstream(dir_ / kDrillActiveFile) << json{{"id", d.id}, {"deadline", d.deadline}}.dump() << "\n";
}

void DrillLog::clear_active() const {
  std::error_code ec;
  fs::remove(dir_ / kDrillActiveFile, ec);
}

std::string clock_text(double seconds) {
  const long s = std::max(0L, std::lround(seconds));
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{}:{:02}", s / 60, s % 60);
}

std::map<std::string, DrillSummary> summarise_drills(const std::vector<DrillRecord>& records) {
  std::map<std::string, DrillSummary> out;
  for (const auto& r : records) {
    DrillSummary& s = out[r.id];
    ++s.attempts, s.last = &r;
    if (!r.passed()) continue;
    if (s.best_seconds < 0 || r.seconds_to_pass < s.best_seconds) s.best_seconds = r.seconds_to_pass;
    const double share = r.minutes > 0 ? r.seconds_to_pass / (60 * r.minutes) : 0;
    if (s.best_share < 0 || share < s.best_share) s.best_share = share;
  }
  return out;
}

std::vector<const Problem*> drill_order(const std::vector<const Problem*>& candidates,
                                        const std::vector<DrillRecord>& records) {
  // rank 0: never drilled; 1: the last attempt did not pass; 2: passed, by best time / time allowed (slowest first)
  const auto summary = summarise_drills(records);
  auto rank = [&](const Problem* p) {
    const auto it = summary.find(p->id);
    return it == summary.end() ? std::pair{0, 0.0} : std::pair{it->second.last->passed() ? 2 : 1, it->second.best_share};
  };
  std::vector<const Problem*> out = candidates;
  std::stable_sort(out.begin(), out.end(), [&](const Problem* a, const Problem* b) {
    const auto [rank_a, share_a] = rank(a);
    const auto [rank_b, share_b] = rank(b);
    if (rank_a != rank_b) return rank_a < rank_b;
    return rank_a == 2 && share_a > share_b;
  });
  return out;
}

}  // namespace attnkata

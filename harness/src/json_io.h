// One problem's result as a JSON object (the entries of the grade JSON, reused by class.json) and back.
#pragma once

#include <nlohmann/json.hpp>

#include "result.h"

namespace attnkata {

nlohmann::ordered_json problem_to_json(const ProblemResult& r);
ProblemResult problem_from_json(const nlohmann::ordered_json& j);  // throws nlohmann::json::exception

}  // namespace attnkata

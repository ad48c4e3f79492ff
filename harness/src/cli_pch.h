// Precompiled for the CLI's sources: the heavy third-party headers they share.
#pragma once

#include <fmt/color.h>
#include <fmt/core.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

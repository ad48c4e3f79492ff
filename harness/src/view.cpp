// The table of output formats.
#include "view.h"

#include <functional>
#include <utility>

#include "catalog.h"

namespace attnkata {

namespace {

using Factory = std::unique_ptr<View> (*)(const ViewOptions&);
const std::vector<std::pair<std::string, Factory>> kViews = {
    {"text", make_text_view},
    {"json", make_json_view},
    {"exercism", make_exercism_view},
    {"gradescope", make_gradescope_view},
    {"junit", make_junit_view},
    {"html", make_html_view},
};

}  // namespace

std::vector<std::string> view_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : kViews) names.push_back(name);
  return names;
}

std::unique_ptr<View> make_view(const std::string& format, const ViewOptions& options) {
  std::string names;
  for (const auto& [name, factory] : kViews) {
    if (name == format) return factory(options);
    names += (names.empty() ? "" : ", ") + name;
  }
  throw UsageError("unknown --format '" + format + "' (" + names + ")");
}

}  // namespace attnkata

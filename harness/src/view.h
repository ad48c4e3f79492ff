// Views of grading results: every output format reads the same ProblemResults through this interface.
// A new format is one file (view_<name>.cpp) and one line in view.cpp's table.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "result.h"

namespace attnkata {

struct ViewOptions {
  bool color = false;
  bool verbose = false;  // text: show passing tests' names and compiler warnings too; html: their heat maps too
};

class View {
 public:
  virtual ~View() = default;
  virtual std::string render(const std::vector<ProblemResult>& results) const = 0;
};

// The view for a --format name; throws UsageError naming the formats for an unknown one.
std::unique_ptr<View> make_view(const std::string& format, const ViewOptions& options);
std::vector<std::string> view_names();

// The views themselves (view_<name>.cpp).
std::unique_ptr<View> make_text_view(const ViewOptions& options);
std::unique_ptr<View> make_json_view(const ViewOptions& options);
std::unique_ptr<View> make_exercism_view(const ViewOptions& options);
std::unique_ptr<View> make_gradescope_view(const ViewOptions& options);
std::unique_ptr<View> make_junit_view(const ViewOptions& options);
std::unique_ptr<View> make_html_view(const ViewOptions& options);

// Text for XML or HTML, in an attribute or an element: the five entities escaped; control characters (not allowed in
// XML 1.0) and bytes that are not UTF-8 replaced by '?'.
std::string escape_markup(const std::string& s);

// Reads the JSON view back (used by `list` to show the last grade, and by the self-test).
std::vector<ProblemResult> parse_json_results(const std::string& text);

}  // namespace attnkata

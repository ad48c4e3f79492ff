// compile_commands.json for a workspace.
#include "editor.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace attnkata {

namespace {

constexpr const char* kMarker = "-DATTNKATA_WORKSPACE";  // how a file we wrote is recognised

}  // namespace

std::string write_editor_config(const Toolkit& toolkit, const std::vector<Problem>& problems,
                                const fs::path& workspace) {
  const fs::path file = workspace / "compile_commands.json";
  if (fs::exists(file)) {
    std::string old;
    try {
      old = read_file(file);
    } catch (const ToolkitError&) {
    }
    if (old.find(kMarker) == std::string::npos)
      return "note: " + file.string() + " was not written by attnkata; left as it is (clangd may not find " +
             "the problem headers)";
  }
  const fs::path ws = fs::absolute(workspace).lexically_normal();
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (const auto& p : problems) {
    std::vector<std::string> args{toolkit.compiler.string()};
    for (const auto& f : toolkit.compile_flags)
      if (f.starts_with("-std=")) args.push_back(f);
    args.insert(args.end(), toolkit.learner_flags.begin(), toolkit.learner_flags.end());
    args.push_back(kMarker);
    args.push_back("-I" + p.dir.string());
    for (const auto& d : toolkit.include_dirs) args.push_back("-I" + d.string());
    for (const auto& d : toolkit.system_include_dirs) args.insert(args.end(), {"-isystem", d.string()});
    const std::string source = (ws / p.file_name()).string();
    args.insert(args.end(), {"-c", source});
    entries.push_back({{"directory", ws.string()}, {"file", source}, {"arguments", args}});
  }
  std::ofstream out(file);
  out << entries.dump(1) << "\n";
  return "";
}

}  // namespace attnkata

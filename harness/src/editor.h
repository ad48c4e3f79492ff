// What an editor needs to understand a workspace: a compile_commands.json beside the learner's files, so that
// clangd (VS Code, Vim/Neovim, Emacs, …) finds the problem headers, the shared types and Eigen, with the flags
// the grader uses. The only file attnkata writes into a workspace besides missing stubs; one written by someone
// else is left alone.
#pragma once

#include <string>
#include <vector>

#include "catalog.h"

namespace attnkata {

// Writes (or refreshes) workspace/compile_commands.json for every problem's file. Returns a note for the user when
// it left a foreign compile_commands.json alone, "" otherwise.
std::string write_editor_config(const Toolkit& toolkit, const std::vector<Problem>& problems,
                                const fs::path& workspace);

}  // namespace attnkata

// ZIP archives without compression (the "stored" method): enough for an autograder bundle, with Unix
// permissions so that scripts stay executable, and no dependency on a zip program.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace attnkata {

struct ZipEntry {
  std::string name;  // path inside the archive, '/'-separated
  std::string data;
  unsigned mode = 0644;
};

// Throws std::runtime_error when the file cannot be written.
void write_zip(const std::filesystem::path& file, const std::vector<ZipEntry>& entries);

// Reads an archive of stored entries (as write_zip writes them): name -> entry. Throws std::runtime_error on
// anything else.
std::map<std::string, ZipEntry> read_zip(const std::filesystem::path& file);

}  // namespace attnkata

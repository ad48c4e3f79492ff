// Text that stays valid whatever learner code printed: used by the test main's records and the grader's reports.
#pragma once

#include <string>

namespace attnkata {

// s with each ASCII byte written by escape_ascii(out, c) and each valid UTF-8 sequence copied as it is; a byte
// that starts no valid sequence becomes '?'.
template <class EscapeAscii>
std::string escape_utf8(const std::string& s, EscapeAscii escape_ascii) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      escape_ascii(out, static_cast<char>(c));
      ++i;
      continue;
    }
    const size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    bool valid = len > 0 && i + len <= s.size();
    for (size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (valid) out.append(s, i, len);
    else out += '?';
    i += valid ? len : 1;
  }
  return out;
}

}  // namespace attnkata

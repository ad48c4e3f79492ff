// A minimal ZIP writer and reader (PKWARE APPNOTE 4.3: local headers, central directory, end record).
#include "zip.h"

#include <array>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace attnkata {

namespace {

uint32_t crc32(const std::string& data) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xffffffffu;
  for (const unsigned char b : data) c = table[(c ^ b) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

void put16(std::string& out, uint32_t v) {
  out += static_cast<char>(v & 0xff), out += static_cast<char>((v >> 8) & 0xff);
}
void put32(std::string& out, uint32_t v) {
  put16(out, v & 0xffff), put16(out, v >> 16);
}
uint32_t get16(const std::string& s, size_t at) {
  return static_cast<unsigned char>(s.at(at)) | static_cast<unsigned char>(s.at(at + 1)) << 8;
}
uint32_t get32(const std::string& s, size_t at) {
  return get16(s, at) | get16(s, at + 2) << 16;
}

constexpr uint32_t kLocal = 0x04034b50, kCentral = 0x02014b50, kEnd = 0x06054b50;
constexpr uint32_t kDosDate = (46u << 9) | (1u << 5) | 1u;  // 2026-01-01, so that archives are reproducible

}  // namespace

void write_zip(const std::filesystem::path& file, const std::vector<ZipEntry>& entries) {
  std::string out, central;
  for (const auto& e : entries) {
    if (e.data.size() > 0xffffffffu || out.size() > 0xffffffffu) throw std::runtime_error("zip: too large");
    const uint32_t offset = static_cast<uint32_t>(out.size()), crc = crc32(e.data);
    const uint32_t size = static_cast<uint32_t>(e.data.size());
    put32(out, kLocal), put16(out, 10), put16(out, 0x0800), put16(out, 0);  // version, UTF-8 names, stored
    put16(out, 0), put16(out, kDosDate), put32(out, crc), put32(out, size), put32(out, size);
    put16(out, static_cast<uint32_t>(e.name.size())), put16(out, 0);
    out += e.name + e.data;
    put32(central, kCentral), put16(central, 0x0300 | 10), put16(central, 10);  // made by Unix
    put16(central, 0x0800), put16(central, 0), put16(central, 0), put16(central, kDosDate);
    put32(central, crc), put32(central, size), put32(central, size);
    put16(central, static_cast<uint32_t>(e.name.size())), put16(central, 0), put16(central, 0);
    put16(central, 0), put16(central, 0), put32(central, (0100000u | e.mode) << 16), put32(central, offset);
    central += e.name;
  }
  const uint32_t central_at = static_cast<uint32_t>(out.size());
  out += central;
  put32(out, kEnd), put16(out, 0), put16(out, 0);
  put16(out, static_cast<uint32_t>(entries.size())), put16(out, static_cast<uint32_t>(entries.size()));
  put32(out, static_cast<uint32_t>(central.size())), put32(out, central_at), put16(out, 0);
  std::ofstream f(file, std::ios::binary);
  if (!(f << out)) throw std::runtime_error("cannot write " + file.string());
}

std::map<std::string, ZipEntry> read_zip(const std::filesystem::path& file) {
  std::ifstream f(file, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + file.string());
  std::stringstream buf;
  buf << f.rdbuf();
  const std::string s = buf.str();
  if (s.size() < 22 || get32(s, s.size() - 22) != kEnd) throw std::runtime_error("not a zip archive (or it has a comment)");
  const uint32_t count = get16(s, s.size() - 12);
  size_t at = get32(s, s.size() - 6);
  std::map<std::string, ZipEntry> out;
  for (uint32_t i = 0; i < count; ++i) {
    if (get32(s, at) != kCentral) throw std::runtime_error("zip: broken central directory");
    if (get16(s, at + 10) != 0) throw std::runtime_error("zip: only stored entries are read");
    const uint32_t size = get32(s, at + 20), name_len = get16(s, at + 28);
    const uint32_t extra = get16(s, at + 30), comment = get16(s, at + 32);
    const uint32_t mode = (get32(s, at + 38) >> 16) & 0777, local = get32(s, at + 42);
    ZipEntry e{s.substr(at + 46, name_len), "", mode};
    const size_t data_at = local + 30 + get16(s, local + 26) + get16(s, local + 28);
    e.data = s.substr(data_at, size);
    if (crc32(e.data) != get32(s, at + 16)) throw std::runtime_error("zip: " + e.name + " is corrupt");
    out[e.name] = e;
    at += 46 + name_len + extra + comment;
  }
  return out;
}

}  // namespace attnkata

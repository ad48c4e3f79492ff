// attnkata test main: runs a problem's doctest cases and, under the grader, reports each one as a JSON line on
// the result channel (a file descriptor the grader opened), never on stdout, which belongs to the learner.
// The records and names are attnkata/protocol.h's.
#define DOCTEST_CONFIG_IMPLEMENT
#include <attnkata/artifacts.h>
#include <attnkata/protocol.h>
#include <attnkata/utf8.h>
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>

namespace {

namespace proto = attnkata::protocol;

int g_fd = -1;
std::string g_nonce;

// JSON string literal of s; bytes that are not valid UTF-8 become '?' so the record always parses.
std::string json_string(const std::string& s) {
  return "\"" + attnkata::escape_utf8(s, [](std::string& out, char c) {
           if (c == '"' || c == '\\') {
             out += '\\';
             out += c;
           } else if (c == '\n') {
             out += "\\n";
           } else if (c == '\t') {
             out += "\\t";
           } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
             char buf[8];
             std::snprintf(buf, sizeof buf, "\\u%04x", c);
             out += buf;
           } else {
             out += c;
           }
         }) + "\"";
}

// "key":value
std::string field(const char* key, const std::string& json_value) { return json_string(key) + ":" + json_value; }

void emit(const std::string& body) {
  if (g_fd < 0) return;
  const std::string line = "{" + json_string(proto::kNonce) + ":" + json_string(g_nonce) + "," + body + "}\n";
  for (size_t done = 0; done < line.size();) {
    const ssize_t w = ::write(g_fd, line.data() + done, line.size() - done);
    if (w <= 0) return;
    done += static_cast<size_t>(w);
  }
}

// Offset of the learner's output file (stdout and stderr share it); -1 when stdout is not a file.
long output_offset() {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(stdout);
  std::fflush(stderr);
  return static_cast<long>(::lseek(STDOUT_FILENO, 0, SEEK_CUR));
}

std::string str(const doctest::String& s) { return std::string(s.c_str(), s.size()); }

// The result file must stay under the run's file-size limit (1 MiB): a run's artifacts stop at this many bytes.
constexpr size_t kArtifactBytesPerRun = 512 << 10;
size_t g_artifact_bytes = 0;

// ,"artifacts":[...] for the current case, or "" when there are none or the run's budget is spent.
// 9 significant digits read back as the same float; NaN is null, infinities "inf" and "-inf" (protocol.h).
std::string artifacts_field() {
  const auto& list = attnkata::artifacts::current();
  if (list.empty()) return "";
  std::string out = "," + json_string(proto::kArtifacts) + ":[";
  for (size_t k = 0; k < list.size(); ++k) {
    const auto& a = list[k];
    out += (k ? ",{" : "{") + field(proto::kName, json_string(a.name)) + "," +
           field(proto::kKind, json_string(a.kind)) + "," + field(proto::kRows, std::to_string(a.rows)) + "," +
           field(proto::kCols, std::to_string(a.cols)) + "," + json_string(proto::kValues) + ":[";
    for (size_t v = 0; v < a.values.size(); ++v) {
      const float x = a.values[v];
      char buf[32];
      if (std::isnan(x))
        std::snprintf(buf, sizeof buf, "null");
      else if (std::isinf(x))
        std::snprintf(buf, sizeof buf, "\"%s\"", x > 0 ? proto::kPlusInf : proto::kMinusInf);
      else
        std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(x));
      out += (v ? "," : "") + std::string(buf);
    }
    out += "]}";
  }
  out += "]";
  if (g_artifact_bytes + out.size() > kArtifactBytesPerRun) return "";
  g_artifact_bytes += out.size();
  return out;
}

struct Reporter : doctest::IReporter {
  explicit Reporter(const doctest::ContextOptions&) {}

  const doctest::TestCaseData* test_ = nullptr;
  std::string status_, message_, notes_;
  long out_begin_ = -1;
  std::chrono::steady_clock::time_point started_;
  unsigned cases_ = 0;

  void add_message(const std::string& m) {
    if (message_.size() > 4000) return;  // the first failures are the useful ones
    if (!message_.empty()) message_ += '\n';
    message_ += m;
  }

  static std::string contexts() {
    std::string out;
    const int n = doctest::IReporter::get_num_active_contexts();
    const auto* const* ctx = doctest::IReporter::get_active_contexts();
    for (int i = 0; i < n; ++i) {
      std::ostringstream s;
      ctx[i]->stringify(&s);
      out += "\n  with " + s.str();
    }
    return out;
  }

  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {
    emit(field(proto::kType, json_string(proto::kEnd)) + "," + field(proto::kCount, std::to_string(cases_)));
  }

  void test_case_start(const doctest::TestCaseData& tc) override {
    test_ = &tc;
    status_ = "pass";
    message_.clear();
    notes_.clear();
    attnkata::artifacts::current().clear();
    out_begin_ = output_offset();
    started_ = std::chrono::steady_clock::now();
    emit(field(proto::kType, json_string(proto::kStart)) + "," + field(proto::kName, json_string(tc.m_name)));
  }
  void test_case_reenter(const doctest::TestCaseData&) override {}

  void test_case_end(const doctest::CurrentTestCaseStats& stats) override {
    if (status_ == "pass" && !stats.testCaseSuccess) status_ = "fail";
    // description "attnkata:<category>:<points>", set by ATTN_TEST
    std::string category, points = "0";
    const std::string desc = test_->m_description ? test_->m_description : "";
    const size_t skip = std::strlen(proto::kDescriptionPrefix);
    if (desc.rfind(proto::kDescriptionPrefix, 0) == 0) {
      const size_t colon = desc.find(':', skip);
      category = desc.substr(skip, colon - skip);
      if (colon != std::string::npos) points = std::to_string(std::atoi(desc.c_str() + colon + 1));
    }
    ++cases_;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    emit(field(proto::kType, json_string(proto::kCase)) + "," + field(proto::kName, json_string(test_->m_name)) +
         "," + field(proto::kCategory, json_string(category)) + "," + field(proto::kPoints, points) + "," +
         field(proto::kStatus, json_string(status_)) + "," + field(proto::kMessage, json_string(message_)) + "," +
         field(proto::kOut, "[" + std::to_string(out_begin_) + "," + std::to_string(output_offset()) + "]") + "," +
         field(proto::kTime, std::to_string(seconds)) + "," + field(proto::kNotes, json_string(notes_)) +
         artifacts_field());
    attnkata::artifacts::current().clear();
  }

  void test_case_exception(const doctest::TestCaseException& e) override {
    status_ = "error";
    add_message((e.is_crash ? "crashed: " : "exception escaped the test: ") + str(e.error_string));
  }

  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}

  void log_assert(const doctest::AssertData& a) override {
    if (!a.m_failed) return;
    std::string m;
    // m_exception_type is "" (not null) for plain CHECKs: ask the assertion's type what it was
    if (a.m_at & doctest::assertType::is_throws_as) {
      m = std::string("expected `") + a.m_expr + "` to throw " + a.m_exception_type;
      m += a.m_threw ? ", but it threw another exception: " + str(a.m_exception) : ", but it did not throw";
    } else if (a.m_at & doctest::assertType::is_throws) {
      m = std::string("expected `") + a.m_expr + "` to throw, but it did not throw";
    } else if (a.m_threw) {
      m = std::string("`") + a.m_expr + "` threw: " + str(a.m_exception);
    } else {
      m = std::string("check failed: ") + a.m_expr + "  (" + str(a.m_decomp) + ")";
    }
    add_message(m + contexts());
  }

  void log_message(const doctest::MessageData& msg) override {
    if (msg.m_severity & doctest::assertType::is_warn) {  // MESSAGE: a note for the report, never a failure
      if (notes_.size() < 4000) notes_ += (notes_.empty() ? "" : "\n") + str(msg.m_string);
      return;
    }
    add_message(str(msg.m_string) + contexts());
  }

  void test_case_skipped(const doctest::TestCaseData&) override {}
};

REGISTER_REPORTER(proto::kReporter, 1, Reporter);

}  // namespace

int main(int argc, char** argv) {
  doctest::Context context;
  if (const char* fd = std::getenv(proto::kEnvResultFd)) {
    g_fd = std::atoi(fd);
    const char* nonce = std::getenv(proto::kEnvNonce);
    g_nonce = nonce ? nonce : "";
    attnkata::artifacts::mode();  // read once, before any test runs
    ::unsetenv(proto::kEnvResultFd);
    ::unsetenv(proto::kEnvNonce);
    ::unsetenv(proto::kEnvArtifacts);
    context.setOption("reporters", proto::kReporter);
  }
  context.setOption("no-breaks", true);
  context.applyCommandLine(argc, argv);
  return context.run();
}

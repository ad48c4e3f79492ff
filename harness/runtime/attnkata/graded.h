// attnkata grading runtime for problem tests: the ATTN_TEST macro (points and a category for every test case),
// golden-data constructors, and checks whose failure messages teach (shapes, worst element, exact zeros).
#pragma once

#include <attnkata/artifacts.h>
#include <attnkata/attn.h>
#include <attnkata/protocol.h>
#include <doctest/doctest.h>

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// A graded test case. category is one of shape, numeric, property, edge; points a positive integer.
// The grader reads these three arguments from tests.cpp, so keep each ATTN_TEST on one line with literal
// arguments, and keep names free of , * ? \ (doctest filter syntax).
#define ATTN_TEST(name, category, points) \
  TEST_CASE(name* doctest::description("attnkata:" #category ":" #points))
static_assert(std::string_view(attnkata::protocol::kDescriptionPrefix) == "attnkata:");

namespace attn::check {

using Index = Eigen::Index;
using MatD = Eigen::MatrixXd;

// Element-wise tolerance |actual - expected| <= atol + rtol * |expected| (problem-set.md section 4).
struct Tol {
  double rtol, atol;
  const char* tier;
};
inline constexpr Tol kT1{1.3e-6, 1e-5, "T1"};  // one stage: softmax, SDPA, pooling
inline constexpr Tol kT2{1e-5, 1e-5, "T2"};    // composite: projections + attention + output layer
inline constexpr Tol kT3{1e-4, 1e-5, "T3"};    // float32 gradients vs float64 autograd
inline constexpr Tol kT4{1e-6, 1e-8, "T4"};    // double vs finite differences

// ---- golden data: values in C (row-major) order, as numpy writes them ----
// These run during static initialisation (golden.inc), before doctest exists: no doctest asserts here.

inline void expect_count(size_t n, Index rows, Index cols) {
  if (static_cast<Index>(n) != rows * cols) throw std::logic_error("golden data: wrong element count");
}

// A (rows, cols) Eigen object filled from values in C order; bool masks take 0/1 values.
template <class M, class T>
M c_order(Index rows, Index cols, std::initializer_list<T> values) {
  expect_count(values.size(), rows, cols);
  M m(rows, cols);
  auto it = values.begin();
  for (Index i = 0; i < rows; ++i)
    for (Index j = 0; j < cols; ++j) m(i, j) = static_cast<typename M::Scalar>(*it++);
  return m;
}

inline Mat f32(Index rows, Index cols, std::initializer_list<float> values) {
  return c_order<Mat>(rows, cols, values);
}
inline MatD f64(Index rows, Index cols, std::initializer_list<double> values) {
  return c_order<MatD>(rows, cols, values);
}
inline Mask mask(Index rows, Index cols, std::initializer_list<int> values) {
  return c_order<Mask>(rows, cols, values);
}

// ---- inputs tests build ----

// out.row(i) = X.row(order[i]): permuting positions (queries, keys, frames, pixels).
template <class M>
M rows_in_order(const M& X, const std::vector<int>& order) {
  M out(static_cast<Index>(order.size()), X.cols());
  for (Index i = 0; i < out.rows(); ++i) out.row(i) = X.row(order[static_cast<size_t>(i)]);
  return out;
}

// x(i, col) = ((h >> 24) - 128) / 64, h a 32-bit mix of (i, col, salt): multiples of 1/64 in [-2, 2), the same
// numbers as tools/golden/common.py's hashed(), so a memory-bounded test builds a long input without a golden file
// of millions of values.
inline Mat hashed_matrix(Index rows, Index cols, uint32_t salt) {
  Mat x(rows, cols);
  for (Index i = 0; i < rows; ++i)
    for (Index col = 0; col < cols; ++col) {
      uint32_t h = static_cast<uint32_t>(i) * 0x9E3779B1u + static_cast<uint32_t>(col) * 0x85EBCA77u +
                   salt * 0xC2B2AE3Du;
      h ^= h >> 15;
      h *= 0x2C1B3C6Du;
      h ^= h >> 12;
      x(i, col) = static_cast<float>(static_cast<int>(h >> 24) - 128) / 64.f;
    }
  return x;
}

// MHAParams from golden matrices (biases as 1×d rows), for the problems built on multi-head attention.
inline MHAParams mha_params(const Mat& Wq, const Mat& Wk, const Mat& Wv, const Mat& Wo, const Mat& bq,
                            const Mat& bk, const Mat& bv, const Mat& bo, int num_heads) {
  MHAParams p;
  p.Wq = Wq, p.Wk = Wk, p.Wv = Wv, p.Wo = Wo;
  p.bq = bq.row(0), p.bk = bk.row(0), p.bv = bv.row(0), p.bo = bo.row(0);
  p.num_heads = num_heads;
  return p;
}

// Random d×d projections of scale 1/sqrt(d), like a trained layer's, and biases in [-0.5, 0.5].
inline MHAParams random_mha_params(Index d, int num_heads) {
  const float s = 1.f / std::sqrt(static_cast<float>(d));
  MHAParams p;
  p.Wq = s * Mat::Random(d, d), p.Wk = s * Mat::Random(d, d), p.Wv = s * Mat::Random(d, d);
  p.Wo = s * Mat::Random(d, d);
  p.bq = 0.5f * RowVec::Random(d), p.bk = 0.5f * RowVec::Random(d), p.bv = 0.5f * RowVec::Random(d);
  p.bo = 0.5f * RowVec::Random(d);
  p.num_heads = num_heads;
  return p;
}

// keep(i, j) = j <= i + offset: causal attention, with offset = number of cached positions before row 0.
inline Mask causal_mask(Index rows, Index cols, Index offset = 0) {
  Mask keep(rows, cols);
  for (Index i = 0; i < rows; ++i)
    for (Index j = 0; j < cols; ++j) keep(i, j) = j <= i + offset;
  return keep;
}

// keep(i, j) = j < valid: every row sees the first valid keys (padding after them).
inline Mask prefix_mask(Index rows, Index cols, Index valid) {
  Mask keep(rows, cols);
  for (Index i = 0; i < rows; ++i)
    for (Index j = 0; j < cols; ++j) keep(i, j) = j < valid;
  return keep;
}

// ---- measurements reported beside a verdict (MESSAGE), never scored ----

// How far this process's peak resident set rises during a stretch of a test: start() hands freed heap pages back
// (malloc_trim, or a call that reuses them would look free) and resets the high-water mark through
// /proc/self/clear_refs; rise_kib() is the rise since, or -1 when /proc could not tell.
class PeakRss {
 public:
  void start() {
    malloc_trim(0);
    std::ofstream clear("/proc/self/clear_refs");
    start_kib_ = (clear << "5" << std::flush) ? status_kib("VmRSS:") : -1;
  }
  long rise_kib() const {
    const long peak = start_kib_ < 0 ? -1 : status_kib("VmHWM:");
    return peak < 0 ? -1 : std::max(0L, peak - start_kib_);
  }

 private:
  static long status_kib(const std::string& key) {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind(key, 0) == 0) return std::stol(line.substr(key.size()));
    return -1;
  }
  long start_kib_ = -1;
};

// ---- message formatting ----

inline std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.7g", x);
  return buf;
}

inline std::string shape(Index rows, Index cols) {
  return std::to_string(rows) + "×" + std::to_string(cols);
}

inline std::string at(const std::string& what, Index i, Index j) {
  return what + "(" + std::to_string(i) + ", " + std::to_string(j) + ")";
}

// ---- checks; each returns whether it held, so a test can stop early ----
// (Names are std::string in messages: doctest streams a const char* as a pointer.)

// Fatal: the rest of a test cannot index a wrongly shaped result.
template <class A>
bool expect_shape(const std::string& what, const A& actual, Index rows, Index cols) {
  if (actual.rows() == rows && actual.cols() == cols) return true;
  std::string msg = what + ": expected " + shape(rows, cols) + ", got " +
                    shape(actual.rows(), actual.cols());
  if (actual.rows() == cols && actual.cols() == rows && rows != cols) msg += " (transposed?)";
  FAIL(msg);
  return false;
}

template <class A>
bool check_finite(const std::string& what, const A& actual) {
  for (Index i = 0; i < actual.rows(); ++i)
    for (Index j = 0; j < actual.cols(); ++j)
      if (!std::isfinite(static_cast<double>(actual(i, j)))) {
        if (attnkata::artifacts::wanted(true))
          attnkata::artifacts::record({attnkata::artifacts::matrix(what, attnkata::protocol::kKindYours, actual)});
        FAIL_CHECK(at(what, i, j) << " is " << num(actual(i, j))
                                  << ": results must be finite (an overflowing exp, 0*inf or 0/0?)");
        return false;
      }
  return true;
}

// For the HTML report's heat maps, when ATTNKATA_ARTIFACTS asks for them (attnkata/artifacts.h): never scored.
template <class A>
void record_close_pair(const std::string& what, const A& actual, const MatD& expected, bool failed) {
  namespace art = attnkata::artifacts;
  namespace proto = attnkata::protocol;
  if (art::wanted(failed))
    art::record({art::matrix(what, proto::kKindYours, actual), art::matrix(what, proto::kKindExpected, expected)});
}

// actual (float or double) against expected (double), element-wise; names the worst element.
// Records (yours, expected) under what for the heat maps.
template <class A>
bool check_close(const std::string& what, const A& actual, const MatD& expected, Tol tol) {
  // both shapes, before expect_shape's FAIL ends the test: a transposed result shows as one
  if (actual.rows() != expected.rows() || actual.cols() != expected.cols())
    record_close_pair(what, actual, expected, true);
  if (!expect_shape(what, actual, expected.rows(), expected.cols())) return false;
  double worst_excess = 0;
  Index worst_i = -1, worst_j = -1, n_bad = 0;
  for (Index i = 0; i < expected.rows(); ++i)
    for (Index j = 0; j < expected.cols(); ++j) {
      const double a = static_cast<double>(actual(i, j)), e = expected(i, j);
      if (a == e) continue;  // equal infinities are close (torch.allclose), and -inf - -inf would be NaN
      const double excess = std::abs(a - e) - (tol.atol + tol.rtol * std::abs(e));
      if (!(excess <= 0)) {  // NaN compares false: never close
        ++n_bad;
        if (worst_i < 0 || !(excess <= worst_excess)) worst_excess = excess, worst_i = i, worst_j = j;
      }
    }
  record_close_pair(what, actual, expected, n_bad > 0);
  if (n_bad == 0) return true;
  const double a = static_cast<double>(actual(worst_i, worst_j)), e = expected(worst_i, worst_j);
  FAIL_CHECK(what << ": " << n_bad << " of " << expected.size() << " elements differ; worst "
                  << at(what, worst_i, worst_j) << " expected " << num(e) << ", got " << num(a)
                  << " (|diff| " << num(std::abs(a - e)) << " > " << std::string(tol.tier) << " tolerance "
                  << num(tol.atol + tol.rtol * std::abs(e)) << ")");
  return false;
}

inline bool check_close(const std::string& what, double actual, double expected, Tol tol) {
  const double bound = tol.atol + tol.rtol * std::abs(expected);
  if (actual == expected || std::abs(actual - expected) <= bound) return true;
  FAIL_CHECK(what << ": expected " << num(expected) << ", got " << num(actual) << " (" << std::string(tol.tier)
                  << " tolerance " << num(bound) << ")");
  return false;
}

// The same comparison as check_close, recording nothing: for diagnoses that name a mistake
// ("the output equals softmax(Q Kᵀ) V: the scale is missing") after a check has already failed.
template <class A>
bool is_close(const A& actual, const MatD& expected, Tol tol = kT2) {
  if (actual.rows() != expected.rows() || actual.cols() != expected.cols()) return false;
  for (Index i = 0; i < expected.rows(); ++i)
    for (Index j = 0; j < expected.cols(); ++j) {
      const double a = static_cast<double>(actual(i, j)), e = expected(i, j);
      if (a != e && !(std::abs(a - e) <= tol.atol + tol.rtol * std::abs(e))) return false;
    }
  return true;
}

// Entries where allowed is false must be exactly 0 (not 1e-30): masked keys get no weight at all.
// Records (yours, mask) under what for the heat maps.
template <class A>
bool check_zero_where_masked(const std::string& what, const A& actual, const Mask& allowed) {
  namespace art = attnkata::artifacts;
  auto record = [&] {
    art::record({art::matrix(what, attnkata::protocol::kKindYours, actual),
                 art::matrix(what, attnkata::protocol::kKindMask, allowed)});
  };
  if ((actual.rows() != allowed.rows() || actual.cols() != allowed.cols()) && art::wanted(true)) record();
  if (!expect_shape(what, actual, allowed.rows(), allowed.cols())) return false;
  bool held = true;
  for (Index i = 0; i < allowed.rows() && held; ++i)
    for (Index j = 0; j < allowed.cols() && held; ++j)
      if (!allowed(i, j) && actual(i, j) != 0) {
        FAIL_CHECK(what << " of masked entries must be exactly 0, but " << at(what, i, j) << " = "
                        << num(actual(i, j)));
        held = false;
      }
  if (art::wanted(!held)) record();
  return held;
}

// Each row sums to target within 4·n·eps_float32, the rounding of a float32 sum of n terms.
template <class A>
bool check_rows_sum_to(const std::string& what, const A& weights, double target = 1.0) {
  const double bound = 4.0 * static_cast<double>(weights.cols()) * 1.1920929e-7;
  for (Index i = 0; i < weights.rows(); ++i) {
    const double sum = weights.row(i).template cast<double>().sum();
    if (!(std::abs(sum - target) <= bound)) {
      FAIL_CHECK("row " << i << " of " << what << " sums to " << num(sum) << ", expected "
                        << num(target) << " (tolerance " << num(bound) << ")");
      return false;
    }
  }
  return true;
}

}  // namespace attn::check

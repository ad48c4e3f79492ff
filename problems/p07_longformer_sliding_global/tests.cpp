// p07 longformer_sliding_global — graded tests. Golden values: tools/golden/p07.py (the explicit mask from
// its definition and a dense masked softmax in numpy, cross-checked with the mask enumerated row by row and
// with nn.MultiheadAttention; full attention from torch.softmax without a mask; the rows of the long case
// from index lists, cross-checked with a torch softmax over a boolean row of all its keys).
#include <attnkata/graded.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <new>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "golden.inc"
#include "longformer_sliding_global.h"

using namespace attn;
using namespace attn::check;

namespace {

// "{0, 1, 2}": the keys of row i
std::string set_of(const Mask& m, Index i) {
  std::string s = "{";
  for (Index j = 0; j < m.cols(); ++j)
    if (m(i, j)) s += (s.size() > 1 ? ", " : "") + std::to_string(j);
  return s + "}";
}

std::string list_of(const std::vector<int>& v) {
  std::string s = "{";
  for (const int x : v) s += (s.size() > 1 ? ", " : "") + std::to_string(x);
  return s + "}";
}

// ---- diagnosis only, never a golden value: the classic wrong patterns, as key multiplicities ----
// count(i, j) = how many times key j enters row i's softmax (1 or 0 when right).

enum class Variant {
  correct,
  window_only,         // no global attention at all
  globals_as_keys,     // every row sees the globals, but a global row sees only its window
  globals_as_rows,     // a global row sees everything, but other rows never see the globals
  window_and_globals,  // a global inside row i's window counted twice (window, then the global list)
  every_listed,        // each listed index counted, repeats included
  narrow_window,       // |i - j| < r: one key short on each side
  half_window,         // |i - j| <= r/2: radius read as the full window width (HF's attention_window)
  causal_window,       // i - r <= j <= i: a one-sided (decoder) window
};

MatD counts(Index n, Index r, const std::vector<int>& listed, Variant v) {
  std::vector<int> multiplicity(static_cast<size_t>(n), 0);
  for (const int g : listed) ++multiplicity[static_cast<size_t>(g)];
  auto global = [&](Index t) { return multiplicity[static_cast<size_t>(t)] > 0; };
  MatD c = MatD::Zero(n, n);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j) {
      const Index dist = std::abs(i - j);
      const bool window = dist <= r;
      switch (v) {
        case Variant::correct:
          c(i, j) = window || global(i) || global(j);
          break;
        case Variant::window_only:
          c(i, j) = window;
          break;
        case Variant::globals_as_keys:
          c(i, j) = window || global(j);
          break;
        case Variant::globals_as_rows:
          c(i, j) = window || global(i);
          break;
        case Variant::window_and_globals:
          c(i, j) = global(i) ? 1.0 : double(window) + double(global(j));
          break;
        case Variant::every_listed:
          c(i, j) = global(i) ? 1.0 : (global(j) ? multiplicity[static_cast<size_t>(j)] : double(window));
          break;
        case Variant::narrow_window:
          c(i, j) = dist < r || global(i) || global(j);
          break;
        case Variant::half_window:
          c(i, j) = dist <= r / 2 || global(i) || global(j);
          break;
        case Variant::causal_window:
          c(i, j) = (j <= i && i - j <= r) || global(i) || global(j);
          break;
      }
    }
  return c;
}

// out(i) = Σ_j count(i, j) exp(s_ij - m_i) V(j) / Σ_j count(i, j) exp(s_ij - m_i), s = scale · Q Kᵀ, in
// double
MatD attend(const Mat& Q, const Mat& K, const Mat& V, const MatD& count, double scale) {
  const MatD S = scale * Q.cast<double>() * K.cast<double>().transpose();
  MatD out = MatD::Zero(Q.rows(), V.cols());
  for (Index i = 0; i < Q.rows(); ++i) {
    double top = -INFINITY;
    for (Index j = 0; j < K.rows(); ++j)
      if (count(i, j) > 0) top = std::max(top, S(i, j));
    Eigen::RowVectorXd w = Eigen::RowVectorXd::Zero(K.rows());
    for (Index j = 0; j < K.rows(); ++j)
      if (count(i, j) > 0) w(j) = count(i, j) * std::exp(S(i, j) - top);
    if (w.sum() > 0) out.row(i) = (w / w.sum()) * V.cast<double>();
  }
  return out;
}

// Name the classic mistakes when an attention output fails its golden check.
void diagnose_attention(const Mat& got, const Mat& Q, const Mat& K, const Mat& V, int r,
                        const std::vector<int>& listed) {
  if (!got.allFinite()) {
    FAIL_CHECK(
        "the output is not finite: subtract each row's max over its keys before exp, and read only the rows "
        "of "
        "its keys (0 × NaN is NaN)");
    return;
  }
  const Index n = Q.rows(), d = Q.cols();
  const double s = 1 / std::sqrt(double(d));
  const MatD truth = attend(Q, K, V, counts(n, r, listed, Variant::correct), s);
  auto matches = [&](const MatD& alt) { return is_close(got, alt, kT2) && !is_close(got, truth, kT2); };
  const MatD right = counts(n, r, listed, Variant::correct);
  if (matches(attend(Q, K, V, right, 1.0)))
    FAIL_CHECK("the scores are not scaled: divide Q(i)·K(j) by sqrt(d), d = Q.cols()");
  if (V.cols() != d && matches(attend(Q, K, V, right, 1 / std::sqrt(double(V.cols())))))
    FAIL_CHECK(
        "the scores are scaled by 1/sqrt(V.cols()): the scale comes from the dot product's d = Q.cols()");
  if (matches(attend(Q, K, V, right, 1 / double(d))))
    FAIL_CHECK("the scores are scaled by 1/d: the scale is 1/sqrt(d)");
  if (matches(attend(Q, K, V, right, 0.0)))
    FAIL_CHECK(
        "every key of a row gets the same weight: the scores Q(i)·K(j)/sqrt(d) never reach the softmax");
  const std::vector<std::pair<Variant, std::string>> wrong{
      {Variant::window_only, "only the sliding window: the global tokens get no global attention"},
      {Variant::globals_as_keys,
       "every row sees the global tokens, but a global token's own row sees only its window: global "
       "attention "
       "is symmetric, a global row attends to all n tokens"},
      {Variant::globals_as_rows,
       "a global row sees every token, but the other rows never see the global tokens outside their window: "
       "global attention is symmetric, every row attends to every global token"},
      {Variant::window_and_globals,
       "a global token inside row i's window is counted twice (once from the window, once from the global "
       "list): it is one key, count it once"},
      {Variant::every_listed,
       "each entry of global_tokens is counted, repeats included: a repeated index is still one token"},
      {Variant::narrow_window,
       "the window is |i - j| < r, one key short on each side: it is i - r .. i + r, 2r + 1 keys"},
      {Variant::half_window,
       "the window has radius r/2: r is one-sided, the window i - r .. i + r has 2r + 1 keys (Hugging Face's "
       "attention_window is the full width 2r)"},
      {Variant::causal_window,
       "the window is one-sided, i - r .. i: Longformer's encoder window is symmetric, i - r .. i + r"},
  };
  for (const auto& [v, why] : wrong) {
    const MatD c = counts(n, r, listed, v);
    if (c != right && matches(attend(Q, K, V, c, s))) FAIL_CHECK("the output matches " << why);
  }
}

bool check_attention(const std::string& what, const Mat& got, const MatD& expected, const Mat& Q,
                     const Mat& K, const Mat& V, int r, const std::vector<int>& listed, Tol tol = kT1) {
  if (!expect_shape(what, got, expected.rows(), expected.cols())) return false;
  if (check_finite(what, got) && check_close(what, got, expected, tol)) return true;
  diagnose_attention(got, Q, K, V, r, listed);
  return false;
}

// The golden attention case G (namespace golden::<name>), computed by the submission.
// (An Eigen block out of range is named: a window that starts below 0 or ends past n - 1.)
#define GOLDEN_ATTENTION(about, G)                                                                    \
  [&] {                                                                                               \
    INFO(about);                                                                                      \
    try {                                                                                             \
      return check_attention("output", longformer_attention(G::Q, G::K, G::V, G::radius, G::globals), \
                             G::output, G::Q, G::K, G::V, G::radius, G::globals);                     \
    } catch (const EigenAssertionError& e) {                                                          \
      FAIL_CHECK(std::string(e.what())                                                                \
                 << ": a block of rows or columns outside the matrix. Does a window start below 0 "   \
                 << "or end past n - 1? (i - r computed in size_t wraps around for i < r)");          \
      return false;                                                                                   \
    }                                                                                                 \
  }()

// ---- the mask ----

void diagnose_mask(const Mask& got, Index n, int r, const std::vector<int>& listed) {
  const MatD right = counts(n, r, listed, Variant::correct);
  auto is = [&](Variant v) {
    const MatD c = counts(n, r, listed, v);
    return c != right && (got.cast<double>().matrix() == c.cwiseMin(1.0));
  };
  if (is(Variant::window_only))
    FAIL_CHECK("the mask holds only the window: every global row and column is true");
  if (is(Variant::globals_as_keys))
    FAIL_CHECK("the global columns are set but not the global rows: a global token attends to every token");
  if (is(Variant::globals_as_rows))
    FAIL_CHECK(
        "the global rows are set but not the global columns: every token attends to every global token");
  if (is(Variant::narrow_window)) FAIL_CHECK("the window is |i - j| < r: it is |i - j| <= r, 2r + 1 keys");
  if (is(Variant::half_window)) FAIL_CHECK("the window has radius r/2: r is one-sided, i - r .. i + r");
  if (is(Variant::causal_window)) FAIL_CHECK("the window is one-sided, i - r .. i: it is i - r .. i + r");
  if (n > 1 && got.all())
    FAIL_CHECK("every entry is true: that is full attention, not the Longformer pattern");
  if (n > 1 && (got == !(right.array() > 0)).all())
    FAIL_CHECK("the mask is inverted: true means may attend (the SDPA convention)");
}

// T0: the mask must be this set exactly. Names the first row that differs.
bool check_mask(const std::string& what, const Mask& got, const Mask& expected, int r,
                const std::vector<int>& listed) {
  if (!expect_shape(what, got, expected.rows(), expected.cols())) return false;
  Index n_bad = 0, first_row = -1;
  for (Index i = 0; i < expected.rows(); ++i)
    for (Index j = 0; j < expected.cols(); ++j)
      if (got(i, j) != expected(i, j)) {
        ++n_bad;
        if (first_row < 0) first_row = i;
      }
  if (n_bad == 0) return true;
  FAIL_CHECK(what << " (r = " << r << ", global_tokens = " << list_of(listed) << "): " << n_bad << " of "
                  << expected.size() << " entries differ; row " << first_row << " should be "
                  << set_of(expected, first_row) << ", got " << set_of(got, first_row));
  diagnose_mask(got, expected.rows(), r, listed);
  return false;
}

#define GOLDEN_MASK(what, G) \
  check_mask(what, longformer_mask(G::n, G::radius, G::globals), G::keep, G::radius, G::globals)

// The keys of row i: the window clipped to 0 .. n-1 and the globals, or everything for a global row.
std::vector<bool> keys_of(Index n, Index i, Index r, const std::vector<int>& listed) {
  const std::set<int> g(listed.begin(), listed.end());
  std::vector<bool> key(static_cast<size_t>(n));
  for (Index j = 0; j < n; ++j)
    key[static_cast<size_t>(j)] = g.count(int(i)) || g.count(int(j)) || std::abs(i - j) <= r;
  return key;
}

// ---- the long case: inputs the generator recomputes exactly ----


// ---- speed and memory, reported with MESSAGE and never scored ----

struct Cost {
  double seconds = 0;
  long peak_kib = -1;  // the high-water mark of the resident set during the call, above the set before it
};

// Time one call and the growth of the resident set's high-water mark (graded.h's PeakRss).
Cost measure(const std::function<void()>& call) {
  PeakRss rss;
  rss.start();
  const auto start = std::chrono::steady_clock::now();
  call();
  Cost c;
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  c.peak_kib = rss.rise_kib();
  return c;
}

Cost best_of(int runs, const std::function<void()>& call) {
  Cost best = measure(call);
  for (int k = 1; k < runs; ++k) {
    const Cost c = measure(call);
    best.seconds = std::min(best.seconds, c.seconds);
    if (c.peak_kib >= 0) best.peak_kib = std::min(best.peak_kib < 0 ? c.peak_kib : best.peak_kib, c.peak_kib);
  }
  return best;
}

std::string mib(long kib) {
  if (kib < 0) return "not measured";
  std::ostringstream s;
  s.precision(kib < 10240 ? 2 : 3);
  s << kib / 1024.0 << " MiB";
  return s.str();
}

std::string ms(double seconds) {
  std::ostringstream s;
  s.precision(3);
  s << seconds * 1e3 << " ms";
  return s.str();
}

std::string ratio(double a, double b) {
  std::ostringstream s;
  s.precision(2);
  s << a / b << "×";
  return s.str();
}

// Trusted baseline 1, tiled: blocks of 64 query rows; each block scores its band of keys (the block's rows ±
// r) and the global keys outside the band with two small products, then takes a softmax per query over its
// window and the globals. Scores are kept transposed, (keys, queries), so each query's scores are contiguous.
// Global rows are full rows afterwards. Memory O(64·(64 + 2r + |G|)).
Mat tiled_baseline(const Mat& Q, const Mat& K, const Mat& V, Index r, const std::vector<int>& listed) {
  const Index n = Q.rows(), block = 64;
  const std::set<int> gset(listed.begin(), listed.end());
  std::vector<char> is_global(static_cast<size_t>(n), 0);
  for (const int g : gset) is_global[size_t(g)] = 1;
  const float scale = 1.f / std::sqrt(static_cast<float>(Q.cols()));
  Mat out(n, V.cols());
  for (Index a = 0; a < n; a += block) {
    const Index rows = std::min(block, n - a), lo = std::max<Index>(0, a - r),
                hi = std::min<Index>(n - 1, a + rows - 1 + r), width = hi - lo + 1;
    std::vector<Index> outside;
    for (const int g : gset)
      if (g < lo || g > hi) outside.push_back(g);
    const Index m = static_cast<Index>(outside.size());
    Mat Kg(m, K.cols()), Vg(m, V.cols());
    for (Index k = 0; k < m; ++k)
      Kg.row(k) = K.row(outside[size_t(k)]), Vg.row(k) = V.row(outside[size_t(k)]);
    const Mat Qb = scale * Q.middleRows(a, rows).transpose();  // (d, rows)
    Mat St(width + m, rows);                                   // (keys, queries)
    St.topRows(width).noalias() = K.middleRows(lo, width) * Qb;
    St.bottomRows(m).noalias() = Kg * Qb;
    for (Index i = 0; i < rows; ++i) {
      auto s = St.col(i);  // band keys lo..hi, then the m globals outside the band
      const Index k0 = std::max(a + i - r, lo) - lo, k1 = std::min(a + i + r, hi) - lo;
      auto allowed = [&](Index k) { return (k >= k0 && k <= k1) || k >= width || is_global[size_t(lo + k)]; };
      float top = -INFINITY;
      for (Index k = 0; k < width + m; ++k)
        if (allowed(k)) top = std::max(top, s(k));
      s = (s.array() - top).exp().matrix();
      for (Index k = 0; k < width; ++k)
        if (!allowed(k)) s(k) = 0;
      s /= s.sum();
    }
    out.middleRows(a, rows).noalias() = St.topRows(width).transpose() * V.middleRows(lo, width);
    out.middleRows(a, rows).noalias() += St.bottomRows(m).transpose() * Vg;
  }
  for (const int g : gset) {  // a global row: full attention
    Eigen::VectorXf s = scale * (K * Q.row(g).transpose());
    s = (s.array() - s.maxCoeff()).exp().matrix();
    out.row(g) = (s / s.sum()).transpose() * V;
  }
  return out;
}

// Trusted baseline 2, dense: the whole (n, n) score matrix (transposed: column i holds query i's scores), a
// softmax per query over the entries the mask allows (evaluated on the fly), then one product with V.
Mat dense_baseline(const Mat& Q, const Mat& K, const Mat& V, Index r, const std::vector<int>& listed) {
  const Index n = Q.rows();
  std::vector<char> g(static_cast<size_t>(n), 0);
  for (const int t : listed) g[size_t(t)] = 1;
  Mat St = (1.f / std::sqrt(static_cast<float>(Q.cols()))) * K * Q.transpose();  // (n, n)
  for (Index i = 0; i < n; ++i) {
    auto s = St.col(i);
    auto allowed = [&](Index j) { return std::abs(i - j) <= r || g[size_t(i)] || g[size_t(j)]; };
    float top = -INFINITY;
    for (Index j = 0; j < n; ++j)
      if (allowed(j)) top = std::max(top, s(j));
    s = (s.array() - top).exp().matrix();
    for (Index j = 0; j < n; ++j)
      if (!allowed(j)) s(j) = 0;
    s /= s.sum();
  }
  return St.transpose() * V;
}

// The speed comparisons, never scored, reported as notes: the tiled baseline on the same 200 000 tokens, and
// the dense baseline at n = 2048, where its n×n scores (16 MiB) fit.
void report_speed(const Mat& Q, const Mat& K, const Mat& V, Index r, const std::vector<int>& listed,
                  const Cost& yours) {
  Mat sink;
  const Cost tiled = measure([&] { sink = tiled_baseline(Q, K, V, r, listed); });
  MESSAGE("n = " << Q.rows() << ", r = " << r << ", " << listed.size()
                 << " global tokens: your longformer_attention " << ms(yours.seconds) << ", "
                 << ratio(yours.seconds, tiled.seconds) << " the time of a trusted tiled implementation ("
                 << ms(tiled.seconds) << "); peak memory " << mib(yours.peak_kib) << " vs "
                 << mib(tiled.peak_kib) << " above the inputs (one n×n float matrix would be "
                 << int(4.0 * double(Q.rows()) * double(Q.rows()) / (1 << 30)) << " GiB)");
  const Index n = 2048;
  const std::vector<int> few{0, int(n / 2)};
  const Mat Qs = Q.topRows(n), Ks = K.topRows(n), Vs = V.topRows(n);
  const Cost small = best_of(3, [&] { sink = longformer_attention(Qs, Ks, Vs, int(r), few); });
  Cost dense;
  try {
    dense = measure([&] { sink = dense_baseline(Qs, Ks, Vs, r, few); });
  } catch (const std::bad_alloc&) {
    MESSAGE("n = 2048: the dense baseline did not fit in memory here; no comparison");
    return;
  }
  MESSAGE("n = 2048, r = " << r << ", 2 global tokens: yours " << ms(small.seconds) << " (best of 3), "
                           << ratio(small.seconds, dense.seconds) << " the time of dense masked attention ("
                           << ms(dense.seconds) << "); peak memory " << mib(small.peak_kib) << " vs "
                           << mib(dense.peak_kib) << " dense (its n×n float scores alone are 16 MiB)");
}

}  // namespace

ATTN_TEST("output is n×V.cols() and the mask n×n", shape, 1) {
  expect_shape("longformer_mask(10, 2, {3})", longformer_mask(10, 2, {3}), 10, 10);
  const Mat Q = Mat::Random(10, 4), V = Mat::Random(10, 3);
  expect_shape("output", longformer_attention(Q, Mat::Random(10, 4), V, 2, {3}), 10, 3);
}

ATTN_TEST("n = 0 gives a 0×0 mask and a 0-row output", shape, 1) {
  expect_shape("longformer_mask(0, 2, {})", longformer_mask(0, 2, {}), 0, 0);
  expect_shape("output of 0 tokens", longformer_attention(Mat(0, 4), Mat(0, 4), Mat(0, 3), 2, {}), 0, 3);
}

ATTN_TEST("worked example from the statement", numeric, 2) {
  // n = 6, r = 1, G = {0}, d = 1, every query ln 2: exp(score) = 2^K(j); V's second column is all ones
  namespace G = golden::example;
  const Mat got = longformer_attention(G::Q, G::K, G::V, 1, {0});
  check_attention("output", got, G::output, G::Q, G::K, G::V, 1, {0});
}

ATTN_TEST("the mask with radius 2 and global tokens equals the golden set", numeric, 2) {
  GOLDEN_MASK("longformer_mask(12, 2, {0, 7})", golden::mask_12);
  GOLDEN_MASK("longformer_mask(10, 3, {9}): windows clipped at both ends", golden::mask_edges);
}

ATTN_TEST("masks for radius 0 and a radius beyond n equal the golden sets", numeric, 1) {
  GOLDEN_MASK("longformer_mask(7, 0, {}): the identity", golden::mask_r0);
  GOLDEN_MASK("longformer_mask(5, 9, {}): every entry", golden::mask_wide);
}

ATTN_TEST("sliding window without globals matches golden values", numeric, 2) {
  GOLDEN_ATTENTION("16 tokens r = 2", golden::window);
}

ATTN_TEST("window plus global tokens matches golden values", numeric, 2) {
  GOLDEN_ATTENTION("20 tokens r = 2 G = {0, 9, 19}", golden::globals);
}

ATTN_TEST("random cases match dense masked attention", numeric, 3) {
  GOLDEN_ATTENTION("33 tokens r = 4 global_tokens = {32, 0, 16, 0}", golden::r1);
  GOLDEN_ATTENTION("64 tokens r = 5 G = {3, 40} d = 16", golden::r2);
  GOLDEN_ATTENTION("7 tokens r = 3 G = {2}", golden::r3);
  GOLDEN_ATTENTION("50 tokens r = 7 G = {10, 11, 12, 49}", golden::r4);
  GOLDEN_ATTENTION("40 tokens r = 1 no globals", golden::r5);
}

ATTN_TEST("the mask is symmetric and holds exactly the window and the globals", property, 1) {
  // base case: the golden set; then the exact row counts on other shapes (|window ∪ G|, or n for a global
  // row)
  if (!GOLDEN_MASK("longformer_mask(12, 2, {0, 7})", golden::mask_12)) return;
  struct Shape {
    int n, r;
    std::vector<int> listed;
  };
  for (const Shape& c :
       std::vector<Shape>{{30, 3, {5, 29}}, {17, 0, {}}, {25, 40, {3}}, {40, 6, {0, 1, 39}}}) {
    INFO("n = " << c.n << ", r = " << c.r << ", global_tokens = " << list_of(c.listed));
    const Mask got = longformer_mask(c.n, c.r, c.listed);
    if (!expect_shape("mask", got, c.n, c.n)) return;
    for (Index i = 0; i < c.n; ++i) {
      const std::vector<bool> key = keys_of(c.n, i, c.r, c.listed);
      for (Index j = 0; j < c.n; ++j)
        if (got(i, j) != key[size_t(j)]) {
          FAIL_CHECK("row " << i << " is " << set_of(got, i) << " but entry " << j << " should be "
                            << (key[size_t(j)] ? "true" : "false")
                            << (got(i, j) != got(j, i) ? " (and the mask is not symmetric: (" : "")
                            << (got(i, j) != got(j, i)
                                    ? std::to_string(i) + ", " + std::to_string(j) + ") ≠ (" +
                                          std::to_string(j) + ", " + std::to_string(i) + "))"
                                    : ""));
          diagnose_mask(got, c.n, c.r, c.listed);
          return;
        }
    }
  }
}

ATTN_TEST("a global row equals the full-attention row", property, 2) {
  // base case: the golden output; then the global rows against full attention (torch softmax, no mask at all)
  namespace G = golden::globals;
  if (!GOLDEN_ATTENTION("20 tokens r = 2 G = {0, 9, 19}", golden::globals)) return;
  namespace R = golden::r2;
  const Mat got = longformer_attention(R::Q, R::K, R::V, R::radius, R::globals);
  if (!expect_shape("output", got, R::Q.rows(), R::V.cols())) return;
  for (const int g : R::globals)
    if (!check_close(
            "output.row(" + std::to_string(g) + ") of 64 tokens with G = {3, 40} against full attention",
            got.row(g), MatD(R::full.row(g)), kT1)) {
      FAIL_CHECK("a global token attends to all n tokens: its row is plain full attention over the sequence");
      return;
    }
  const Mat got_g = longformer_attention(G::Q, G::K, G::V, G::radius, G::globals);
  for (const int g : G::globals)
    check_close("output.row(" + std::to_string(g) + ") against full attention", got_g.row(g),
                MatD(G::full.row(g)), kT1);
}

ATTN_TEST("tokens outside row i's keys do not change row i", property, 2) {
  // base case: the golden output; then, for one row i at a time, every other query row and the key and value
  // rows of every token outside row i's window and the globals are replaced: row i must stay golden
  namespace G = golden::globals;
  if (!GOLDEN_ATTENTION("20 tokens r = 2 G = {0, 9, 19}", golden::globals)) return;
  const Index n = G::Q.rows();
  for (const Index i : {1, 5, 12, 17}) {
    const std::vector<bool> key = keys_of(n, i, G::radius, G::globals);
    Mat Q = 3 * Mat::Random(n, G::Q.cols()), K = G::K, V = G::V;
    Q.row(i) = G::Q.row(i);
    for (Index j = 0; j < n; ++j)
      if (!key[size_t(j)]) K.row(j) = 3 * Mat::Random(1, K.cols()), V.row(j) = 3 * Mat::Random(1, V.cols());
    const Mat got = longformer_attention(Q, K, V, G::radius, G::globals);
    if (!expect_shape("output", got, n, G::V.cols())) return;
    INFO("row " << i << " reads tokens " << [&] {
      std::string s;
      for (Index j = 0; j < n; ++j)
        if (key[size_t(j)]) s += std::to_string(j) + " ";
      return s;
    }() << "only");
    if (!check_close("output.row(" + std::to_string(i) + ") with every other token changed", got.row(i),
                     MatD(G::output.row(i)), kT1)) {
      FAIL_CHECK("row " << i
                        << " changed when tokens outside its window and the globals changed: it must read "
                        << "only Q(" << i << ") and the K and V rows of its keys");
      return;
    }
  }
}

ATTN_TEST("NaN outside row i's keys stays out", property, 3) {
  // for one row i at a time: NaN and 1e30 in every other query row and in the key and value rows outside row
  // i's keys; row i must still be its golden row (other rows may be NaN)
  auto poisoned_row = [](const Mat& Q0, const Mat& K0, const Mat& V0, int r, const std::vector<int>& listed,
                         Index i, const MatD& expected) {
    const Index n = Q0.rows();
    const std::vector<bool> key = keys_of(n, i, r, listed);
    Mat Q = Mat::Constant(n, Q0.cols(), NAN), K = K0, V = V0;
    Q.row(i) = Q0.row(i);
    for (Index j = 0; j < n; ++j)
      if (!key[size_t(j)]) {
        const float bad = j % 2 ? 1e30f : NAN;
        K.row(j).setConstant(bad), V.row(j).setConstant(bad);
      }
    const Mat got = longformer_attention(Q, K, V, r, listed);
    if (!expect_shape("output", got, n, V0.cols())) return false;
    if (!got.row(i).allFinite()) {
      FAIL_CHECK(
          "row " << i << " is not finite: it read a key or value row outside its window and the globals "
                 << "(NaN and 1e30 there). Visit only its keys: a zero weight does not help, 0 × NaN is NaN "
                 << "and 0 × inf too. A fixed-width tile shifted at the sequence ends, or a whole chunk "
                 << "multiplied and masked afterwards, reads such rows");
      return false;
    }
    return check_close("output.row(" + std::to_string(i) + ") with the rest poisoned", got.row(i),
                       MatD(expected.row(i)), kT1);
  };
  {
    namespace W = golden::window;
    if (!GOLDEN_ATTENTION("16 tokens r = 2", golden::window)) return;
    for (const Index i : {0, 1, 8, 15})
      if (!poisoned_row(W::Q, W::K, W::V, W::radius, W::globals, i, W::output)) return;
  }
  namespace G = golden::globals;
  for (const Index i : {1, 10, 18})
    if (!poisoned_row(G::Q, G::K, G::V, G::radius, G::globals, i, G::output)) return;
}

ATTN_TEST("repeated and unsorted global indices count each token once", property, 2) {
  // base case: the golden output for G = {0, 9, 19}; then the same set listed as {19, 0, 9, 9, 0, 19, 19}
  namespace G = golden::globals;
  if (!GOLDEN_ATTENTION("20 tokens r = 2 G = {0, 9, 19}", golden::globals)) return;
  const std::vector<int> listed{19, 0, 9, 9, 0, 19, 19};
  check_attention("the same with global_tokens = {19, 0, 9, 9, 0, 19, 19}",
                  longformer_attention(G::Q, G::K, G::V, G::radius, listed), G::output, G::Q, G::K, G::V,
                  G::radius, listed);
  GOLDEN_MASK("longformer_mask(9, 1, {8, 3, 3})", golden::mask_dup);
}

ATTN_TEST("200000 tokens with r = 32 run in 1 GiB without an n×n buffer", property, 3) {
  // One n×n float matrix for n = 200 000 is 149 GiB; the problem's limit is 1 GiB of address space. Each row
  // has at most 2r + 1 + |G| keys (a global row: n). The inputs come from an integer hash the generator
  // recomputes; 40 rows are compared with golden values: the start, around global token 77777, the middle and
  // the end.
  namespace G = golden::long_seq;
  const Mat Q = hashed_matrix(G::n, G::d, 1), K = hashed_matrix(G::n, G::d, 2), V = hashed_matrix(G::n, G::d_v, 3);
  Mat got;
  Cost cost;
  try {
    cost = measure([&] { got = longformer_attention(Q, K, V, G::radius, G::globals); });
  } catch (const std::bad_alloc&) {
    FAIL_CHECK(
        "std::bad_alloc: an n×n score matrix for n = 200000 is 149 GiB of float (an n×n bool mask 37 GiB). "
        "List each row's keys (its window and the global tokens, at most 2r + 1 + |G|, or all n for a global "
        "row) and score only those: that is what a sliding window is for");
    return;
  }
  if (!expect_shape("output", got, G::n, G::d_v)) return;
  auto rows = [&](const char* about, const std::string& what, const auto& block, const MatD& expected) {
    INFO(about);
    return check_close(what, block, expected, kT1);
  };
  const bool head = rows("rows 0..7: 0 is global", "output.topRows(8)", got.topRows(8), G::head);
  const bool around = rows("rows 77770..77785: 77777 is global", "output.middleRows(77770, 16)",
                           got.middleRows(G::around, 16), G::around_global);
  const bool plain = rows("rows 123456..123463: far from every global token", "output.middleRows(123456, 8)",
                          got.middleRows(G::plain, 8), G::plain_rows);
  const bool tail =
      rows("rows 199992..199999: 199999 is global", "output.bottomRows(8)", got.bottomRows(8), G::tail);
  if (plain && !(head && around && tail))
    FAIL_CHECK(
        "rows far from the global tokens are right, rows near them are not: a global token inside the "
        "window is one key (count it once), a global row sees all n tokens, and windows are clipped at 0 "
        "and n-1");
  if (!(head && around && plain && tail)) return;
  report_speed(Q, K, V, G::radius, G::globals, cost);
}

ATTN_TEST("scores beyond ±88 stay finite and match golden values", edge, 2) {
  namespace G = golden::large;  // allowed scores beyond 88 in magnitude, where float32 exp overflows
  const Mat got = longformer_attention(G::Q, G::K, G::V, G::radius, G::globals);
  if (!expect_shape("output", got, G::Q.rows(), G::V.cols())) return;
  if (!check_finite("output", got)) {
    FAIL_CHECK("exp(score) overflows float32 above 88.7: subtract each row's max over its keys before exp");
    return;
  }
  check_attention("output", got, G::output, G::Q, G::K, G::V, G::radius, G::globals);
}

ATTN_TEST("radius n - 1 or every token global is full attention and one token returns its value", edge, 2) {
  {
    namespace F = golden::full_radius;  // 12 tokens: r = 11 and r = 1000 both reach every key
    check_close("r = 11", longformer_attention(F::Q, F::K, F::V, 11, {}), F::full, kT1);
    check_close("r = 1000", longformer_attention(F::Q, F::K, F::V, 1000, {}), F::full, kT1);
  }
  {
    namespace A = golden::all_global;  // 9 tokens, r = 0, all global
    check_close("r = 0 with every token global", longformer_attention(A::Q, A::K, A::V, 0, A::globals),
                A::full, kT1);
  }
  namespace S = golden::single;
  check_close("1 token", longformer_attention(S::Q, S::K, S::V, 0, {}), S::output, kT1);
  check_close("1 token, global, r = 5", longformer_attention(S::Q, S::K, S::V, 5, {0}), S::output, kT1);
}

ATTN_TEST("radius 0 returns V without globals and matches golden values with one", edge, 1) {
  namespace Z = golden::radius0;
  const Mat got = longformer_attention(Z::Q, Z::K, Z::V, 0, {});
  check_close("r = 0, no globals: each row sees only itself", got, Z::V.cast<double>(), kT1);
  GOLDEN_ATTENTION("r = 0 G = {4}: each row sees itself and token 4", golden::radius0_global);
}

ATTN_TEST("a negative radius or a global index outside 0..n-1 throws std::invalid_argument", edge, 1) {
  const Mat Q = Mat::Random(6, 4), V = Mat::Random(6, 2);
  CHECK_THROWS_AS(longformer_mask(6, -1, {}), std::invalid_argument);
  CHECK_THROWS_AS(longformer_attention(Q, Q, V, -1, {}), std::invalid_argument);
  for (const int bad : {6, -1, 100}) {
    INFO("global_tokens = {2, " << bad << "} with n = 6");
    CHECK_THROWS_AS(longformer_mask(6, 1, {2, bad}), std::invalid_argument);
    CHECK_THROWS_AS(longformer_attention(Q, Q, V, 1, {2, bad}), std::invalid_argument);
  }
  CHECK_THROWS_AS(longformer_mask(-1, 1, {}), std::invalid_argument);
  CHECK_THROWS_AS(longformer_mask(0, 1, {0}), std::invalid_argument);
  CHECK_NOTHROW(longformer_mask(6, 0, {5, 5, 0}));
  CHECK_NOTHROW(longformer_attention(Q, Q, V, 0, {5, 5, 0}));
}

ATTN_TEST("mismatched shapes or zero columns throw std::invalid_argument", edge, 1) {
  const Mat Q = Mat::Random(6, 4), V = Mat::Random(6, 2);
  auto throws = [](const char* why, const Mat& q, const Mat& k, const Mat& v) {
    INFO(std::string(why));
    CHECK_THROWS_AS(longformer_attention(q, k, v, 1, {0}), std::invalid_argument);
  };
  throws("K has 5 rows, Q has 6", Q, Mat::Random(5, 4), V);
  throws("V has 7 rows, Q has 6", Q, Q, Mat::Random(7, 2));
  throws("K has 3 columns, Q has 4", Q, Mat::Random(6, 3), V);
  throws("Q and K have no columns: d = 0", Mat(6, 0), Mat(6, 0), V);
}

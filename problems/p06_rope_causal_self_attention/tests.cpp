// p06 rope_causal_self_attention — graded tests. Golden values: tools/golden/p06.py (complex-number RoPE and
// relative-position scores, cross-checked with torch rotation matrices and a -inf causal mask).
#include "rope_causal_self_attention.h"

#include <attnkata/graded.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "golden.inc"

using namespace attn;
using namespace attn::check;

namespace {

// ---- diagnosis only, never a golden value: RoPE and attention written the classic wrong ways, in double
// ----

struct RopeVariant {
  bool rotate_half = false;   // pairs (i, i + d/2), the GPT-NeoX / HF layout
  bool float_angles = false;  // θ, m·θ, cos and sin in float32
  double sign = 1;            // -1: rotation in the wrong direction
  double exponent = 2;        // θ_i = base^(-exponent·i/d)
};

// Rotates row r of X by position pos0 + r. With rotate_half, pair i is columns (i, i + d/2).
MatD rope_variant(const Mat& X, double pos0, double base, const RopeVariant& v) {
  const Index d = X.cols(), half = d / 2;
  MatD Y = X.cast<double>();
  for (Index r = 0; r < X.rows(); ++r)
    for (Index i = 0; i < half; ++i) {
      double c, s;
      if (v.float_angles) {
        const float theta = std::pow(static_cast<float>(base), -static_cast<float>(v.exponent * i) / d);
        const float angle = static_cast<float>(pos0 + r) * theta;
        c = std::cos(angle), s = std::sin(angle);
      } else {
        const double angle = (pos0 + r) * std::pow(base, -v.exponent * i / d);
        c = std::cos(angle), s = std::sin(angle);
      }
      s *= v.sign;
      const Index a = v.rotate_half ? i : 2 * i, b = v.rotate_half ? i + half : 2 * i + 1;
      const double x = X(r, a), y = X(r, b);
      Y(r, a) = x * c - y * s;
      Y(r, b) = x * s + y * c;
    }
  return Y;
}

bool close_quietly(const Mat& a, const MatD& e, Tol tol) {
  if (a.rows() != e.rows() || a.cols() != e.cols() || !a.allFinite()) return false;
  return ((a.cast<double>() - e).array().abs() <= tol.atol + tol.rtol * e.array().abs()).all();
}

// Name the classic RoPE mistakes when a golden check of apply_rope fails.
void diagnose_rope(const Mat& got, const Mat& X, int pos0, float base) {
  auto matches = [&](const RopeVariant& v, double p) {
    return close_quietly(got, rope_variant(X, p, base, v), kT1);
  };
  if (close_quietly(got, X.cast<double>(), kT1))
    FAIL_CHECK("the output equals the input: nothing was rotated");
  if (pos0 != 0 && matches({}, 0))
    FAIL_CHECK("positions start at 0: row r is at position pos0 + r, so pos0 must shift every angle");
  if (matches({.float_angles = true}, pos0))
    FAIL_CHECK(
        "the angles are computed in float32: m·θ is rounded to about m·6e-8 rad (2e-4 at position "
        "4096, 8e-3 at 1e5), and cos and sin inherit that error; compute θ, m·θ, cos and sin in double");
  if (matches({.rotate_half = true}, pos0))
    FAIL_CHECK(
        "you rotated pairs (i, i + d/2), the rotate-half layout of GPT-NeoX / HF; this problem uses "
        "RoFormer's interleaved pairs (2i, 2i+1)");
  if (matches({.sign = -1}, pos0))
    FAIL_CHECK(
        "the rotation goes the wrong way: y_2i = x_2i cos − x_2i+1 sin, y_2i+1 = x_2i sin + x_2i+1 cos");
  if (matches({.exponent = 1}, pos0))
    FAIL_CHECK("θ_i = base^(-i/d): the exponent is -2i/d with i the pair index 0 .. d/2-1");
  if (matches({.exponent = 4}, pos0))
    FAIL_CHECK(
        "θ uses the column index 2i where the pair index i belongs: θ_i = base^(-2i/d), not base^(-4i/d)");
}

struct AttnVariant {
  bool causal = true, rope_qk = true, rope_v = false, rotate_half = false;
  double scale_dim = 0;  // 0: sqrt(d); otherwise divide the scores by sqrt(scale_dim)
};

MatD attention_variant(const Mat& X, const Mat& Wq, const Mat& Wk, const Mat& Wv, int pos0,
                       const AttnVariant& v) {
  const Mat Qp = X * Wq, Kp = X * Wk, Vp = X * Wv;
  const RopeVariant rv{.rotate_half = v.rotate_half};
  const MatD Q = v.rope_qk ? rope_variant(Qp, pos0, 1e4, rv) : Qp.cast<double>();
  const MatD K = v.rope_qk ? rope_variant(Kp, pos0, 1e4, rv) : Kp.cast<double>();
  const MatD V = v.rope_v ? rope_variant(Vp, pos0, 1e4, rv) : Vp.cast<double>();
  const double dim = v.scale_dim > 0 ? v.scale_dim : static_cast<double>(Q.cols());
  MatD S = Q * K.transpose() / std::sqrt(dim);
  MatD A = MatD::Zero(S.rows(), S.cols());
  for (Index t = 0; t < S.rows(); ++t) {
    const Index len = v.causal ? t + 1 : S.cols();
    A.row(t).head(len) = (S.row(t).head(len).array() - S.row(t).head(len).maxCoeff()).exp().matrix();
    A.row(t) /= A.row(t).sum();
  }
  return A * V;
}

// Name the classic attention mistakes when a golden check of causal_self_attention_rope fails.
void diagnose_attention(const Attention& got, const Mat& X, const Mat& Wq, const Mat& Wk, const Mat& Wv,
                        int pos0) {
  auto matches = [&](const AttnVariant& v) {
    return close_quietly(got.output, attention_variant(X, Wq, Wk, Wv, pos0, v), kT2);
  };
  if (matches({.causal = false}))
    FAIL_CHECK("every token attends to every token: the causal mask (keys j <= t only) is missing");
  if (matches({.rope_qk = false}))
    FAIL_CHECK("the output has no position information: apply RoPE to Q and K before the scores");
  if (matches({.rope_v = true}))
    FAIL_CHECK("V was rotated too: RoPE rotates queries and keys only, values carry content");
  if (matches({.rotate_half = true}))
    FAIL_CHECK("Q and K were rotated in the rotate-half layout; this problem pairs columns (2i, 2i+1)");
  if (X.cols() != Wq.cols() && matches({.scale_dim = static_cast<double>(X.cols())}))
    FAIL_CHECK("the scores are divided by sqrt(d_model); the scale is 1/sqrt(d), d = Wq.cols()");
}

Mat random_mat(Index rows, Index cols, float scale = 1.f) {
  return Mat::Random(rows, cols) * scale;
}

Mask lower_triangle(Index n) {
  Mask m(n, n);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j) m(i, j) = j <= i;
  return m;
}

}  // namespace

ATTN_TEST("output is n×d_v and weights are n×n", shape, 1) {
  const Mat X = random_mat(7, 6), Wq = random_mat(6, 4), Wk = random_mat(6, 4), Wv = random_mat(6, 3);
  const Attention got = causal_self_attention_rope(X, Wq, Wk, Wv);
  expect_shape("output", got.output, 7, 3);
  expect_shape("weights", got.weights, 7, 7);
}

ATTN_TEST("apply_rope keeps the shape n×d", shape, 1) {
  expect_shape("apply_rope(X 5×8)", apply_rope(random_mat(5, 8)), 5, 8);
  expect_shape("apply_rope(X 1×2, pos0 9)", apply_rope(random_mat(1, 2), 9), 1, 2);
}

ATTN_TEST("apply_rope matches the complex-number golden at positions 0 to 4", numeric, 2) {
  using namespace golden::rope_small;
  const Mat got = apply_rope(X, pos0, static_cast<float>(base));
  if (!check_close("apply_rope", got, expected, kT1)) diagnose_rope(got, X, pos0, base);
}

ATTN_TEST("apply_rope matches golden values at positions from 4096", numeric, 2) {
  using namespace golden::rope_4096;
  const Mat got = apply_rope(X, pos0);
  if (!check_close("apply_rope(X, 4096)", got, expected, kT1)) diagnose_rope(got, X, pos0, base);
}

ATTN_TEST("apply_rope matches golden values at positions from 100000", numeric, 2) {
  using namespace golden::rope_100000;
  const Mat got = apply_rope(X, pos0);
  if (!check_close("apply_rope(X, 100000)", got, expected, kT1)) diagnose_rope(got, X, pos0, base);
}

ATTN_TEST("apply_rope with base 500 from position 3 matches golden values", numeric, 1) {
  using namespace golden::rope_base;
  const Mat got = apply_rope(X, pos0, static_cast<float>(base));
  if (!check_close("apply_rope(X, 3, 500)", got, expected, kT1)) diagnose_rope(got, X, pos0, base);
}

ATTN_TEST("causal attention matches golden values", numeric, 2) {
  using namespace golden::attn_small;
  const Attention got = causal_self_attention_rope(X, Wq, Wk, Wv, pos0);
  const bool ok =
      check_close("weights", got.weights, weights, kT1) & check_close("output", got.output, output, kT1);
  if (!ok) diagnose_attention(got, X, Wq, Wk, Wv, pos0);
}

ATTN_TEST("causal attention from position 4096 matches golden values", numeric, 2) {
  using namespace golden::attn_pos;
  const Attention got = causal_self_attention_rope(X, Wq, Wk, Wv, pos0);
  const bool ok =
      check_close("weights", got.weights, weights, kT1) & check_close("output", got.output, output, kT1);
  if (!ok) diagnose_attention(got, X, Wq, Wk, Wv, pos0);
}

ATTN_TEST("a 32-token causal attention stays within float32 tolerance", numeric, 1) {
  using namespace golden::attn_wide;
  const Attention got = causal_self_attention_rope(X, Wq, Wk, Wv, pos0);
  if (!check_close("output", got.output, output, kT1)) diagnose_attention(got, X, Wq, Wk, Wv, pos0);
}

ATTN_TEST("RoPE preserves the norm of every row", property, 1) {
  const Mat X = random_mat(9, 16, 3.f);
  const Mat got = apply_rope(X, 777);
  expect_shape("apply_rope", got, 9, 16);
  const Eigen::VectorXd norms = X.cast<double>().rowwise().norm(),
                        got_norms = got.cast<double>().rowwise().norm();
  check_close("row norms of apply_rope(X, 777)", got_norms, MatD(norms),
              Tol{2e-6, 1e-6, "norm (float32 rounding)"});
}

ATTN_TEST("RoPE leaves the row at position 0 unchanged", property, 1) {
  const Mat X = random_mat(4, 10);
  const Mat got = apply_rope(X, 0);
  if (check_close("apply_rope(X, 0).row(0)", got.row(0), MatD(X.row(0).cast<double>()), Tol{0, 0, "exact"}))
    return;
  FAIL_CHECK("at position 0 every angle is 0, cos = 1 and sin = 0: the first row must come back as it was");
}

ATTN_TEST("RoPE dot products depend only on the position difference", property, 2) {
  const Mat q = random_mat(1, 16), k = random_mat(1, 16);
  auto score = [&](int m, int n) { return double(apply_rope(q, m).row(0).dot(apply_rope(k, n).row(0))); };
  for (const auto& [m, n, c] : std::vector<std::array<int, 3>>{{5, 2, 10}, {0, 7, 1000}, {13, 13, 4096}}) {
    CAPTURE(m);
    CAPTURE(n);
    CAPTURE(c);
    check_close("<R_(m+c) q, R_(n+c) k> vs <R_m q, R_n k>", score(m + c, n + c), score(m, n),
                Tol{1e-5, 1e-5, "float32 dot product"});
  }
  // and it does depend on the difference: positions 0 and 3 are not positions 0 and 0
  if (std::abs(score(0, 3) - score(0, 0)) < 1e-4)
    FAIL_CHECK("<R_0 q, R_3 k> equals <q, k>: the rotation ignores the position");
}

ATTN_TEST("interleaved RoPE equals rotate-half RoPE after permuting columns", property, 2) {
  // rotate-half (GPT-NeoX) pairs column i with i + d/2; permuting the columns to [0, 2, 4, .., 1, 3, 5, ..]
  // puts interleaved pair (2i, 2i+1) at (i, i + d/2), so the two layouts agree up to that permutation
  const Index d = 12;
  const Mat X = random_mat(6, d);
  std::vector<Index> perm;
  for (Index j = 0; j < d; j += 2) perm.push_back(j);
  for (Index j = 1; j < d; j += 2) perm.push_back(j);
  const Mat got = apply_rope(X, 41);
  if (!expect_shape("apply_rope", got, 6, d)) return;
  const Mat got_perm = got(Eigen::all, perm), X_perm = X(Eigen::all, perm);
  const bool ok = check_close("apply_rope(X, 41) with permuted columns", got_perm,
                              rope_variant(X_perm, 41, 1e4, {.rotate_half = true}), kT1);
  if (!ok && close_quietly(got, rope_variant(X, 41, 1e4, {.rotate_half = true}), kT1))
    FAIL_CHECK("apply_rope uses the rotate-half layout itself: rotate columns (2i, 2i+1) together");
}

ATTN_TEST("weights above the diagonal are exactly 0", property, 2) {
  const Mat X = random_mat(8, 6), Wq = random_mat(6, 4), Wk = random_mat(6, 4), Wv = random_mat(6, 5);
  const Attention got = causal_self_attention_rope(X, Wq, Wk, Wv);
  if (!check_zero_where_masked("weights", got.weights, lower_triangle(8)))
    FAIL_CHECK("token t may attend to tokens 0..t only: weights(t, j) for j > t must be exactly 0");
}

ATTN_TEST("weight rows sum to 1", property, 1) {
  using namespace golden::attn_wide;
  const Attention got = causal_self_attention_rope(X, Wq, Wk, Wv, pos0);
  check_rows_sum_to("weights", got.weights);
}

ATTN_TEST("changing rows after t leaves output rows up to t unchanged", property, 2) {
  const Index n = 7;
  const Mat X = random_mat(n, 6), Wq = random_mat(6, 4), Wk = random_mat(6, 4), Wv = random_mat(6, 5);
  const Attention base = causal_self_attention_rope(X, Wq, Wk, Wv, 3);
  if (!expect_shape("output", base.output, n, 5)) return;
  for (const Index t : {0, 3, 5}) {
    CAPTURE(t);
    Mat X2 = X;
    X2.bottomRows(n - t - 1) = random_mat(n - t - 1, 6, 5.f);
    const Attention changed = causal_self_attention_rope(X2, Wq, Wk, Wv, 3);
    if (!check_close("output rows 0..t after changing later rows", changed.output.topRows(t + 1),
                     base.output.topRows(t + 1).cast<double>(), kT1)) {
      FAIL_CHECK("row t depends on tokens after t: the causal mask (keys j <= t only) is missing");
      return;
    }
  }
}

ATTN_TEST("shifting pos0 leaves the attention unchanged", property, 1) {
  const Mat X = random_mat(6, 8), Wq = random_mat(8, 6), Wk = random_mat(8, 6), Wv = random_mat(8, 4);
  const Attention at0 = causal_self_attention_rope(X, Wq, Wk, Wv, 0);
  const Attention at500 = causal_self_attention_rope(X, Wq, Wk, Wv, 500);
  check_close("weights with pos0 = 500 vs pos0 = 0", at500.weights, at0.weights.cast<double>(), kT1);
  check_close("output with pos0 = 500 vs pos0 = 0", at500.output, at0.output.cast<double>(), kT1);
}

ATTN_TEST("row 0 attends only to itself and equals V_0", edge, 1) {
  const Mat X = random_mat(5, 6), Wq = random_mat(6, 4), Wk = random_mat(6, 4), Wv = random_mat(6, 3);
  const Attention got = causal_self_attention_rope(X, Wq, Wk, Wv);
  if (!expect_shape("weights", got.weights, 5, 5) || !expect_shape("output", got.output, 5, 3)) return;
  MatD expected_w = MatD::Zero(1, 5);
  expected_w(0, 0) = 1;
  check_close("weights row 0", got.weights.row(0), expected_w, kT1);
  check_close("output row 0", got.output.row(0), MatD((X.row(0) * Wv).cast<double>()), kT1);
}

ATTN_TEST("empty input gives empty results", edge, 1) {
  const Mat X(0, 6), Wq = random_mat(6, 4), Wk = random_mat(6, 4), Wv = random_mat(6, 3);
  expect_shape("apply_rope of 0 rows", apply_rope(Mat(0, 8), 5), 0, 8);
  const Attention got = causal_self_attention_rope(X, Wq, Wk, Wv);
  expect_shape("output", got.output, 0, 3);
  expect_shape("weights", got.weights, 0, 0);
}

ATTN_TEST("NaN in later rows does not leak into earlier rows", edge, 2) {
  const Mat X = random_mat(6, 6), Wq = random_mat(6, 4), Wk = random_mat(6, 4), Wv = random_mat(6, 5);
  Mat X_bad = X;
  X_bad.row(4).setConstant(NAN);
  X_bad(5, 2) = 1e30f;
  const Attention clean = causal_self_attention_rope(X, Wq, Wk, Wv);
  const Attention dirty = causal_self_attention_rope(X_bad, Wq, Wk, Wv);
  if (!expect_shape("output", dirty.output, 6, 5)) return;
  if (!check_finite("output rows 0..3 with NaN in row 4", dirty.output.topRows(4)) ||
      !check_finite("weights rows 0..3 with NaN in row 4", dirty.weights.topRows(4))) {
    FAIL_CHECK(
        "future keys must not be read at all: 0 · NaN = NaN, so multiplying by a zero weight or "
        "adding a -inf mask to a NaN score still leaks");
    return;
  }
  check_close("output rows 0..3 with NaN in row 4", dirty.output.topRows(4),
              clean.output.topRows(4).cast<double>(), kT1);
}

ATTN_TEST("odd d throws std::invalid_argument", edge, 2) {
  CHECK_THROWS_AS(apply_rope(random_mat(3, 5)), std::invalid_argument);
  CHECK_THROWS_AS(apply_rope(random_mat(1, 1), 4), std::invalid_argument);
  const Mat X = random_mat(4, 6), Wv = random_mat(6, 2);
  CHECK_THROWS_AS(causal_self_attention_rope(X, random_mat(6, 3), random_mat(6, 3), Wv),
                  std::invalid_argument);
}

ATTN_TEST("mismatched shapes or a negative pos0 throw std::invalid_argument", edge, 1) {
  const Mat X = random_mat(4, 6), Wq = random_mat(6, 4), Wk = random_mat(6, 4), Wv = random_mat(6, 2);
  CHECK_THROWS_AS(causal_self_attention_rope(X, random_mat(5, 4), Wk, Wv), std::invalid_argument);
  CHECK_THROWS_AS(causal_self_attention_rope(X, Wq, random_mat(6, 6), Wv), std::invalid_argument);
  CHECK_THROWS_AS(causal_self_attention_rope(X, Wq, Wk, random_mat(7, 2)), std::invalid_argument);
  CHECK_THROWS_AS(causal_self_attention_rope(X, Wq, Wk, Wv, -1), std::invalid_argument);
  CHECK_THROWS_AS(apply_rope(random_mat(2, 4), -3), std::invalid_argument);
}

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

// Name the classic RoPE mistakes when a golden check of apply_rope fails.
void diagnose_rope(const Mat& got, const Mat& X, int pos0, float base) {
  auto matches = [&](const RopeVariant& v, double p) {
    return is_close(got, rope_variant(X, p, base, v), kT1);
  };
  if (is_close(got, X.cast<double>(), kT1)) FAIL_CHECK("the output equals the input: nothing was rotated");
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
    return is_close(got.output, attention_variant(X, Wq, Wk, Wv, pos0, v), kT2);
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

ATTN_TEST("apply_rope matches the complex-number golden at positions 0 to 4", numeric, 3) {
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

ATTN_TEST("apply_rope with base 500 from position 3 matches golden values", numeric, 2) {
  using namespace golden::rope_base;
  const Mat got = apply_rope(X, pos0, static_cast<float>(base));
  if (!check_close("apply_rope(X, 3, 500)", got, expected, kT1)) diagnose_rope(got, X, pos0, base);
}

ATTN_TEST("causal attention matches golden values", numeric, 3) {
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

ATTN_TEST("a 32-token causal attention stays within float32 tolerance", numeric, 2) {
  using namespace golden::attn_wide;
  const Attention got = causal_self_attention_rope(X, Wq, Wk, Wv, pos0);
  if (!check_close("output", got.output, output, kT1)) diagnose_attention(got, X, Wq, Wk, Wv, pos0);
}

ATTN_TEST("RoPE preserves the norm of every row", property, 1) {
  using namespace golden::rope_777;
  const Mat got = apply_rope(X, pos0);
  if (!check_close("apply_rope(X, 777)", got, expected, kT1)) {
    diagnose_rope(got, X, pos0, base);
    return;
  }
  // a rotation never changes a length: each pair keeps its norm, so each row does
  const Eigen::VectorXd norms = X.cast<double>().rowwise().norm(),
                        got_norms = got.cast<double>().rowwise().norm();
  check_close("row norms of apply_rope(X, 777)", got_norms, MatD(norms),
              Tol{2e-6, 1e-6, "norm (float32 rounding)"});
}

ATTN_TEST("RoPE leaves the row at position 0 unchanged", property, 1) {
  // rows 1.. are rotated (golden); row 0 is at position 0, where cos = 1 and sin = 0 exactly
  using namespace golden::rope_small;
  const Mat got = apply_rope(X, 0);
  if (!expect_shape("apply_rope(X, 0)", got, X.rows(), X.cols())) return;
  if (!check_close("apply_rope(X, 0).row(0)", got.row(0), MatD(X.row(0).cast<double>()), Tol{0, 0, "exact"}))
    FAIL_CHECK("at position 0 every angle is 0, cos = 1 and sin = 0: the first row must come back as it was");
  check_close("apply_rope(X, 0) rows 1..4", got.bottomRows(4), MatD(expected.bottomRows(4)), kT1);
}

ATTN_TEST("RoPE dot products depend only on the position difference", property, 2) {
  // golden dots come from the relative form Re Σ q_i conj(k_i) e^(i(m-n)θ_i): each (m, n) and (m+c, n+c)
  // must give the same number, and distance 3 is not distance 0
  using namespace golden::rope_dots;
  for (Index row = 0; row < m_n.rows(); ++row) {
    const int m = static_cast<int>(m_n(row, 0)), n = static_cast<int>(m_n(row, 1));
    CAPTURE(m);
    CAPTURE(n);
    const Mat rq = apply_rope(q, m), rk = apply_rope(k, n);
    if (!expect_shape("apply_rope(q, m)", rq, 1, q.cols()) ||
        !expect_shape("apply_rope(k, n)", rk, 1, k.cols()))
      return;
    if (!check_close("<R_m q, R_n k>", double(rq.row(0).dot(rk.row(0))), dots(row, 0),
                     Tol{1e-5, 1e-5, "float32 dot product"})) {
      FAIL_CHECK("the score of a query at m and a key at n must depend on m - n only, through e^(i(m-n)θ_i)");
      return;
    }
  }
}

ATTN_TEST("interleaved RoPE equals rotate-half RoPE after permuting columns", property, 2) {
  // rotate-half (GPT-NeoX) pairs column i with i + d/2; permuting the columns to [0, 2, 4, .., 1, 3, 5, ..]
  // puts interleaved pair (2i, 2i+1) at (i, i + d/2). The golden is torch's rotate_half of the permuted X.
  using namespace golden::rope_perm;
  const Index d = X.cols();
  std::vector<Index> perm;
  for (Index j = 0; j < d; j += 2) perm.push_back(j);
  for (Index j = 1; j < d; j += 2) perm.push_back(j);
  const Mat got = apply_rope(X, pos0);
  if (!expect_shape("apply_rope", got, X.rows(), d)) return;
  const Mat got_perm = got(Eigen::all, perm);
  const bool ok = check_close("apply_rope(X, 41) with permuted columns", got_perm, expected_permuted, kT1);
  if (!ok && is_close(got, rope_variant(X, pos0, 1e4, {.rotate_half = true}), kT1))
    FAIL_CHECK("apply_rope uses the rotate-half layout itself: rotate columns (2i, 2i+1) together");
}

ATTN_TEST("weights above the diagonal are exactly 0", property, 2) {
  using namespace golden::attn_wide;
  const Attention got = causal_self_attention_rope(X, Wq, Wk, Wv, pos0);
  if (!check_zero_where_masked("weights", got.weights, causal_mask(X.rows(), X.rows())))
    FAIL_CHECK("token t may attend to tokens 0..t only: weights(t, j) for j > t must be exactly 0");
  if (!check_close("weights", got.weights, weights, kT1)) diagnose_attention(got, X, Wq, Wk, Wv, pos0);
}

ATTN_TEST("weight rows sum to 1", property, 1) {
  using namespace golden::attn_pos;
  const Attention got = causal_self_attention_rope(X, Wq, Wk, Wv, pos0);
  if (!check_close("weights", got.weights, weights, kT1)) diagnose_attention(got, X, Wq, Wk, Wv, pos0);
  check_rows_sum_to("weights", got.weights);
}

ATTN_TEST("changing rows after t leaves output rows up to t unchanged", property, 2) {
  using namespace golden::attn_small;
  const Index n = X.rows();
  const Attention base = causal_self_attention_rope(X, Wq, Wk, Wv, pos0);
  if (!check_close("output", base.output, output, kT1)) {
    diagnose_attention(base, X, Wq, Wk, Wv, pos0);
    return;
  }
  for (const Index t : {0, 3, 4}) {
    CAPTURE(t);
    Mat X2 = X;
    X2.bottomRows(n - t - 1) = random_mat(n - t - 1, X.cols(), 5.f);
    const Attention changed = causal_self_attention_rope(X2, Wq, Wk, Wv, pos0);
    if (!expect_shape("output", changed.output, n, Wv.cols())) return;
    if (!check_close("output rows 0..t after changing later rows", changed.output.topRows(t + 1),
                     MatD(output.topRows(t + 1)), kT1)) {
      FAIL_CHECK("row t depends on tokens after t: the causal mask (keys j <= t only) is missing");
      return;
    }
  }
}

ATTN_TEST("shifting pos0 leaves the attention unchanged", property, 2) {
  // scores see only m - n, so the golden of pos0 = 0 holds at 500, and that of pos0 = 4096 holds at 0
  {
    using namespace golden::attn_small;
    const Attention at500 = causal_self_attention_rope(X, Wq, Wk, Wv, 500);
    check_close("weights with pos0 = 500 (golden at pos0 = 0)", at500.weights, weights, kT1);
    check_close("output with pos0 = 500 (golden at pos0 = 0)", at500.output, output, kT1);
  }
  {
    using namespace golden::attn_pos;
    const Attention at0 = causal_self_attention_rope(X, Wq, Wk, Wv, 0);
    check_close("weights with pos0 = 0 (golden at pos0 = 4096)", at0.weights, weights, kT1);
    check_close("output with pos0 = 0 (golden at pos0 = 4096)", at0.output, output, kT1);
  }
}

ATTN_TEST("row 0 attends only to itself and equal tokens differ by distance", edge, 1) {
  // README's worked example: tokens 0 and 1 have the same content; row 0 has only itself (weight 1, V_0),
  // row 1 scores itself at cos(0)/√2 and token 0 at cos(1)/√2
  using namespace golden::worked_example;
  const Attention got = causal_self_attention_rope(X, W, W, W);
  const bool ok =
      check_close("weights", got.weights, weights, kT1) & check_close("output", got.output, output, kT1);
  if (!ok) diagnose_attention(got, X, W, W, W, 0);
}

ATTN_TEST("sequences of 0 and 1 tokens", edge, 1) {
  const Mat Wq = random_mat(6, 4), Wk = random_mat(6, 4), Wv = random_mat(6, 3);
  expect_shape("apply_rope of 0 rows", apply_rope(Mat(0, 8), 5), 0, 8);
  const Attention empty = causal_self_attention_rope(Mat(0, 6), Wq, Wk, Wv);
  expect_shape("output of 0 tokens", empty.output, 0, 3);
  expect_shape("weights of 0 tokens", empty.weights, 0, 0);
  // one row at position 7 is still rotated by 7·θ_i
  using namespace golden::rope_one;
  const Mat got = apply_rope(X, pos0);
  if (!check_close("apply_rope of one row at position 7", got, expected, kT1))
    diagnose_rope(got, X, pos0, base);
}

ATTN_TEST("NaN in later rows does not leak into earlier rows", edge, 2) {
  using namespace golden::attn_small;
  Mat X_bad = X;
  X_bad.row(4).setConstant(NAN);
  X_bad(5, 2) = 1e30f;
  const Attention dirty = causal_self_attention_rope(X_bad, Wq, Wk, Wv, pos0);
  if (!expect_shape("output", dirty.output, X.rows(), Wv.cols()) ||
      !expect_shape("weights", dirty.weights, X.rows(), X.rows()))
    return;
  if (!check_finite("output rows 0..3 with NaN in row 4", dirty.output.topRows(4)) ||
      !check_finite("weights rows 0..3 with NaN in row 4", dirty.weights.topRows(4))) {
    FAIL_CHECK(
        "future keys must not be read at all: 0 · NaN = NaN, so multiplying by a zero weight or "
        "adding a -inf mask to a NaN score still leaks");
    return;
  }
  check_close("weights rows 0..3 with NaN in row 4", dirty.weights.topRows(4), MatD(weights.topRows(4)), kT1);
  check_close("output rows 0..3 with NaN in row 4", dirty.output.topRows(4), MatD(output.topRows(4)), kT1);
}

ATTN_TEST("odd d throws std::invalid_argument", edge, 1) {
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

ATTN_TEST("a base of 0 or below throws std::invalid_argument", edge, 1) {
  // base^(-2i/d) of 0 is inf and of a negative base NaN: the angles would poison every column
  CHECK_THROWS_AS(apply_rope(random_mat(3, 4), 0, 0.f), std::invalid_argument);
  CHECK_THROWS_AS(apply_rope(random_mat(3, 4), 2, -10000.f), std::invalid_argument);
  CHECK_THROWS_AS(apply_rope(random_mat(1, 8), 5, -0.f), std::invalid_argument);
}

// p01 sdpa_stable_softmax — graded tests. Golden values: tools/golden/p01.py (numpy, cross-checked with torch).
#include "sdpa_stable_softmax.h"

#include <attnkata/graded.h>

#include <cfloat>
#include <cmath>

#include "golden.inc"

using namespace attn;
using namespace attn::check;

namespace {

// Diagnosis only, never a golden value: softmax(scale * Q K^T) V in double without masks.
MatD unmasked_attention(const Mat& Q, const Mat& K, const Mat& V, double scale) {
  MatD S = scale * (Q.cast<double>() * K.cast<double>().transpose());
  for (Index i = 0; i < S.rows(); ++i) {
    S.row(i) = (S.row(i).array() - S.row(i).maxCoeff()).exp();
    S.row(i) /= S.row(i).sum();
  }
  return S * V.cast<double>();
}

bool close_quietly(const Mat& a, const MatD& e, Tol tol) {
  if (a.rows() != e.rows() || a.cols() != e.cols()) return false;
  return ((a.cast<double>() - e).array().abs() <= tol.atol + tol.rtol * e.array().abs()).all();
}

// Name the classic mistakes when a numeric check fails.
void diagnose(const Attention& got, const Mat& Q, const Mat& K, const Mat& V) {
  if (close_quietly(got.output, unmasked_attention(Q, K, V, 1.0), kT2))
    FAIL_CHECK("the output equals softmax(Q Kᵀ) V: the 1/sqrt(d_k) scale is missing");
  if (close_quietly(got.output, unmasked_attention(Q, K, V, 1.0 / Q.cols()), kT2))
    FAIL_CHECK("the output equals softmax(Q Kᵀ / d_k) V: scale by 1/sqrt(d_k), not 1/d_k");
  if (got.weights.rows() == Q.rows() && got.weights.cols() == K.rows() && got.weights.rows() > 1 &&
      (got.weights.colwise().sum().array() - 1).abs().maxCoeff() < 1e-4)
    FAIL_CHECK("the columns of weights sum to 1: the softmax runs over queries instead of keys");
}

Mat permutation_rows(const Mat& X, const std::vector<int>& order) {
  Mat out(X.rows(), X.cols());
  for (Index i = 0; i < X.rows(); ++i) out.row(i) = X.row(order[i]);
  return out;
}

}  // namespace

ATTN_TEST("output and weights have shapes n_q×d_v and n_q×n_k", shape, 1) {
  const Mat Q = Mat::Random(3, 4), K = Mat::Random(5, 4), V = Mat::Random(5, 2);
  const Attention got = scaled_dot_product_attention(Q, K, V);
  expect_shape("output", got.output, 3, 2);
  expect_shape("weights", got.weights, 3, 5);
}

ATTN_TEST("a single key gets weight 1 and its value row", shape, 1) {
  const Mat Q = Mat::Random(4, 3), K = Mat::Random(1, 3), V = Mat::Random(1, 6);
  const Attention got = scaled_dot_product_attention(Q, K, V);
  expect_shape("weights", got.weights, 4, 1);
  check_close("weights", got.weights, MatD::Ones(4, 1), kT1);
  check_close("output", got.output, V.cast<double>().replicate(4, 1), kT1);
}

ATTN_TEST("worked example from the statement (Deep-ML self-attention)", numeric, 1) {
  // X = I, Wq = Wk = I, Wv = [[1, 2], [3, 4]]: Q = K = I, V = Wv
  const Mat Q = Mat::Identity(2, 2), K = Mat::Identity(2, 2);
  Mat V(2, 2);
  V << 1, 2, 3, 4;
  MatD expected(2, 2);
  expected << 1.6604769, 2.6604769, 2.3395231, 3.3395231;
  const Attention got = scaled_dot_product_attention(Q, K, V);
  check_close("output", got.output, expected, Tol{1e-6, 1e-6, "1e-6 (values given to 8 digits)"});
}

ATTN_TEST("random cross-attention matches golden values", numeric, 2) {
  using namespace golden::random;
  const Attention got = scaled_dot_product_attention(Q, K, V);
  const bool ok = check_close("weights", got.weights, weights, kT1) & check_close("output", got.output, output, kT1);
  if (!ok) diagnose(got, Q, K, V);
}

ATTN_TEST("masked attention matches golden values", numeric, 2) {
  using namespace golden::masked;
  const Attention got = scaled_dot_product_attention(Q, K, V, keep);
  check_close("weights", got.weights, weights, kT1);
  check_close("output", got.output, output, kT1);
}

ATTN_TEST("an explicit scale replaces 1/sqrt(d_k)", numeric, 1) {
  using namespace golden::scaled;
  const Attention got = scaled_dot_product_attention(Q, K, V, std::nullopt, scale);
  check_close("weights", got.weights, weights, kT1);
  check_close("output", got.output, output, kT1);
}

ATTN_TEST("a 32×32 case stays within float32 tolerance", numeric, 1) {
  using namespace golden::wide;
  const Attention got = scaled_dot_product_attention(Q, K, V);
  if (!check_close("output", got.output, output, kT1)) diagnose(got, Q, K, V);
}

ATTN_TEST("softmax_rows matches golden values with a mask", numeric, 2) {
  using namespace golden::softmax;
  check_close("softmax_rows(scores, keep)", softmax_rows(scores, keep), expected, kT1);
}

ATTN_TEST("weight rows sum to 1", property, 1) {
  using namespace golden::wide;
  const Attention got = scaled_dot_product_attention(Q, K, V);
  check_rows_sum_to("weights", got.weights);
}

ATTN_TEST("weights of masked keys are exactly 0", property, 2) {
  using namespace golden::masked;
  const Attention got = scaled_dot_product_attention(Q, K, V, keep);
  check_zero_where_masked("weights", got.weights, keep);
  check_zero_where_masked("softmax_rows", softmax_rows(Q * K.transpose(), keep), keep);
  // a larger causal mask, long enough for vectorised code paths
  const Mat X = Mat::Random(40, 8);
  Mask causal(40, 40);
  for (Index i = 0; i < 40; ++i)
    for (Index j = 0; j < 40; ++j) causal(i, j) = j <= i;
  check_zero_where_masked("causal weights", scaled_dot_product_attention(X, X, X, causal).weights, causal);
}

ATTN_TEST("masked keys and values do not leak (even NaN or 1e30)", property, 2) {
  using namespace golden::masked;
  // key 6 is masked for every query; fill its K and V rows with poison
  Mask keep6 = keep;
  keep6.col(6).setConstant(false);
  Mat K_bad = K, V_bad = V;
  K_bad.row(6).setConstant(NAN);
  V_bad.row(6).setConstant(1e30f);
  V_bad(6, 0) = NAN;
  const Attention clean = scaled_dot_product_attention(Q, K, V, keep6);
  const Attention dirty = scaled_dot_product_attention(Q, K_bad, V_bad, keep6);
  if (check_finite("output with poisoned masked rows", dirty.output))
    check_close("output with poisoned masked rows", dirty.output, clean.output.cast<double>(), kT1);
  check_finite("weights with poisoned masked rows", dirty.weights);
}

ATTN_TEST("adding a constant to every score of a row changes nothing", property, 1) {
  using namespace golden::softmax;
  const Mat base = softmax_rows(scores, keep);
  for (const float c : {1e3f, -1e3f}) {
    CAPTURE(c);
    const Mat shifted = softmax_rows((scores.array() + c).matrix(), keep);
    check_close("softmax_rows(scores + c)", shifted, base.cast<double>(), Tol{1e-4, 1e-6, "shift"});
  }
}

ATTN_TEST("permuting the queries permutes the output rows", property, 1) {
  using namespace golden::random;
  const std::vector<int> order{2, 0, 3, 1};
  const Attention got = scaled_dot_product_attention(Q, K, V);
  const Attention perm = scaled_dot_product_attention(permutation_rows(Q, order), K, V);
  check_close("output of permuted queries", perm.output, permutation_rows(got.output, order).cast<double>(),
              kT1);
}

ATTN_TEST("permuting keys and values together changes nothing", property, 1) {
  using namespace golden::random;
  const std::vector<int> order{5, 3, 0, 4, 1, 2};
  const Attention got = scaled_dot_product_attention(Q, K, V);
  const Attention perm =
      scaled_dot_product_attention(Q, permutation_rows(K, order), permutation_rows(V, order));
  check_close("output with permuted keys", perm.output, got.output.cast<double>(), kT1);
}

ATTN_TEST("scale 0 gives the mean of the allowed values", property, 1) {
  using namespace golden::masked;
  const Attention got = scaled_dot_product_attention(Q, K, V, keep, 0.f);
  MatD expected = MatD::Zero(Q.rows(), V.cols());
  for (Index i = 0; i < Q.rows(); ++i) {
    int n = 0;
    for (Index j = 0; j < K.rows(); ++j)
      if (keep(i, j)) expected.row(i) += V.row(j).cast<double>(), ++n;
    if (n) expected.row(i) /= n;
  }
  check_close("output with scale 0", got.output, expected, kT1);
}

ATTN_TEST("softmax of [1e4 1e4-1 -1e4] is stable", edge, 2) {
  Mat scores(1, 3);
  scores << 1e4f, 1e4f - 1, -1e4f;
  MatD expected(1, 3);
  expected << 0.7310585786300049, 0.2689414213699951, 0.0;
  const Mat got = softmax_rows(scores);
  if (check_finite("softmax_rows", got)) check_close("softmax_rows", got, expected, kT1);
  else FAIL_CHECK("exp(1e4) overflows float32: subtract the row maximum before exponentiating");
}

ATTN_TEST("softmax of ±FLT_MAX stays finite", edge, 1) {
  Mat scores(1, 2);
  scores << FLT_MAX, -FLT_MAX;
  const Mat got = softmax_rows(scores);
  if (check_finite("softmax_rows", got)) check_close("softmax_rows", got, MatD{{1.0, 0.0}}, kT1);
}

ATTN_TEST("a fully masked row gives zero weights and a zero output", edge, 2) {
  using namespace golden::masked;  // row 2 of keep is all false
  const Attention got = scaled_dot_product_attention(Q, K, V, keep);
  if (!check_finite("weights", got.weights) || !check_finite("output", got.output)) {
    FAIL_CHECK("a row with no allowed key must give zeros, not exp(-inf - -inf) = NaN");
    return;
  }
  check_close("weights row 2", got.weights.row(2), MatD::Zero(1, K.rows()), Tol{0, 0, "exact"});
  check_close("output row 2", got.output.row(2), MatD::Zero(1, V.cols()), Tol{0, 0, "exact"});
}

ATTN_TEST("mismatched shapes throw std::invalid_argument", edge, 2) {
  const Mat Q = Mat::Random(3, 4), K = Mat::Random(5, 4), V = Mat::Random(5, 2);
  CHECK_THROWS_AS(scaled_dot_product_attention(Q, Mat::Random(5, 3), V), std::invalid_argument);
  CHECK_THROWS_AS(scaled_dot_product_attention(Q, K, Mat::Random(4, 2)), std::invalid_argument);
  CHECK_THROWS_AS(scaled_dot_product_attention(Q, K, V, Mask::Constant(5, 3, true)), std::invalid_argument);
  CHECK_THROWS_AS(softmax_rows(Mat::Random(2, 3), Mask::Constant(3, 2, true)), std::invalid_argument);
}

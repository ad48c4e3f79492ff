// p01 sdpa_stable_softmax — graded tests. Golden values: tools/golden/p01.py (numpy, checked with torch).
// Every numeric, property and edge test (argument checks aside) compares with golden or independently
// computed numbers, so returning zeros or uniform weights earns only the shape and argument points.
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

// Name the classic mistakes when a numeric check fails.
void diagnose(const Attention& got, const Mat& Q, const Mat& K, const Mat& V) {
  if (is_close(got.output, unmasked_attention(Q, K, V, 1.0)))
    FAIL_CHECK("the output equals softmax(Q Kᵀ) V: the 1/sqrt(d_k) scale is missing");
  if (is_close(got.output, unmasked_attention(Q, K, V, 1.0 / Q.cols())))
    FAIL_CHECK("the output equals softmax(Q Kᵀ / d_k) V: scale by 1/sqrt(d_k), not 1/d_k");
  if (got.weights.rows() == Q.rows() && got.weights.cols() == K.rows() && got.weights.rows() > 1 &&
      (got.weights.colwise().sum().array() - 1).abs().maxCoeff() < 1e-4 &&
      (got.weights.rowwise().sum().array() - 1).abs().maxCoeff() > 1e-4)  // not also a row softmax
    FAIL_CHECK("the columns of weights sum to 1: the softmax runs over queries instead of keys");
}

// weights and output against golden values; names a classic mistake when they differ.
bool check_attention(const Attention& got, const MatD& weights, const MatD& output, const Mat& Q,
                     const Mat& K, const Mat& V) {
  const bool ok =
      check_close("weights", got.weights, weights, kT1) & check_close("output", got.output, output, kT1);
  if (!ok) diagnose(got, Q, K, V);
  return ok;
}

// out(:, j) = X(:, order[j]): permuting keys permutes the columns of the weights.
MatD cols_in_order(const MatD& X, const std::vector<int>& order) {
  return rows_in_order(MatD(X.transpose()), order).transpose();
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

ATTN_TEST("worked example from the statement (Deep-ML self-attention)", numeric, 2) {
  // X = I, Wq = Wk = I, Wv = [[1, 2], [3, 4]]: Q = K = I, V = Wv
  const Mat Q = Mat::Identity(2, 2), K = Mat::Identity(2, 2);
  Mat V(2, 2);
  V << 1, 2, 3, 4;
  const Tol tol{1e-6, 1e-6, "1e-6 (values given to 8 digits)"};
  const double a = 0.6697615, b = 0.3302385;  // softmax(1/√2, 0)
  const Attention got = scaled_dot_product_attention(Q, K, V);
  check_close("weights", got.weights, MatD{{a, b}, {b, a}}, tol);
  if (!check_close("output", got.output, MatD{{1.6604769, 2.6604769}, {2.3395231, 3.3395231}}, tol))
    diagnose(got, Q, K, V);
}

ATTN_TEST("random cross-attention matches golden values", numeric, 2) {
  using namespace golden::random;
  check_attention(scaled_dot_product_attention(Q, K, V), weights, output, Q, K, V);
}

ATTN_TEST("masked attention matches golden values", numeric, 2) {
  using namespace golden::masked;
  const Attention got = scaled_dot_product_attention(Q, K, V, keep);
  check_close("weights", got.weights, weights, kT1);
  check_close("output", got.output, output, kT1);
}

ATTN_TEST("an explicit scale replaces 1/sqrt(d_k)", numeric, 2) {
  using namespace golden::scaled;
  const Attention got = scaled_dot_product_attention(Q, K, V, std::nullopt, scale);
  const bool ok =
      check_close("weights", got.weights, weights, kT1) & check_close("output", got.output, output, kT1);
  if (!ok && is_close(got.output, unmasked_attention(Q, K, V, 1.0 / std::sqrt(double(Q.cols())))))
    FAIL_CHECK("the output uses 1/sqrt(d_k): a given scale replaces it");
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
  if (check_close("weights", got.weights, weights, kT1)) check_rows_sum_to("weights", got.weights);
  // with a mask: allowed weights sum to 1 (row 3 of golden::softmax has none and stays all 0)
  const Mat masked = softmax_rows(golden::softmax::scores, golden::softmax::keep);
  if (check_close("softmax_rows(scores, keep)", masked, golden::softmax::expected, kT1))
    check_rows_sum_to("softmax_rows rows 0 to 2", masked.topRows(3));
}

ATTN_TEST("weights of masked keys are exactly 0", property, 2) {
  {
    using namespace golden::masked;
    const Attention got = scaled_dot_product_attention(Q, K, V, keep);
    if (check_close("weights", got.weights, weights, kT1))
      check_zero_where_masked("weights", got.weights, keep);
  }
  {
    using namespace golden::softmax;
    const Mat got = softmax_rows(scores, keep);
    if (check_close("softmax_rows", got, expected, kT1)) check_zero_where_masked("softmax_rows", got, keep);
  }
  // a causal mask over 33 positions, long enough for vectorised exp (which gives 2.9e-39 for -inf, not 0)
  using namespace golden::causal;
  REQUIRE((keep == causal_mask(33, 33)).all());
  const Attention got = scaled_dot_product_attention(Q, K, V, keep);
  if (check_close("causal weights", got.weights, weights, kT1))
    check_zero_where_masked("causal weights", got.weights, keep);
  check_close("causal output", got.output, output, kT1);
}

ATTN_TEST("masked keys and values do not leak (even NaN or 1e30)", property, 3) {
  {
    using namespace golden::leak;  // keys 2 and 5 are masked for every query: poison their K and V rows
    Mat K_bad = K, V_bad = V;
    for (const Index j : {2, 5}) {
      REQUIRE_FALSE(keep.col(j).any());
      V_bad.row(j).setConstant(1e30f);
      V_bad(j, 0) = NAN;
    }
    K_bad.row(2).setConstant(1e30f);  // a huge masked score must stay out of the row maximum
    K_bad.row(5).setConstant(NAN);
    const Attention got = scaled_dot_product_attention(Q, K_bad, V_bad, keep);
    if (!check_finite("output with poisoned masked rows", got.output))
      FAIL_CHECK("a masked key's V row reached the output: 0 · NaN = NaN, so sum over the allowed keys only");
    else
      check_close("output with poisoned masked rows", got.output, output, kT1);
    if (check_finite("weights with poisoned masked rows", got.weights))
      check_close("weights with poisoned masked rows", got.weights, weights, kT1);
  }
  // softmax_rows: masked scores of NaN, +inf or 1e30 are never read
  using namespace golden::softmax;
  Mat poisoned = scores;
  const float poison[] = {NAN, INFINITY, 1e30f};
  int k = 0;
  for (Index i = 0; i < scores.rows(); ++i)
    for (Index j = 0; j < scores.cols(); ++j)
      if (!keep(i, j)) poisoned(i, j) = poison[k++ % 3];
  const Mat got = softmax_rows(poisoned, keep);
  if (!check_close("softmax_rows with poisoned masked scores", got, expected, kT1))
    FAIL_CHECK("masked scores must stay out of the row maximum and the sum: they may hold anything");
}

ATTN_TEST("adding a constant to every score of a row changes nothing", property, 1) {
  using namespace golden::softmax;
  if (!check_close("softmax_rows(scores)", softmax_rows(scores, keep), expected, kT1)) return;
  for (const float c : {1e3f, -1e3f}) {
    CAPTURE(c);
    const Mat shifted = softmax_rows((scores.array() + c).matrix(), keep);
    check_close("softmax_rows(scores + c)", shifted, expected, Tol{1e-4, 1e-6, "shift"});
  }
}

ATTN_TEST("permuting the queries permutes the output rows", property, 1) {
  using namespace golden::random;
  const std::vector<int> order{2, 0, 3, 1};
  if (!check_attention(scaled_dot_product_attention(Q, K, V), weights, output, Q, K, V)) return;
  const Attention perm = scaled_dot_product_attention(rows_in_order(Q, order), K, V);
  check_close("weights of permuted queries", perm.weights, rows_in_order(weights, order), kT1);
  check_close("output of permuted queries", perm.output, rows_in_order(output, order), kT1);
}

ATTN_TEST("permuting keys and values together changes nothing", property, 1) {
  using namespace golden::random;
  const std::vector<int> order{5, 3, 0, 4, 1, 2};
  if (!check_attention(scaled_dot_product_attention(Q, K, V), weights, output, Q, K, V)) return;
  const Attention perm = scaled_dot_product_attention(Q, rows_in_order(K, order), rows_in_order(V, order));
  check_close("weights with permuted keys", perm.weights, cols_in_order(weights, order), kT1);
  check_close("output with permuted keys", perm.output, output, kT1);
}

ATTN_TEST("scale 0 gives the mean of the allowed values", property, 2) {
  // first a given non-zero scale (golden), then 0: every allowed score is 0, so the weights are uniform
  {
    using namespace golden::scaled;
    const Attention got = scaled_dot_product_attention(Q, K, V, std::nullopt, scale);
    if (!check_close("output with scale 0.25", got.output, output, kT1)) return;
  }
  using namespace golden::masked;
  const Attention got = scaled_dot_product_attention(Q, K, V, keep, 0.f);
  MatD expected = MatD::Zero(Q.rows(), V.cols());
  for (Index i = 0; i < Q.rows(); ++i) {
    int n = 0;
    for (Index j = 0; j < K.rows(); ++j)
      if (keep(i, j)) expected.row(i) += V.row(j).cast<double>(), ++n;
    if (n) expected.row(i) /= n;
  }
  if (!check_close("output with scale 0", got.output, expected, kT1) && is_close(got.output, output))
    FAIL_CHECK("scale 0 was treated as no scale: 0 is a value, and it makes every score 0");
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
  const Tol exact{0, 0, "exact"};
  {
    using namespace golden::masked;  // row 2 of keep is all false; the other rows are golden
    const Attention got = scaled_dot_product_attention(Q, K, V, keep);
    if (!check_finite("weights", got.weights) || !check_finite("output", got.output)) {
      FAIL_CHECK("a row with no allowed key must give zeros, not exp(-inf - -inf) = NaN");
      return;
    }
    check_close("weights", got.weights, weights, kT1);
    check_close("output", got.output, output, kT1);
    check_close("weights row 2", got.weights.row(2), MatD::Zero(1, K.rows()), exact);
    check_close("output row 2", got.output.row(2), MatD::Zero(1, V.cols()), exact);
  }
  // every key masked, and their K and V rows NaN: nothing is read, everything is 0
  const Mat Q = Mat::Random(2, 3), K = Mat::Constant(4, 3, NAN), V = Mat::Constant(4, 2, NAN);
  const Attention none = scaled_dot_product_attention(Q, K, V, Mask::Constant(2, 4, false));
  check_close("weights with every key masked", none.weights, MatD::Zero(2, 4), exact);
  check_close("output with every key masked", none.output, MatD::Zero(2, 2), exact);
  // no keys at all (n_k = 0): every row is fully masked
  const Attention empty = scaled_dot_product_attention(Q, Mat(0, 3), Mat(0, 2));
  expect_shape("weights with n_k = 0", empty.weights, 2, 0);
  check_close("output with n_k = 0", empty.output, MatD::Zero(2, 2), exact);
}

ATTN_TEST("mismatched shapes throw std::invalid_argument", edge, 2) {
  const Mat Q = Mat::Random(3, 4), K = Mat::Random(5, 4), V = Mat::Random(5, 2);
  CHECK_THROWS_AS(scaled_dot_product_attention(Q, Mat::Random(5, 3), V), std::invalid_argument);
  CHECK_THROWS_AS(scaled_dot_product_attention(Q, K, Mat::Random(4, 2)), std::invalid_argument);
  CHECK_THROWS_AS(scaled_dot_product_attention(Q, K, V, Mask::Constant(5, 3, true)), std::invalid_argument);
  CHECK_THROWS_AS(scaled_dot_product_attention(Q, K, V, Mask::Constant(3, 4, true)), std::invalid_argument);
  CHECK_THROWS_AS(softmax_rows(Mat::Random(2, 3), Mask::Constant(3, 2, true)), std::invalid_argument);
}

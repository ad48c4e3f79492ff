// p02 han_attention_pooling — graded tests. Golden values: tools/golden/p02.py (numpy, checked with torch).
#include <attnkata/graded.h>

#include <cmath>
#include <vector>

#include "golden.inc"
#include "han_attention_pooling.h"

using namespace attn;
using namespace attn::check;

namespace {

// The golden files store b as a (1, a) matrix and u_w as an (a, 1) column.
Pooled pool(const Mat& H, const Mat& W, const Mat& b, const Mat& u_w, int length) {
  return han_attention_pool(H, W, b.row(0), u_w.col(0), length);
}

Mask valid_mask(Index T, int length) {
  Mask keep(T, 1);
  for (Index t = 0; t < T; ++t) keep(t, 0) = t < length;
  return keep;
}

// A wrong variant of the pooling, in double, for diagnosis only (never a golden value).
struct Variant {
  int rows;          // how many rows the softmax and the sum run over
  bool tanh = true;  // apply tanh to h W + b
  bool bias = true;  // add b
};

MatD pooled_variant(const Mat& H, const Mat& W, const Mat& b, const Mat& u_w, Variant v) {
  const MatD Hd = H.topRows(v.rows).cast<double>();
  MatD hidden = Hd * W.cast<double>();
  if (v.bias) hidden.rowwise() += b.cast<double>().row(0);
  if (v.tanh) hidden = hidden.array().tanh().matrix();
  Eigen::VectorXd e = hidden * u_w.cast<double>().col(0);
  e = (e.array() - e.maxCoeff()).exp().matrix();
  e /= e.sum();
  return e.transpose() * Hd;
}

// The seed's attention_Mechanism: softmax of the raw features over time, one distribution per channel.
MatD seed_pooling(const Mat& H, int length) {
  const MatD Hd = H.topRows(length).cast<double>();
  MatD s(1, Hd.cols());
  for (Index j = 0; j < Hd.cols(); ++j) {
    const Eigen::ArrayXd p = (Hd.col(j).array() - Hd.col(j).maxCoeff()).exp();
    s(0, j) = (p * Hd.col(j).array()).sum() / p.sum();
  }
  return s;
}

bool close_quietly(const Mat& a, const MatD& e) {
  if (a.rows() != e.rows() || a.cols() != e.cols()) return false;
  return ((a.cast<double>() - e).array().abs() <= kT2.atol + kT2.rtol * e.array().abs()).all();
}

// Name the classic mistakes when a golden comparison fails.
void diagnose(const Pooled& got, const Mat& H, const Mat& W, const Mat& b, const Mat& u_w, int length) {
  const int T = static_cast<int>(H.rows());
  if (!got.vector.allFinite()) {
    FAIL_CHECK(
        "the vector is not finite: exp(e) overflows float32 beyond e ≈ 88; subtract the max score first");
    return;
  }
  if (length < T && close_quietly(got.vector, pooled_variant(H, W, b, u_w, {T})))
    FAIL_CHECK("the vector equals pooling over all T rows: the softmax and the sum must skip the padding");
  if (close_quietly(got.vector, pooled_variant(H, W, b, u_w, {length, false})))
    FAIL_CHECK("the vector equals pooling with scores (h W + b) · u_w: tanh is missing");
  if (close_quietly(got.vector, pooled_variant(H, W, b, u_w, {length, true, false})))
    FAIL_CHECK("the vector equals pooling with scores tanh(h W) · u_w: the bias b is missing");
  if (close_quietly(got.vector, seed_pooling(H, length)))
    FAIL_CHECK(
        "the vector is the seed's softmax of the raw features over time, one per channel: "
        "score each token with u_w · tanh(h W + b) instead");
  if (close_quietly(got.vector, H.topRows(length).cast<double>().colwise().mean()))
    FAIL_CHECK("the vector is the plain mean of the valid rows: the scores are not used");
  if (got.weights.size() == T && got.weights.allFinite() &&
      std::abs(got.weights.cast<double>().sum() - 1) > 1e-3)
    FAIL_CHECK("the weights of the valid tokens do not sum to 1: divide exp(e_t - max) by their sum");
}

bool check_pooled(const Pooled& got, const MatD& vector, const MatD& weights) {
  const bool ok_w = check_close("weights", got.weights, weights, kT1);
  const bool ok_v = check_close("vector", got.vector, vector, kT1);
  return ok_w && ok_v;
}

std::vector<int> reversed_prefix(int length, int T) {
  std::vector<int> order(T);
  for (int t = 0; t < T; ++t) order[t] = t < length ? length - 1 - t : t;
  return order;
}

}  // namespace

ATTN_TEST("vector is 1×d and weights has one entry per row of H", shape, 1) {
  const Mat H = Mat::Random(6, 3), W = Mat::Random(3, 4);
  const RowVec b = RowVec::Random(4);
  const Vec u_w = Vec::Random(4);
  for (const int length : {6, 4}) {
    CAPTURE(length);
    const Pooled got = han_attention_pool(H, W, b, u_w, length);
    expect_shape("vector", got.vector, 1, 3);
    if (got.weights.size() == length && length < 6)
      FAIL_CHECK("weights has `length` entries: it must have T = H.rows(), the padded ones exactly 0");
    expect_shape("weights", got.weights, 6, 1);
  }
}

ATTN_TEST("W is d×a with d ≠ a (no transpose)", shape, 1) {
  const Mat H = Mat::Random(5, 2), W = Mat::Random(2, 7);
  const RowVec b = RowVec::Random(7);
  const Vec u_w = Vec::Random(7);
  const Pooled got = han_attention_pool(H, W, b, u_w, 5);
  expect_shape("vector", got.vector, 1, 2);
  expect_shape("weights", got.weights, 5, 1);
}

ATTN_TEST("worked example from the statement", numeric, 1) {
  // tokens [1 0], [0 1], [1 1] and one padded row [9 9]; W = I, b = 0, u_w = [1 1]
  Mat H(4, 2);
  H << 1, 0, 0, 1, 1, 1, 9, 9;
  const Pooled got = han_attention_pool(H, Mat::Identity(2, 2), RowVec::Zero(2), Vec::Ones(2), 3);
  const Tol tol{1e-6, 1e-6, "1e-6 (values given to 10 digits)"};
  check_close("weights", got.weights, MatD{{0.2414474669}, {0.2414474669}, {0.5171050663}, {0.0}}, tol);
  if (!check_close("vector", got.vector, MatD{{0.7585525331, 0.7585525331}}, tol) &&
      close_quietly(got.vector, MatD{{4.5038967005, 4.5038967005}}))
    FAIL_CHECK("the vector is [4.5039 4.5039]: the padded row [9 9] took part in the softmax and the sum");
}

ATTN_TEST("full-length case matches golden values", numeric, 2) {
  using namespace golden::full;
  const Pooled got = pool(H, W, b, u_w, length);
  if (!check_pooled(got, vector, weights)) diagnose(got, H, W, b, u_w, length);
}

ATTN_TEST("padded case matches golden values", numeric, 2) {
  using namespace golden::padded;
  const Pooled got = pool(H, W, b, u_w, length);
  if (!check_pooled(got, vector, weights)) diagnose(got, H, W, b, u_w, length);
}

ATTN_TEST("scores above 100 match golden values", numeric, 2) {
  using namespace golden::peaked;
  const Pooled got = pool(H, W, b, u_w, length);
  if (!check_pooled(got, vector, weights)) diagnose(got, H, W, b, u_w, length);
}

ATTN_TEST("seed-sized case (T = 50 and d = 64) matches golden values", numeric, 1) {
  using namespace golden::seed_sized;
  const Pooled got = pool(H, W, b, u_w, length);
  if (!check_pooled(got, vector, weights)) diagnose(got, H, W, b, u_w, length);
}

ATTN_TEST("weights of the valid tokens sum to 1", property, 1) {
  for (const bool peaked : {false, true}) {
    CAPTURE(peaked);
    const Pooled got = peaked ? pool(golden::peaked::H, golden::peaked::W, golden::peaked::b,
                                     golden::peaked::u_w, golden::peaked::length)
                              : pool(golden::seed_sized::H, golden::seed_sized::W, golden::seed_sized::b,
                                     golden::seed_sized::u_w, golden::seed_sized::length);
    if (check_finite("weights", got.weights))
      check_rows_sum_to("weights", got.weights.transpose());
    else if (peaked)
      FAIL_CHECK("exp(e) overflows float32 beyond e ≈ 88: subtract the max score first");
  }
}

ATTN_TEST("weights of padded tokens are exactly 0", property, 2) {
  using namespace golden::padded;
  const Pooled got = pool(H, W, b, u_w, length);
  if (!expect_shape("weights", got.weights, H.rows(), 1)) return;
  if (!check_zero_where_masked("weights", got.weights, valid_mask(H.rows(), length)))
    FAIL_CHECK("padded tokens must not take part in the softmax: run it over rows [0, length) only");
}

ATTN_TEST("padded rows holding NaN or 1e30 do not change the result", property, 2) {
  using namespace golden::padded;
  Mat H_bad = H;
  H_bad.bottomRows(H.rows() - length).setConstant(NAN);
  H_bad(length, 0) = 1e30f;
  H_bad(H.rows() - 1, 1) = -1e30f;
  const Pooled clean = pool(H, W, b, u_w, length);
  const Pooled dirty = pool(H_bad, W, b, u_w, length);
  const bool finite = check_finite("vector with poisoned padding", dirty.vector) &
                      check_finite("weights with poisoned padding", dirty.weights);
  if (!finite) {
    FAIL_CHECK("padding leaked: 0 * NaN is NaN, so padded rows must be skipped, not multiplied by weight 0");
    return;
  }
  check_close("vector with poisoned padding", dirty.vector, clean.vector.cast<double>(), kT1);
  check_close("weights with poisoned padding", dirty.weights, clean.weights.cast<double>(), kT1);
}

ATTN_TEST("u_w = 0 gives the mean of the valid rows", property, 1) {
  using namespace golden::padded;
  const Pooled got = han_attention_pool(H, W, b.row(0), Vec::Zero(W.cols()), length);
  const MatD mean = H.topRows(length).cast<double>().colwise().mean();
  MatD uniform = MatD::Zero(H.rows(), 1);
  uniform.topRows(length).setConstant(1.0 / length);
  check_close("weights with u_w = 0", got.weights, uniform, kT1);
  check_close("vector with u_w = 0", got.vector, mean, kT1);
}

ATTN_TEST("permuting the valid tokens permutes the weights and keeps the vector", property, 1) {
  using namespace golden::padded;
  const std::vector<int> order = reversed_prefix(length, static_cast<int>(H.rows()));
  Mat H_perm(H.rows(), H.cols());
  for (Index t = 0; t < H.rows(); ++t) H_perm.row(t) = H.row(order[t]);
  const Pooled got = pool(H, W, b, u_w, length);
  const Pooled perm = pool(H_perm, W, b, u_w, length);
  if (!expect_shape("weights", perm.weights, H.rows(), 1) ||
      !expect_shape("weights", got.weights, H.rows(), 1))
    return;
  MatD weights_perm(H.rows(), 1);
  for (Index t = 0; t < H.rows(); ++t) weights_perm(t, 0) = got.weights(order[t]);
  check_close("weights of permuted tokens", perm.weights, weights_perm, kT1);
  check_close("vector of permuted tokens", perm.vector, got.vector.cast<double>(), kT1);
}

ATTN_TEST("the vector lies between the smallest and largest valid rows", property, 1) {
  using namespace golden::peaked;  // a convex combination of the valid rows, whatever the scores
  const Pooled got = pool(H, W, b, u_w, length);
  if (!check_finite("vector", got.vector)) {
    FAIL_CHECK(
        "scores here exceed 100 and exp(e) overflows float32 beyond e ≈ 88: subtract the max score first");
    return;
  }
  const RowVec lo = H.topRows(length).colwise().minCoeff(), hi = H.topRows(length).colwise().maxCoeff();
  for (Index j = 0; j < H.cols(); ++j)
    if (!(got.vector(j) >= lo(j) - 1e-5f && got.vector(j) <= hi(j) + 1e-5f)) {
      FAIL_CHECK("vector(" << j << ") = " << num(got.vector(j)) << " lies outside [" << num(lo(j)) << ", "
                           << num(hi(j)) << "]: the weights must be non-negative and sum to 1");
      return;
    }
}

ATTN_TEST("length = 1 gives the first row with weight 1", edge, 1) {
  using namespace golden::padded;
  const Pooled got = pool(H, W, b, u_w, 1);
  MatD one_hot = MatD::Zero(H.rows(), 1);
  one_hot(0, 0) = 1;
  check_close("weights with length 1", got.weights, one_hot, kT1);
  check_close("vector with length 1", got.vector, H.topRows(1).cast<double>(), kT1);
}

ATTN_TEST("length = 0 gives a zero vector and zero weights", edge, 2) {
  using namespace golden::padded;
  const Pooled got = pool(H, W, b, u_w, 0);
  if (!check_finite("vector", got.vector) || !check_finite("weights", got.weights)) {
    FAIL_CHECK("with no valid token the softmax is 0/0: return zeros before normalising");
    return;
  }
  const Tol exact{0, 0, "exact"};
  check_close("vector with length 0", got.vector, MatD::Zero(1, H.cols()), exact);
  check_close("weights with length 0", got.weights, MatD::Zero(H.rows(), 1), exact);
  // an empty sequence: H is 0×d
  const Pooled empty = pool(Mat(0, H.cols()), W, b, u_w, 0);
  check_close("vector of an empty H", empty.vector, MatD::Zero(1, H.cols()), exact);
  expect_shape("weights of an empty H", empty.weights, 0, 1);
}

ATTN_TEST("length > T or length < 0 throws std::invalid_argument", edge, 1) {
  using namespace golden::padded;
  CHECK_THROWS_AS(pool(H, W, b, u_w, static_cast<int>(H.rows()) + 1), std::invalid_argument);
  CHECK_THROWS_AS(pool(H, W, b, u_w, -1), std::invalid_argument);
}

ATTN_TEST("mismatched W or b or u_w throws std::invalid_argument", edge, 2) {
  using namespace golden::padded;  // H (9, 8), W (8, 6), b (1, 6), u_w (6,)
  const RowVec b_row = b.row(0);
  const Vec u = u_w.col(0);
  CHECK_THROWS_AS(han_attention_pool(H, Mat::Random(7, 6), b_row, u, length), std::invalid_argument);
  CHECK_THROWS_AS(han_attention_pool(H, W.transpose(), b_row, u, length), std::invalid_argument);
  CHECK_THROWS_AS(han_attention_pool(H, W, RowVec::Random(5), u, length), std::invalid_argument);
  CHECK_THROWS_AS(han_attention_pool(H, W, b_row, Vec::Random(7), length), std::invalid_argument);
}

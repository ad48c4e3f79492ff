// p02 han_attention_pooling — graded tests. Golden values: tools/golden/p02.py (numpy, checked with torch).
// Every numeric, property and edge test (argument checks aside) compares with golden or independently
// computed numbers, so returning zeros or uniform weights earns only the shape and argument points.
#include <attnkata/graded.h>

#include <cmath>
#include <vector>

#include "golden.inc"
#include "han_attention_pooling.h"

using namespace attn;
using namespace attn::check;

namespace {

// One case of golden.inc. The golden files store b as a (1, a) matrix and u_w as an (a, 1) column.
struct Case {
  const Mat &H, &W, &b, &u_w;
  int length;
  const MatD &vector, &weights;
};
#define GOLDEN_CASE(ns)                                                                      \
  Case{golden::ns::H, golden::ns::W, golden::ns::b, golden::ns::u_w, golden::ns::length, \
       golden::ns::vector, golden::ns::weights}

Pooled pool(const Mat& H, const Case& c, int length) {
  return han_attention_pool(H, c.W, c.b.row(0), c.u_w.col(0), length);
}

// A wrong variant of the pooling, in double, for diagnosis only (never a golden value).
struct Variant {
  int rows;          // how many rows the softmax and the sum run over
  bool tanh = true;  // apply tanh to h W + b
  bool bias = true;  // add b
};

MatD pooled_variant(const Case& c, Variant v) {
  const MatD Hd = c.H.topRows(v.rows).cast<double>();
  MatD hidden = Hd * c.W.cast<double>();
  if (v.bias) hidden.rowwise() += c.b.cast<double>().row(0);
  if (v.tanh) hidden = hidden.array().tanh().matrix();
  Eigen::VectorXd e = hidden * c.u_w.cast<double>().col(0);
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

// Name the classic mistakes when a golden comparison fails.
void diagnose(const Pooled& got, const Case& c) {
  const int T = static_cast<int>(c.H.rows()), length = c.length;
  if (!got.vector.allFinite()) {
    FAIL_CHECK(
        "the vector is not finite: exp(e) overflows float32 beyond e ≈ 88 and underflows to 0 below "
        "e ≈ -104 (then 0/0); subtract the max score first");
    return;
  }
  if (length < T && is_close(got.vector, pooled_variant(c, {T})))
    FAIL_CHECK("the vector equals pooling over all T rows: the softmax and the sum must skip the padding");
  if (is_close(got.vector, pooled_variant(c, {length, false})))
    FAIL_CHECK("the vector equals pooling with scores (h W + b) · u_w: tanh is missing");
  if (is_close(got.vector, pooled_variant(c, {length, true, false})))
    FAIL_CHECK("the vector equals pooling with scores tanh(h W) · u_w: the bias b is missing");
  if (is_close(got.vector, seed_pooling(c.H, length)))
    FAIL_CHECK(
        "the vector is the seed's softmax of the raw features over time, one per channel: "
        "score each token with u_w · tanh(h W + b) instead");
  if (is_close(got.vector, c.H.topRows(length).cast<double>().colwise().mean()))
    FAIL_CHECK("the vector is the plain mean of the valid rows: the scores are not used");
  if (got.weights.size() == T && got.weights.allFinite() &&
      std::abs(got.weights.cast<double>().sum() - 1) > 1e-3)
    FAIL_CHECK("the weights of the valid tokens do not sum to 1: divide exp(e_t - max) by their sum");
}

bool check_pooled(const std::string& what, const Pooled& got, const MatD& vector, const MatD& weights) {
  const bool ok_w = check_close("weights" + what, got.weights, weights, kT1);
  const bool ok_v = check_close("vector" + what, got.vector, vector, kT1);
  return ok_w && ok_v;
}

// Pools a golden case and compares it with its golden values; names a classic mistake when they differ.
bool check_golden(const Case& c) {
  const Pooled got = pool(c.H, c, c.length);
  const bool ok = check_pooled("", got, c.vector, c.weights);
  if (!ok) diagnose(got, c);
  return ok;
}

// H with every padded row (length..T-1) poisoned: NaN, and ±1e30 in two entries.
Mat poison_padding(const Mat& H, int length) {
  Mat H_bad = H;
  if (length == H.rows()) return H_bad;
  H_bad.bottomRows(H.rows() - length).setConstant(NAN);
  H_bad(length, 0) = 1e30f;
  H_bad(H.rows() - 1, H.cols() - 1) = -1e30f;
  return H_bad;
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

ATTN_TEST("worked example from the statement", numeric, 2) {
  // tokens [1 0], [0 1], [1 1] and one padded row [9 9]; W = I, b = 0, u_w = [1 1]
  Mat H(4, 2);
  H << 1, 0, 0, 1, 1, 1, 9, 9;
  const Pooled got = han_attention_pool(H, Mat::Identity(2, 2), RowVec::Zero(2), Vec::Ones(2), 3);
  const Tol tol{1e-6, 1e-6, "1e-6 (values given to 10 digits)"};
  check_close("weights", got.weights, MatD{{0.2414474669}, {0.2414474669}, {0.5171050663}, {0.0}}, tol);
  if (!check_close("vector", got.vector, MatD{{0.7585525331, 0.7585525331}}, tol) &&
      is_close(got.vector, MatD{{4.5038967005, 4.5038967005}}))
    FAIL_CHECK("the vector is [4.5039 4.5039]: the padded row [9 9] took part in the softmax and the sum");
}

ATTN_TEST("full-length case matches golden values", numeric, 2) { check_golden(GOLDEN_CASE(full)); }

ATTN_TEST("padded case matches golden values", numeric, 2) { check_golden(GOLDEN_CASE(padded)); }

ATTN_TEST("scores above 100 or below -100 match golden values", numeric, 2) {
  {
    INFO("scores beyond 100: a naive exp overflows float32");
    check_golden(GOLDEN_CASE(peaked));
  }
  INFO("every score below -104: a naive exp underflows to 0 and the softmax is 0/0");
  check_golden(GOLDEN_CASE(sunk));
}

ATTN_TEST("seed-sized case (T = 50 and d = 64) matches golden values", numeric, 1) {
  check_golden(GOLDEN_CASE(seed_sized));
}

ATTN_TEST("weights of the valid tokens sum to 1", property, 1) {
  for (const Case& c : {GOLDEN_CASE(seed_sized), GOLDEN_CASE(peaked), GOLDEN_CASE(sunk)}) {
    CAPTURE(c.length);
    const Pooled got = pool(c.H, c, c.length);
    if (!check_finite("weights", got.weights)) {
      FAIL_CHECK("exp(e) overflows float32 beyond e ≈ 88, underflows below -104: subtract the max first");
      continue;
    }
    if (check_close("weights", got.weights, c.weights, kT1))
      check_rows_sum_to("weights", got.weights.transpose());
  }
}

ATTN_TEST("weights of padded tokens are exactly 0", property, 2) {
  for (const Case& c : {GOLDEN_CASE(padded), GOLDEN_CASE(sunk)}) {
    CAPTURE(c.length);
    const Pooled got = pool(c.H, c, c.length);
    if (!expect_shape("weights", got.weights, c.H.rows(), 1)) return;
    // the valid part against golden values, then exact zeros after it
    if (!check_close("weights", got.weights, c.weights, kT1)) continue;
    if (!check_zero_where_masked("weights", got.weights.transpose(), prefix_mask(1, c.H.rows(), c.length)))
      FAIL_CHECK("padded tokens must not take part in the softmax: run it over rows [0, length) only");
  }
}

ATTN_TEST("padded rows holding NaN or 1e30 do not change the result", property, 3) {
  for (const Case& c : {GOLDEN_CASE(padded), GOLDEN_CASE(seed_sized)}) {
    CAPTURE(c.length);
    const Pooled got = pool(poison_padding(c.H, c.length), c, c.length);
    const bool finite = check_finite("vector with poisoned padding", got.vector) &
                        check_finite("weights with poisoned padding", got.weights);
    if (!finite) {
      FAIL_CHECK("padding leaked: 0 * NaN is NaN, so skip padded rows instead of giving them weight 0");
      continue;
    }
    check_pooled(" with poisoned padding", got, c.vector, c.weights);
  }
}

ATTN_TEST("u_w = 0 gives the mean of the valid rows", property, 1) {
  const Case c = GOLDEN_CASE(padded);
  if (!check_golden(c)) return;
  // every score is then 0: uniform weights over the valid tokens
  const int length = c.length;
  const Pooled got = han_attention_pool(c.H, c.W, c.b.row(0), Vec::Zero(c.W.cols()), length);
  MatD uniform = MatD::Zero(c.H.rows(), 1);
  uniform.topRows(length).setConstant(1.0 / length);
  check_pooled(" with u_w = 0", got, c.H.topRows(length).cast<double>().colwise().mean(), uniform);
}

ATTN_TEST("permuting the valid tokens permutes the weights and keeps the vector", property, 1) {
  const Case c = GOLDEN_CASE(padded);
  if (!check_golden(c)) return;
  // pooling is a weighted sum: token order cannot matter (HAN gets order from the encoder that made H)
  const std::vector<int> order = reversed_prefix(c.length, static_cast<int>(c.H.rows()));
  const Pooled perm = pool(rows_in_order(c.H, order), c, c.length);
  check_pooled(" of permuted tokens", perm, c.vector, rows_in_order(c.weights, order));
}

ATTN_TEST("the vector lies between the smallest and largest valid rows", property, 1) {
  for (const Case& c : {GOLDEN_CASE(peaked), GOLDEN_CASE(sunk)}) {
    // a convex combination of the valid rows, whatever the scores
    CAPTURE(c.length);
    const Pooled got = pool(c.H, c, c.length);
    if (!check_finite("vector", got.vector)) {
      FAIL_CHECK("scores here pass ±100: exp(e) overflows or underflows float32; subtract the max first");
      continue;
    }
    if (!check_close("vector", got.vector, c.vector, kT1)) continue;
    const auto valid = c.H.topRows(c.length);
    const RowVec lo = valid.colwise().minCoeff(), hi = valid.colwise().maxCoeff();
    for (Index j = 0; j < c.H.cols(); ++j)
      if (!(got.vector(j) >= lo(j) - 1e-5f && got.vector(j) <= hi(j) + 1e-5f)) {
        FAIL_CHECK("vector(" << j << ") = " << num(got.vector(j)) << " lies outside [" << num(lo(j)) << ", "
                             << num(hi(j)) << "]: the weights must be non-negative and sum to 1");
        break;
      }
  }
}

ATTN_TEST("length = 1 gives the first row with weight 1", edge, 1) {
  const Case c = GOLDEN_CASE(padded);
  if (!check_golden(c)) return;
  // rows 1..T-1 are padding now, and poisoned: only row 0 may be read
  const Pooled got = pool(poison_padding(c.H, 1), c, 1);
  MatD one_hot = MatD::Zero(c.H.rows(), 1);
  one_hot(0, 0) = 1;
  check_pooled(" with length 1", got, c.H.topRows(1).cast<double>(), one_hot);
}

ATTN_TEST("length = 0 gives a zero vector and zero weights", edge, 2) {
  const Case c = GOLDEN_CASE(padded);
  if (!check_golden(c)) return;
  // every row is padding, and poisoned: nothing may be read
  const Pooled got = pool(poison_padding(c.H, 0), c, 0);
  if (!check_finite("vector", got.vector) || !check_finite("weights", got.weights)) {
    FAIL_CHECK("with no valid token the softmax is 0/0: return zeros before normalising");
    return;
  }
  const Tol exact{0, 0, "exact"};
  check_close("vector with length 0", got.vector, MatD::Zero(1, c.H.cols()), exact);
  check_close("weights with length 0", got.weights, MatD::Zero(c.H.rows(), 1), exact);
  // an empty sequence: H is 0×d
  const Pooled empty = pool(Mat(0, c.H.cols()), c, 0);
  check_close("vector of an empty H", empty.vector, MatD::Zero(1, c.H.cols()), exact);
  expect_shape("weights of an empty H", empty.weights, 0, 1);
}

ATTN_TEST("length > T or length < 0 throws std::invalid_argument", edge, 1) {
  const Case c = GOLDEN_CASE(padded);
  CHECK_THROWS_AS(pool(c.H, c, static_cast<int>(c.H.rows()) + 1), std::invalid_argument);
  CHECK_THROWS_AS(pool(c.H, c, -1), std::invalid_argument);
}

ATTN_TEST("mismatched W or b or u_w throws std::invalid_argument", edge, 1) {
  using namespace golden::padded;  // H (9, 8), W (8, 6), b (1, 6), u_w (6,)
  const RowVec b_row = b.row(0);
  const Vec u = u_w.col(0);
  CHECK_THROWS_AS(han_attention_pool(H, Mat::Random(7, 6), b_row, u, length), std::invalid_argument);
  CHECK_THROWS_AS(han_attention_pool(H, W.transpose(), b_row, u, length), std::invalid_argument);
  CHECK_THROWS_AS(han_attention_pool(H, W, RowVec::Random(5), u, length), std::invalid_argument);
  CHECK_THROWS_AS(han_attention_pool(H, W, b_row, Vec::Random(7), length), std::invalid_argument);
}

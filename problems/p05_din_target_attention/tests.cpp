// p05 din_target_attention — graded tests. Golden values: tools/golden/p05.py (numpy, checked with torch).
// Every numeric, property and edge test (argument checks aside) compares with golden or independently
// computed numbers, so returning zeros, uniform weights or the mean earns only the shape and argument points.
#include <attnkata/graded.h>

#include <cmath>
#include <string>
#include <vector>

#include "din_target_attention.h"
#include "golden.inc"

using namespace attn;
using namespace attn::check;

namespace {

// One case of golden.inc. The golden files store target and b1 as (1, n) matrices and w2 as an (h, 1) column.
struct Case {
  const Mat &E, &target, &W1, &b1, &w2;
  float b2;
  int length;
  const MatD &user_interest, &weights;
};
// clang-format off
#define GOLDEN_CASE(ns)                                                                                  \
  Case{golden::ns::behaviors, golden::ns::target, golden::ns::W1, golden::ns::b1, golden::ns::w2,       \
       golden::ns::b2, golden::ns::length, golden::ns::user_interest, golden::ns::weights}
// clang-format on

DinParams params_of(const Case& c) {
  return {c.W1, c.b1.row(0), c.w2.col(0), c.b2};
}

DinOut run(const Mat& E, const Case& c, int length) {
  return din_attention(E, c.target.row(0), length, params_of(c));
}

// E with every padded row (length..T-1) poisoned: NaN, and ±1e30 in two entries.
Mat poison_padding(const Mat& E, int length) {
  Mat E_bad = E;
  if (length == E.rows()) return E_bad;
  E_bad.bottomRows(E.rows() - length).setConstant(NAN);
  E_bad(length, 0) = 1e30f;
  E_bad(E.rows() - 1, E.cols() - 1) = -1e30f;
  return E_bad;
}

// Σ_{t in rows} weights_t e_t in double, from golden weights: the sum pooling of part of a history.
MatD pooled(const MatD& weights, const Mat& E, Index first, Index count) {
  return weights.middleRows(first, count).transpose() * E.middleRows(first, count).cast<double>();
}

// ---- diagnosis only, never a golden value: the classic wrong versions of the unit, in double ----

enum class Norm { none, softmax, scaled_softmax, mean, ones };
struct Variant {
  Norm norm = Norm::none;
  bool behavior_first = false;   // z_t = [e_t, a, e_t - a, e_t ⊙ a]
  bool flip_difference = false;  // z_t = [a, e_t, e_t - a, a ⊙ e_t]
  bool relu_hidden = false;      // max(0, x) instead of the sigmoid
  bool sigmoid_weight = false;   // w_t = sigmoid(hidden · w2 + b2)
  int rows = -1;                 // how many rows are pooled; -1 = length
};

// The pooled vector of a variant.
MatD variant_output(const Case& c, Variant v) {
  const Index d = c.E.cols(), rows = v.rows < 0 ? c.length : v.rows;
  if (rows == 0) return MatD::Zero(1, d);
  const Eigen::RowVectorXd a = c.target.cast<double>().row(0);
  const MatD E = c.E.topRows(rows).cast<double>(), W1 = c.W1.cast<double>();
  Eigen::VectorXd w(rows);
  for (Index t = 0; t < rows; ++t) {
    const Eigen::RowVectorXd e = E.row(t);
    Eigen::RowVectorXd z(4 * d);
    if (v.behavior_first)
      z << e, a, e - a, e.cwiseProduct(a);
    else
      z << a, e, v.flip_difference ? Eigen::RowVectorXd(e - a) : Eigen::RowVectorXd(a - e), a.cwiseProduct(e);
    const Eigen::ArrayXd x = (z * W1 + c.b1.cast<double>().row(0)).transpose().array();
    const Eigen::ArrayXd hidden =
        v.relu_hidden ? Eigen::ArrayXd(x.max(0.0)) : Eigen::ArrayXd((1.0 + (-x).exp()).inverse());
    w(t) = hidden.matrix().dot(c.w2.cast<double>().col(0)) + c.b2;
    if (v.sigmoid_weight) w(t) = 1 / (1 + std::exp(-w(t)));
  }
  if (v.norm == Norm::softmax || v.norm == Norm::scaled_softmax) {
    if (v.norm == Norm::scaled_softmax) w /= std::sqrt(static_cast<double>(d));
    w = (w.array() - w.maxCoeff()).exp().matrix();
    w /= w.sum();
  }
  if (v.norm == Norm::mean) w /= static_cast<double>(rows);
  if (v.norm == Norm::ones) w.setOnes();
  return w.transpose() * E;
}

const std::string kSoftmax =
    "softmax was applied to DIN's weights. The paper abandons it (Σ w_t = 1 is relaxed 'to reserve the "
    "intensity of user interests'): w_t = sigmoid(z_t W1 + b1) · w2 + b2 is used as it is, and "
    "user_interest = Σ_t w_t e_t";

// Why a result is not finite: NaN weights come from the sigmoid, a NaN vector with finite weights from
// padding.
std::string why_not_finite(const DinOut& got) {
  if (!got.weights.allFinite())
    return "the weights are not finite: a sigmoid written exp(x) / (1 + exp(x)) is inf / inf = NaN once "
           "x > 88 (exp overflows float32). Write sigmoid(x) = 1 / (1 + exp(-x)): exp(-x) = inf gives "
           "exactly 0, the right limit";
  return "the weights are finite but user_interest is not: a padded row (NaN or 1e30) was read. 0 * NaN "
         "is NaN, so sum over the first length rows only instead of giving the padding weight 0";
}

// Names the classic mistakes when a golden comparison fails.
void diagnose(const DinOut& got, const Case& c) {
  const Index T = c.E.rows();
  if (!got.user_interest.allFinite() || !got.weights.allFinite()) {
    FAIL_CHECK(why_not_finite(got));
    return;
  }
  auto matches = [&](Variant v) { return is_close(got.user_interest, variant_output(c, v), kT2); };
  if (matches({Norm::softmax}))
    FAIL_CHECK(kSoftmax);
  else if (matches({Norm::scaled_softmax}))
    FAIL_CHECK(
        kSoftmax
        << ". The official code's attention() divides by sqrt(d) and applies a softmax; this problem pins "
           "the paper's un-normalised unit");
  else if (got.weights.size() == T && c.length > 1 &&
           std::abs(got.weights.head(c.length).cast<double>().sum() - 1) < 1e-4)
    FAIL_CHECK("the valid weights sum to 1: " << kSoftmax);
  if (matches({Norm::mean}))
    FAIL_CHECK(
        "user_interest is the weighted sum divided by length: DIN sum-pools, Σ_t w_t e_t, so a "
        "longer history gives a longer vector");
  if (matches({Norm::ones}))
    FAIL_CHECK(
        "user_interest is the plain sum of the valid rows: that is the base model's sum pooling; DIN weighs "
        "each behaviour by the activation unit");
  if (c.length < T && matches({Norm::none, false, false, false, false, static_cast<int>(T)}))
    FAIL_CHECK("user_interest sums all T rows: rows length..T-1 are padding and must be skipped");
  if (matches({Norm::none, true}))
    FAIL_CHECK(
        "z_t was built as [e_t, a, e_t - a, e_t ⊙ a]: the order is [a, e_t, a - e_t, a ⊙ e_t], target first "
        "(the official code's [q, k, q - k, q * k]); rows [0, d) of W1 read the target");
  if (matches({Norm::none, false, true}))
    FAIL_CHECK("the difference block is e_t - a: it is a - e_t, rows [2d, 3d) of W1");
  if (matches({Norm::none, false, false, true}))
    FAIL_CHECK("the hidden units use ReLU: this problem pins the official code's sigmoid hidden layer");
  if (matches({Norm::none, false, false, false, true}))
    FAIL_CHECK(
        "a sigmoid was applied to the weight: w_t = hidden · w2 + b2 is linear in the hidden units and may "
        "be negative or above 1");
}

bool check_result(const std::string& what, const DinOut& got, const MatD& user_interest,
                  const MatD& weights) {
  const bool ok_w = check_close("weights" + what, got.weights, weights, kT1);
  const bool ok_v = check_close("user_interest" + what, got.user_interest, user_interest, kT1);
  return ok_w && ok_v;
}

// Runs a golden case and compares it with its golden values; names a classic mistake when they differ.
bool check_golden(const Case& c) {
  const DinOut got = run(c.E, c, c.length);
  const bool ok = check_result("", got, c.user_interest, c.weights);
  if (!ok) diagnose(got, c);
  return ok;
}

// A random DinParams of the right shapes for d and h.
DinParams random_params(Index d, Index h) {
  return {Mat::Random(4 * d, h), RowVec::Random(h), Vec::Random(h), 0.25f};
}

}  // namespace

ATTN_TEST("user_interest is 1×d and weights has one entry per behaviour", shape, 1) {
  const Mat E = Mat::Random(6, 3);
  const DinParams p = random_params(3, 5);
  for (const int length : {6, 4}) {
    CAPTURE(length);
    const DinOut got = din_attention(E, RowVec::Random(3), length, p);
    expect_shape("user_interest", got.user_interest, 1, 3);
    if (got.weights.size() == length && length < 6)
      FAIL_CHECK(
          "weights has `length` entries: it must have T = behaviors.rows(), the padded ones exactly 0");
    expect_shape("weights", got.weights, 6, 1);
  }
}

ATTN_TEST("W1 is 4d×h with its four blocks stacked by rows (no transpose)", shape, 1) {
  // d = 2 and h = 11: W1 is 8×11, b1 1×11, w2 of 11
  const DinOut got = din_attention(Mat::Random(3, 2), RowVec::Random(2), 3, random_params(2, 11));
  expect_shape("user_interest", got.user_interest, 1, 2);
  expect_shape("weights", got.weights, 3, 1);
}

ATTN_TEST("worked example from the statement", numeric, 2) {
  // 1. d = 2, h = 1: W1 reads only the product block (rows 6 and 7 are 1), b1 = 0, w2 = [2], b2 = -1, so
  // w_t = 2 sigmoid(a · e_t) - 1 = tanh(a · e_t / 2). Target [1 0]; behaviours [2 0], [0 3], [-2 1], then a
  // padded row [9 9]. Weights tanh(1), 0, -tanh(1); the statement's numbers to 10 digits.
  Mat E(4, 2);
  E << 2, 0, 0, 3, -2, 1, 9, 9;
  Mat W1 = Mat::Zero(8, 1);
  W1.bottomRows(2).setOnes();
  const DinParams p{W1, RowVec::Zero(1), Vec::Constant(1, 2.f), -1.f};
  const RowVec target{{1.f, 0.f}};
  const Tol tol{1e-6, 1e-6, "1e-6 (values given to 10 digits)"};
  const DinOut got = din_attention(E, target, 3, p);
  check_close("weights", got.weights, MatD{{0.7615941560}, {0.0}, {-0.7615941560}, {0.0}}, tol);
  if (!check_close("user_interest", got.user_interest, MatD{{3.0463766238, -0.7615941560}}, tol)) {
    if (is_close(got.user_interest, MatD{{0.9282059, 0.9607362}}, Tol{1e-5, 1e-5, ""}))
      FAIL_CHECK("user_interest is [0.9282 0.9607], the softmax of [0.76 0 -0.76] pooled: " << kSoftmax);
    else if (is_close(got.user_interest, MatD{{1.0154589, -0.2538647}}, Tol{1e-5, 1e-5, ""}))
      FAIL_CHECK("user_interest is the weighted sum divided by length 3: DIN sum-pools, Σ_t w_t e_t");
  }
  // 2. d = 1, h = 1: W1 reads only the difference block (row 2), so w_t = sigmoid(a - e_t). Target [1],
  // behaviours [1] and [3]: weights sigmoid(0) = 0.5 and sigmoid(-2) = 0.1192029220.
  Mat W1_diff = Mat::Zero(4, 1);
  W1_diff(2, 0) = 1;
  const DinOut diff = din_attention(Mat{{1.f}, {3.f}}, RowVec::Ones(1), 2,
                                    DinParams{W1_diff, RowVec::Zero(1), Vec::Ones(1), 0.f});
  check_close("weights of the difference example", diff.weights, MatD{{0.5}, {0.1192029220}}, tol);
  if (!check_close("user_interest of the difference example", diff.user_interest, MatD{{0.8576087661}},
                   tol) &&
      is_close(diff.user_interest, MatD{{3.1423912339}}, Tol{1e-5, 1e-5, ""}))
    FAIL_CHECK("that is sigmoid(e_t - a): the difference block is a - e_t, target minus behaviour");
}

ATTN_TEST("full history matches golden values", numeric, 2) {
  check_golden(GOLDEN_CASE(full));
}

ATTN_TEST("padded history matches golden values", numeric, 2) {
  check_golden(GOLDEN_CASE(padded));
}

ATTN_TEST("weights below 0 and above 1 match golden values", numeric, 2) {
  const Case c = GOLDEN_CASE(wide);  // golden weights from -0.75 to 2.7
  const DinOut got = run(c.E, c, c.length);
  if (check_result("", got, c.user_interest, c.weights)) return;
  diagnose(got, c);
  if (got.weights.allFinite() && got.weights.minCoeff() >= 0 && got.weights.maxCoeff() <= 1)
    FAIL_CHECK(
        "every weight lies in [0, 1], but DIN's weights are not probabilities: here they run from -0.75 to "
        "2.7. No softmax and no sigmoid after w2");
}

ATTN_TEST("seed-sized case (T = 50 and d = 64 and h = 80) matches golden values", numeric, 1) {
  check_golden(GOLDEN_CASE(seed_sized));
}

ATTN_TEST("stacking the history twice doubles user_interest", property, 3) {
  // base case: the golden values
  const Case c = GOLDEN_CASE(padded);
  const DinOut once = run(c.E, c, c.length);
  if (!check_result(" of the history", once, c.user_interest, c.weights)) diagnose(once, c);
  // the valid rows twice, then the padding (poisoned): every behaviour keeps its own weight, so the sum
  // doubles
  const Index L = c.length, pad = c.E.rows() - L, d = c.E.cols();
  Mat twice(2 * L + pad, d);
  twice << c.E.topRows(L), c.E.topRows(L), c.E.bottomRows(pad);
  twice = poison_padding(twice, static_cast<int>(2 * L));
  MatD weights_twice = MatD::Zero(2 * L + pad, 1);
  weights_twice << c.weights.topRows(L), c.weights.topRows(L), MatD::Zero(pad, 1);
  const DinOut got = run(twice, c, static_cast<int>(2 * L));
  const bool ok =
      check_close("user_interest of the history stacked twice", got.user_interest, 2 * c.user_interest, kT1) &
      check_close("weights of the history stacked twice", got.weights, weights_twice, kT1);
  if (ok) return;
  if (!got.user_interest.allFinite() || !got.weights.allFinite()) {
    FAIL_CHECK(why_not_finite(got));
  } else if (is_close(got.user_interest, MatD(once.user_interest.cast<double>()), kT1)) {
    if (once.weights.size() == c.E.rows() && std::abs(once.weights.head(L).cast<double>().sum() - 1) < 1e-4)
      FAIL_CHECK(
          "stacking the history twice left user_interest unchanged, and the weights sum to 1: " << kSoftmax);
    else
      FAIL_CHECK(
          "stacking the history twice left user_interest unchanged: it is divided by the number of "
          "behaviours (a mean). DIN sum-pools: a user with twice the matching behaviours has twice the "
          "interest");
  } else if (got.weights.allFinite() && std::abs(got.weights.head(2 * L).cast<double>().sum() - 1) < 1e-4)
    FAIL_CHECK("the weights sum to 1 over the doubled history: " << kSoftmax);
}

ATTN_TEST("a single behaviour keeps its own weight instead of 1", property, 2) {
  // each weight depends on its own behaviour and the target only: alone, behaviour t gets golden w_t
  const Case c = GOLDEN_CASE(full);
  for (Index t = 0; t < c.length; ++t) {
    CAPTURE(t);
    const DinOut got = run(c.E.row(t), c, 1);
    const bool ok = check_close("weights of behaviour t alone", got.weights, c.weights.row(t), kT1) &
                    check_close("user_interest of behaviour t alone", got.user_interest,
                                pooled(c.weights, c.E, t, 1), kT1);
    if (ok) continue;
    if (got.weights.size() == 1 && std::abs(got.weights(0) - 1) < 1e-6) {
      const DinOut whole = run(c.E, c, c.length);
      if (whole.weights.size() == c.E.rows() && whole.weights.allFinite() &&
          (whole.weights.head(c.length).array() - 1).abs().maxCoeff() < 1e-6)
        FAIL_CHECK(
            "every weight is 1: that is the base model's plain sum pooling; DIN weighs each behaviour by "
            "the activation unit");
      else
        FAIL_CHECK("a lone behaviour got weight 1, as a softmax over one score always does: " << kSoftmax);
    }
    return;
  }
}

ATTN_TEST("the two halves of a history add up to the whole", property, 1) {
  for (const Case& c : {GOLDEN_CASE(full), GOLDEN_CASE(saturated)}) {
    // behaviours [0, split) with length = split, and [split, length) passed as their own history
    CAPTURE(c.length);
    const Index split = c.length / 2, rest = c.length - split;
    const DinOut first = run(c.E, c, static_cast<int>(split));
    const DinOut second = run(c.E.bottomRows(c.E.rows() - split), c, static_cast<int>(rest));
    const bool ok = check_close("user_interest of the first half", first.user_interest,
                                pooled(c.weights, c.E, 0, split), kT1) &
                    check_close("user_interest of the second half", second.user_interest,
                                pooled(c.weights, c.E, split, rest), kT1);
    if (!ok) {
      if (!first.user_interest.allFinite() || !first.weights.allFinite())
        FAIL_CHECK(why_not_finite(first));
      else if (!second.user_interest.allFinite() || !second.weights.allFinite())
        FAIL_CHECK(why_not_finite(second));
      else if (second.weights.size() >= rest &&
               std::abs(second.weights.head(rest).cast<double>().sum() - 1) < 1e-4)
        FAIL_CHECK("the second half's weights sum to 1, so the halves cannot add up: " << kSoftmax);
      continue;
    }
    // and the whole is their sum, the golden value
    check_close("sum of the two halves", first.user_interest + second.user_interest, c.user_interest, kT1);
  }
}

ATTN_TEST("a different target weighs the same history differently", property, 2) {
  const Case c = GOLDEN_CASE(two_targets);
  const DinOut first = run(c.E, c, c.length);
  if (!check_result(" for the first target", first, c.user_interest, c.weights)) diagnose(first, c);
  namespace G = golden::two_targets;
  const DinOut second = din_attention(c.E, G::target_2.row(0), c.length, params_of(c));
  if (check_result(" for the second target", second, G::user_interest_2, G::weights_2)) return;
  if (is_close(second.weights, c.weights, kT1))
    FAIL_CHECK(
        "the second target got the first target's weights: the activation unit must read the target (blocks "
        "a, a - e_t and a ⊙ e_t of z_t)");
  else
    diagnose(second,
             Case{c.E, G::target_2, c.W1, c.b1, c.w2, c.b2, c.length, G::user_interest_2, G::weights_2});
}

ATTN_TEST("W1 = 0 gives the constant weight sigmoid(b1)·w2 + b2 on every behaviour", property, 1) {
  const Case c = GOLDEN_CASE(padded);
  if (!check_golden(c)) return;
  // every hidden unit is sigmoid(b1_j) whatever the behaviour: one weight for all, times the sum of the rows
  DinParams p = params_of(c);
  p.W1.setZero();
  const Eigen::ArrayXd b1 = c.b1.cast<double>().row(0).transpose().array();
  const double w = (1.0 / (1.0 + (-b1).exp())).matrix().dot(c.w2.cast<double>().col(0)) + c.b2;
  const DinOut got = din_attention(c.E, c.target.row(0), c.length, p);
  MatD weights = MatD::Zero(c.E.rows(), 1);
  weights.topRows(c.length).setConstant(w);
  const MatD sum = c.E.topRows(c.length).cast<double>().colwise().sum();
  if (!check_result(" with W1 = 0", got, w * sum, weights) &&
      is_close(got.user_interest, sum / c.length, kT1))
    FAIL_CHECK("equal scores gave the plain mean of the rows, weights 1/length: " << kSoftmax);
}

ATTN_TEST("permuting the valid behaviours permutes the weights and keeps user_interest", property, 1) {
  for (const Case& c : {GOLDEN_CASE(padded), GOLDEN_CASE(saturated)}) {
    CAPTURE(c.length);
    if (!check_golden(c)) continue;
    // pooling is a sum: the order of the behaviours cannot matter (DIN has no position information)
    std::vector<int> order(static_cast<size_t>(c.E.rows()));
    for (int t = 0; t < static_cast<int>(order.size()); ++t) order[t] = t < c.length ? c.length - 1 - t : t;
    const DinOut perm = run(rows_in_order(c.E, order), c, c.length);
    check_result(" of permuted behaviours", perm, c.user_interest, rows_in_order(c.weights, order));
  }
}

ATTN_TEST("weights of padded behaviours are exactly 0", property, 1) {
  for (const Case& c : {GOLDEN_CASE(padded), GOLDEN_CASE(saturated)}) {
    CAPTURE(c.length);
    const DinOut got = run(c.E, c, c.length);
    if (!expect_shape("weights", got.weights, c.E.rows(), 1)) return;
    // the valid part against golden values, then exact zeros after it
    if (!check_close("weights of the valid behaviours", got.weights.head(c.length),
                     c.weights.topRows(c.length), kT1)) {
      diagnose(got, c);
      continue;
    }
    check_zero_where_masked("weights", got.weights.transpose(), prefix_mask(1, c.E.rows(), c.length));
  }
}

ATTN_TEST("padded rows holding NaN or 1e30 do not change the result", property, 2) {
  for (const Case& c : {GOLDEN_CASE(padded), GOLDEN_CASE(seed_sized)}) {
    CAPTURE(c.length);
    const DinOut got = run(poison_padding(c.E, c.length), c, c.length);
    const bool finite = check_finite("user_interest with poisoned padding", got.user_interest) &
                        check_finite("weights with poisoned padding", got.weights);
    if (!finite) {
      FAIL_CHECK("padding leaked: 0 * NaN is NaN, so skip padded rows instead of giving them weight 0");
      continue;
    }
    check_result(" with poisoned padding", got, c.user_interest, c.weights);
  }
}

ATTN_TEST("length = 0 gives a zero vector and zero weights", edge, 2) {
  const Case c = GOLDEN_CASE(padded);
  if (!check_golden(c)) return;
  // every row is padding, and poisoned: nothing may be read
  const DinOut got = run(poison_padding(c.E, 0), c, 0);
  if (!check_finite("user_interest", got.user_interest) || !check_finite("weights", got.weights)) {
    FAIL_CHECK("with no behaviour the sum is empty: return zeros without reading a row");
    return;
  }
  const Tol exact{0, 0, "exact"};
  check_close("user_interest with length 0", got.user_interest, MatD::Zero(1, c.E.cols()), exact);
  check_close("weights with length 0", got.weights, MatD::Zero(c.E.rows(), 1), exact);
  // a user with no history at all: behaviors is 0×d
  const DinOut empty = run(Mat(0, c.E.cols()), c, 0);
  check_close("user_interest of an empty history", empty.user_interest, MatD::Zero(1, c.E.cols()), exact);
  expect_shape("weights of an empty history", empty.weights, 0, 1);
}

ATTN_TEST("hidden pre-activations beyond ±100 give finite golden weights", edge, 2) {
  const Case c = GOLDEN_CASE(saturated);  // every |z_t W1 + b1| > 15, some > 100
  const DinOut got = run(poison_padding(c.E, c.length), c, c.length);
  if (!got.weights.allFinite() || !got.user_interest.allFinite()) {
    FAIL_CHECK(why_not_finite(got));
    return;
  }
  if (!check_result("", got, c.user_interest, c.weights)) diagnose(got, c);
}

ATTN_TEST("length > T or length < 0 throws std::invalid_argument", edge, 1) {
  const Case c = GOLDEN_CASE(padded);
  CHECK_THROWS_AS(run(c.E, c, static_cast<int>(c.E.rows()) + 1), std::invalid_argument);
  CHECK_THROWS_AS(run(c.E, c, -1), std::invalid_argument);
  CHECK_NOTHROW(run(c.E, c, static_cast<int>(c.E.rows())));
}

ATTN_TEST("mismatched target or W1 or b1 or w2 throws std::invalid_argument", edge, 2) {
  using namespace golden::padded;  // behaviors (9, 5), W1 (20, 6), b1 (1, 6), w2 (6,)
  const DinParams p = params_of(GOLDEN_CASE(padded));
  const RowVec a = target.row(0);
  const auto throws = [&](const char* why, const RowVec& target_, const DinParams& p_) {
    INFO(std::string(why));
    CHECK_THROWS_AS(din_attention(behaviors, target_, length, p_), std::invalid_argument);
  };
  throws("target must have d = behaviors.cols() entries", RowVec::Random(6), p);
  throws("W1 must have 4d rows (here 20), one block each for a, e_t, a - e_t and a ⊙ e_t", a,
         {Mat::Random(15, 6), p.b1, p.w2, p.b2});
  throws("W1 must be (4d, h), not its transpose", a, {Mat(p.W1.transpose()), p.b1, p.w2, p.b2});
  throws("b1 must have h = W1.cols() entries", a, {p.W1, RowVec::Random(5), p.w2, p.b2});
  throws("w2 must have h = W1.cols() entries", a, {p.W1, p.b1, Vec::Random(7), p.b2});
}

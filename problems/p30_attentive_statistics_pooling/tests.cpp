// p30 attentive_statistics_pooling — graded tests. Golden values: tools/golden/p30.py (torch in SpeechBrain's
// form, cross-checked with numpy's weighted np.cov). Every numeric, property and edge test (argument checks
// aside) compares with golden or independently computed numbers, so zeros, uniform weights or plain
// statistics pooling earn only the shape and argument points.
#include <attnkata/graded.h>

#include <cmath>
#include <string>
#include <vector>

#include "attentive_statistics_pooling.h"
#include "golden.inc"

using namespace attn;
using namespace attn::check;

namespace {

// One case of golden.inc. The golden files store b as a (1, a) matrix and v as an (a, 1) column.
struct Case {
  const Mat &frames, &W, &b, &v;
  float k;
  int valid_len;
  const MatD &pooled, &weights;
  Index d() const { return frames.cols(); }
};
#define GOLDEN_CASE(ns)                                                                                    \
  Case {                                                                                                   \
    golden::ns::frames, golden::ns::W, golden::ns::b, golden::ns::v, golden::ns::k, golden::ns::valid_len, \
        golden::ns::pooled, golden::ns::weights                                                            \
  }

AspOut pool(const Mat& frames, const Case& c, int valid_len) {
  return attentive_stats_pool(frames, c.W, c.b.row(0), c.v.col(0), c.k, valid_len);
}

const Tol kSigmaRtol{1e-3, 0, "rtol 1e-3"};  // sigma near 0.01 or at the 1e-6 clamp: relative, not T1's atol
const Tol kExact{0, 0, "exact"};
const std::string kCancellation =
    "E[h²] - mu² in float32 loses the variance to cancellation once |mu| is ~1e5 sigma (both terms ~1e6, "
    "resolved to ~0.06). Compute the mean first, then Σ alpha_t (h_t - mu)² in a second pass";

// ---- diagnosis only, never a golden value: the classic wrong formulas, in double ----

// The softmax weights over the first `rows` frames (T entries), scores with or without the tanh.
Eigen::VectorXd weights_variant(const Case& c, int rows, bool tanh = true) {
  Eigen::VectorXd alpha = Eigen::VectorXd::Zero(c.frames.rows());
  if (rows == 0) return alpha;
  MatD hidden = c.frames.topRows(rows).cast<double>() * c.W.cast<double>();
  hidden.rowwise() += c.b.cast<double>().row(0);
  if (tanh) hidden = hidden.array().tanh().matrix();
  const Eigen::VectorXd e = hidden * c.v.cast<double>().col(0);
  alpha.head(rows) = (e.array() - e.maxCoeff()).exp().matrix();
  alpha /= alpha.sum();
  return alpha;
}

enum class Sigma { centred, variance, unweighted, sample };

// [mu, sigma] of the first n frames of H under the weights alpha (n entries), with sigma computed as told.
MatD stats_variant(const Mat& H, const Eigen::VectorXd& alpha, Index n, Sigma how = Sigma::centred) {
  const MatD Hv = H.topRows(n).cast<double>();
  const Index d = H.cols();
  const Eigen::RowVectorXd mu = alpha.head(n).transpose() * Hv;
  const MatD centred = Hv.rowwise() - mu;
  Eigen::RowVectorXd var = alpha.head(n).transpose() * centred.array().square().matrix();
  if (how == Sigma::unweighted) {
    const Eigen::RowVectorXd plain = Hv.colwise().mean();
    var = (Hv.rowwise() - plain).array().square().colwise().mean();
  }
  if (how == Sigma::sample && n > 1) var *= static_cast<double>(n) / static_cast<double>(n - 1);
  MatD out(1, 2 * d);
  out.leftCols(d) = mu;
  out.rightCols(d) = how == Sigma::variance ? var : var.array().max(1e-12).sqrt().matrix();
  return out;
}

// Name the classic mistakes when a golden comparison fails.
void diagnose(const AspOut& got, const Case& c) {
  const Index d = c.d(), T = c.frames.rows();
  const int n = c.valid_len;
  if (got.pooled.size() != 2 * d) return;
  if (!got.pooled.allFinite()) {
    FAIL_CHECK(
        "pooled is not finite: exp(e) overflows float32 beyond e ≈ 88 and underflows to 0 below e ≈ -104 "
        "(then 0/0); subtract the max score first. A negative variance from rounding also gives sqrt = NaN: "
        "clamp it at 1e-12");
    return;
  }
  const MatD golden_mu = c.pooled.leftCols(d), golden_sigma = c.pooled.rightCols(d);
  const RowVec mu = got.pooled.head(d), sigma = got.pooled.tail(d);
  MatD swapped(1, 2 * d);
  swapped << golden_sigma, golden_mu;
  if (is_close(got.pooled, swapped, kT1)) {
    FAIL_CHECK("pooled is [sigma, mu]: the mean comes first, then the standard deviation");
    return;
  }
  const Eigen::VectorXd alpha = c.weights.col(0);
  if (n < T && is_close(got.pooled, stats_variant(c.frames, weights_variant(c, static_cast<int>(T)), T)))
    FAIL_CHECK("pooled equals pooling over all T frames: the softmax and both sums must skip the padding");
  if (is_close(got.pooled, stats_variant(c.frames, weights_variant(c, n, false), n)))
    FAIL_CHECK("pooled equals pooling with scores v · (h W + b) + k: the tanh is missing");
  if (is_close(got.pooled, stats_variant(c.frames, Eigen::VectorXd::Constant(n, 1.0 / n), n)))
    FAIL_CHECK("pooled is the plain mean and std of the valid frames: the attention weights are not used");
  if (!is_close(mu, golden_mu, kT1)) return;  // the statements below are about sigma alone
  if (is_close(sigma, stats_variant(c.frames, alpha, n, Sigma::variance).rightCols(d), kT1))
    FAIL_CHECK("the second half is the variance: sigma is its square root");
  else if (is_close(sigma, stats_variant(c.frames, alpha, n, Sigma::unweighted).rightCols(d), kT1))
    FAIL_CHECK(
        "sigma is the plain std of the valid frames: weight the squared deviations by the same alpha_t");
  else if (n > 1 && is_close(sigma, stats_variant(c.frames, alpha, n, Sigma::sample).rightCols(d), kT1))
    FAIL_CHECK(
        "sigma carries a factor n / (n - 1): the attentive variance is Σ alpha_t (h_t - mu)², no Bessel");
  else if ((golden_mu.array().abs() > 1e4 * golden_sigma.array()).any())
    FAIL_CHECK("mu is right and sigma is not: " << kCancellation);
}

bool check_pooled(const std::string& what, const AspOut& got, const MatD& pooled, const MatD& weights) {
  const bool ok_w = check_close("weights" + what, got.weights, weights, kT1);
  const bool ok_p = check_close("pooled" + what, got.pooled, pooled, kT1);
  return ok_w && ok_p;
}

// Pools a golden case and compares it with its golden values; names a classic mistake when they differ.
bool check_golden(const Case& c) {
  const AspOut got = pool(c.frames, c, c.valid_len);
  const bool ok = check_pooled("", got, c.pooled, c.weights);
  if (!ok) diagnose(got, c);
  return ok;
}

// sigma (the second half of pooled) relative to the expected one: for sigma ~ 0.01 T1's atol 1e-5 is too
// loose.
bool check_sigma(const std::string& what, const AspOut& got, const MatD& expected_sigma) {
  const Index d = expected_sigma.cols();
  if (!expect_shape("pooled" + what, got.pooled, 1, 2 * d)) return false;
  return check_close("sigma" + what, got.pooled.tail(d), expected_sigma, kSigmaRtol);
}

// frames with every padded row (valid_len..T-1) poisoned: NaN, and ±1e30 in two entries.
Mat poison_padding(const Mat& frames, int valid_len) {
  Mat bad = frames;
  if (valid_len == frames.rows()) return bad;
  bad.bottomRows(frames.rows() - valid_len).setConstant(NAN);
  bad(valid_len, 0) = 1e30f;
  bad(frames.rows() - 1, frames.cols() - 1) = -1e30f;
  return bad;
}

// On a non-finite result from an input with poisoned padding: name the usual cause, padding that was read.
void explain_poisoned(const AspOut& got) {
  if (!got.pooled.allFinite() || !got.weights.allFinite())
    FAIL_CHECK(
        "the padded frames hold NaN and 1e30 here and must never be read: score, average and centre only "
        "frames.topRows(valid_len) (0 × NaN is NaN, so a zero weight is not enough)");
}

std::vector<int> reversed_prefix(int valid_len, int T) {
  std::vector<int> order(T);
  for (int t = 0; t < T; ++t) order[t] = t < valid_len ? valid_len - 1 - t : t;
  return order;
}

// The cancellation case moved by `offset` in the features the scores ignore (1..d-1: their rows of W are 0).
Mat cancel_frames_moved(float offset) {
  Mat frames = golden::cancel::frames;
  // 1000 + 0.01 ε minus 1000 is exact in float32 (Sterbenz): these are the golden frames, moved
  frames.rightCols(frames.cols() - 1).array() += offset - 1000.f;
  return frames;
}

}  // namespace

ATTN_TEST("pooled is 1×2d and weights has one entry per frame", shape, 1) {
  const Mat frames = Mat::Random(6, 3), W = Mat::Random(3, 4);
  const RowVec b = RowVec::Random(4);
  const Vec v = Vec::Random(4);
  for (const int valid_len : {6, 4}) {
    CAPTURE(valid_len);
    const AspOut got = attentive_stats_pool(frames, W, b, v, 0.5f, valid_len);
    if (got.pooled.size() == 3)
      FAIL_CHECK("pooled has d entries: it is [mu, sigma], the mean and the standard deviation, 2d in all");
    expect_shape("pooled", got.pooled, 1, 6);
    if (got.weights.size() == valid_len && valid_len < 6)
      FAIL_CHECK("weights has valid_len entries: it must have T = frames.rows(), the padded ones exactly 0");
    expect_shape("weights", got.weights, 6, 1);
  }
}

ATTN_TEST("W is d×a with d ≠ a (no transpose)", shape, 1) {
  const Mat frames = Mat::Random(5, 2), W = Mat::Random(2, 7);
  const RowVec b = RowVec::Random(7);
  const Vec v = Vec::Random(7);
  const AspOut got = attentive_stats_pool(frames, W, b, v, -1.f, 5);
  expect_shape("pooled", got.pooled, 1, 4);
  expect_shape("weights", got.weights, 5, 1);
}

ATTN_TEST("worked example from the statement", numeric, 2) {
  // frames [0 1], [ln 2  2], [ln 3  4] and one padded row [9 9]; W = [1 0]ᵀ, b = 0, v = [5 ln 2], k = 0:
  // tanh(ln 2) = 3/5 and tanh(ln 3) = 4/5, so the scores are 0, 3 ln 2, 4 ln 2 and alpha = [1 8 16] / 25
  Mat frames(4, 2);
  frames << 0.f, 1.f, std::log(2.f), 2.f, std::log(3.f), 4.f, 9.f, 9.f;
  const Mat W{{1.f}, {0.f}};
  const AspOut got =
      attentive_stats_pool(frames, W, RowVec::Zero(1), Vec::Constant(1, 5 * std::log(2.f)), 0.f, 3);
  const Tol tol{1e-6, 1e-6, "1e-6 (values given to 10 digits)"};
  check_close("weights", got.weights, MatD{{0.04}, {0.32}, {0.64}, {0.0}}, tol);
  if (!check_close("pooled", got.pooled, MatD{{0.9249189625, 3.24, 0.2659270805, 1.0307278981}}, tol)) {
    if (is_close(got.pooled, MatD{{5.4582975815, 6.4736840553, 4.0108470853, 2.9385834205}}, kT2))
      FAIL_CHECK(
          "that is pooling over all 4 rows: the padded row [9 9] took part in the softmax and the sums");
    else if (is_close(got.pooled, MatD{{0.9249189625, 3.24, 0.0707172121, 1.0624}}, kT2))
      FAIL_CHECK("the second half is the variance [0.0707 1.0624]: sigma is its square root");
  }
}

ATTN_TEST("full-length case matches golden values", numeric, 2) {
  check_golden(GOLDEN_CASE(full));
}

ATTN_TEST("padded case matches golden values", numeric, 2) {
  check_golden(GOLDEN_CASE(padded));
}

ATTN_TEST("frames of 1000 + 0.01·ε give σ within 1e-3 of float64", numeric, 3) {
  // features 1..4 have mean ~1000 and sigma ~0.01: E[h²] and mu² are ~1e6, float32 resolves them to ~0.06
  const Case c = GOLDEN_CASE(cancel);
  const AspOut got = pool(c.frames, c, c.valid_len);
  const bool ok =
      check_pooled("", got, c.pooled, c.weights) & check_sigma("", got, c.pooled.rightCols(c.d()));
  if (!ok) diagnose(got, c);
}

ATTN_TEST("scores above 88 or below -104 match golden values", numeric, 2) {
  {
    INFO("every score above 110: a naive exp overflows float32 (inf / inf)");
    check_golden(GOLDEN_CASE(peaked));
  }
  INFO("every score below -104: a naive exp underflows to 0 and the softmax is 0/0");
  check_golden(GOLDEN_CASE(sunk));
}

ATTN_TEST("seed-sized case (300 frames of 40 features) matches golden values", numeric, 1) {
  check_golden(GOLDEN_CASE(seed_sized));
}

ATTN_TEST("weights of the valid frames sum to 1", property, 1) {
  for (const Case& c : {GOLDEN_CASE(seed_sized), GOLDEN_CASE(peaked), GOLDEN_CASE(sunk)}) {
    CAPTURE(c.valid_len);
    const AspOut got = pool(c.frames, c, c.valid_len);
    if (!check_finite("weights", got.weights)) {
      FAIL_CHECK("exp(e) overflows float32 beyond e ≈ 88, underflows below -104: subtract the max first");
      continue;
    }
    // the sum alone holds for any distribution: the weights must also be the right one
    if (check_close("weights", got.weights, c.weights, kT1))
      check_rows_sum_to("weights", got.weights.transpose());
  }
}

ATTN_TEST("weights of padded frames are exactly 0", property, 1) {
  for (const Case& c : {GOLDEN_CASE(padded), GOLDEN_CASE(sunk), GOLDEN_CASE(cancel)}) {
    CAPTURE(c.valid_len);
    const AspOut got = pool(c.frames, c, c.valid_len);
    if (!expect_shape("weights", got.weights, c.frames.rows(), 1)) return;
    // the valid part against golden values, then exact zeros after it
    if (!check_close("weights", got.weights, c.weights, kT1)) continue;
    if (!check_zero_where_masked("weights", got.weights.transpose(),
                                 prefix_mask(1, c.frames.rows(), c.valid_len)))
      FAIL_CHECK("padded frames must not take part in the softmax: run it over rows [0, valid_len) only");
  }
}

ATTN_TEST("padded frames holding NaN or 1e30 do not change the result", property, 3) {
  for (const Case& c : {GOLDEN_CASE(padded), GOLDEN_CASE(seed_sized), GOLDEN_CASE(cancel)}) {
    CAPTURE(c.valid_len);
    const AspOut got = pool(poison_padding(c.frames, c.valid_len), c, c.valid_len);
    const bool finite = check_finite("pooled with poisoned padding", got.pooled) &
                        check_finite("weights with poisoned padding", got.weights);
    if (!finite) {
      FAIL_CHECK(
          "padding leaked: 0 * NaN is NaN, so skip padded frames in both sums (the mean and the variance) "
          "instead of giving them weight 0");
      continue;
    }
    if (!check_pooled(" with poisoned padding", got, c.pooled, c.weights)) diagnose(got, c);
  }
}

ATTN_TEST("v = 0 gives the mean and population std of the valid frames", property, 2) {
  const Case c = GOLDEN_CASE(padded);
  if (!check_golden(c)) return;
  // every score is then k: uniform weights, and [mu, sigma] is plain statistics pooling (the x-vector's)
  const int n = c.valid_len;
  const AspOut got =
      attentive_stats_pool(poison_padding(c.frames, n), c.W, c.b.row(0), Vec::Zero(c.W.cols()), c.k, n);
  explain_poisoned(got);
  MatD uniform = MatD::Zero(c.frames.rows(), 1);
  uniform.topRows(n).setConstant(1.0 / n);
  const Eigen::VectorXd alpha = uniform.col(0);
  if (!check_pooled(" with v = 0", got, stats_variant(c.frames, alpha, n), uniform) &&
      is_close(got.pooled, stats_variant(c.frames, alpha, n, Sigma::sample), kT1))
    FAIL_CHECK("sigma is the sample std (divided by n - 1): attentive pooling weights sum to 1, no Bessel");
}

ATTN_TEST("the scalar k has no effect", property, 1) {
  const Case c = GOLDEN_CASE(full);
  if (!check_golden(c)) return;
  // softmax(e + k) = softmax(e): k shifts every score equally (|k| <= 100 keeps the float32 rounding small)
  for (const float k : {0.f, 100.f, -100.f}) {
    CAPTURE(k);
    const AspOut got = attentive_stats_pool(c.frames, c.W, c.b.row(0), c.v.col(0), k, c.valid_len);
    if (!check_pooled(" with another k", got, c.pooled, c.weights) && !got.weights.allFinite())
      FAIL_CHECK("k = ±100 puts every score beyond exp's float32 range: subtract the max score before exp");
  }
}

ATTN_TEST("permuting the valid frames permutes the weights and keeps μ and σ", property, 1) {
  const Case c = GOLDEN_CASE(padded);
  if (!check_golden(c)) return;
  // pooling is a weighted sum over frames: their order cannot matter (order reaches ASP through the encoder)
  const std::vector<int> order = reversed_prefix(c.valid_len, static_cast<int>(c.frames.rows()));
  const AspOut perm = pool(rows_in_order(c.frames, order), c, c.valid_len);
  check_pooled(" of permuted frames", perm, c.pooled, rows_in_order(c.weights, order));
}

ATTN_TEST("moving the features the scores ignore by 1000 moves μ and keeps σ", property, 2) {
  // the cancellation case with features 1..4 moved from 1000 + 0.01 ε to 0.01 ε: exact in float32, and the
  // weights stay the golden ones because the scores read feature 0 only (rows 1..4 of W are 0)
  const Case c = GOLDEN_CASE(cancel);
  const Index d = c.d();
  const Eigen::VectorXd alpha = c.weights.col(0);
  const MatD golden_sigma = c.pooled.rightCols(d);
  const Mat near_zero = cancel_frames_moved(0.f);
  const AspOut base = pool(near_zero, c, c.valid_len);
  if (!check_pooled(" of frames near 0", base, stats_variant(near_zero, alpha, c.valid_len), c.weights))
    return;
  check_sigma(" of frames near 0", base, golden_sigma);
  // Var(h + c) = Var(h): the same sigma at 1000 and at -1000
  for (const float offset : {1000.f, -1000.f}) {
    CAPTURE(offset);
    const Mat moved = cancel_frames_moved(offset);
    const AspOut got = pool(moved, c, c.valid_len);
    const MatD expected = stats_variant(moved, alpha, c.valid_len);  // from the float32 frames, in double
    const bool ok = check_close("mu of moved frames", got.pooled.head(d), expected.leftCols(d), kT1) &
                    check_sigma(" of moved frames", got, expected.rightCols(d));
    if (!ok && is_close(got.pooled.head(d), expected.leftCols(d), kT1))
      FAIL_CHECK("sigma changed when the frames moved by " << offset << ": " << kCancellation);
  }
}

ATTN_TEST("valid_len = 1 gives the first frame and σ = 1e-6", edge, 2) {
  const Case c = GOLDEN_CASE(padded);
  if (!check_golden(c)) return;
  // one frame: weight 1, mu = h_0, variance 0 clamped to 1e-12, sigma = 1e-6; rows 1..T-1 are poisoned
  const Index d = c.d();
  MatD expected(1, 2 * d);
  expected << c.frames.topRows(1).cast<double>(), MatD::Constant(1, d, 1e-6);
  MatD one_hot = MatD::Zero(c.frames.rows(), 1);
  one_hot(0, 0) = 1;
  for (const bool single_row : {false, true}) {
    CAPTURE(single_row);  // T = 1: frames is the first row alone
    const Mat frames = single_row ? Mat(c.frames.topRows(1)) : poison_padding(c.frames, 1);
    const AspOut got = pool(frames, c, 1);
    explain_poisoned(got);
    if (!check_close("mu with one frame", got.pooled.head(d), expected.leftCols(d), kT1) ||
        !check_close("weights with one frame", got.weights, one_hot.topRows(frames.rows()), kT1))
      continue;
    if (!check_sigma(" with one frame", got, expected.rightCols(d)))
      FAIL_CHECK("one frame has variance 0: sigma = sqrt(max(0, 1e-12)) = 1e-6, never 0 and never NaN");
  }
}

ATTN_TEST("constant frames give σ = 1e-6 and never NaN", edge, 2) {
  const Case c = GOLDEN_CASE(full);
  if (!check_golden(c)) return;
  // every frame the same modest row: equal scores, uniform weights, mu = that row, a variance of 0 up to
  // rounding (which may be a tiny negative number) clamped to 1e-12, so sigma = 1e-6
  const Index T = c.frames.rows(), d = c.d();
  RowVec row(d);
  for (Index j = 0; j < d; ++j) row(j) = 0.9f - 0.35f * static_cast<float>(j);  // 0.9 0.55 0.2 -0.15 ...
  const Mat frames = row.replicate(T, 1);
  const AspOut got = pool(frames, c, c.valid_len);
  if (!check_finite("pooled of constant frames", got.pooled)) {
    FAIL_CHECK("a variance of 0 can round to a tiny negative number: clamp it at 1e-12 before the sqrt");
    return;
  }
  check_close("weights of constant frames", got.weights, MatD::Constant(T, 1, 1.0 / T), kT1);
  check_close("mu of constant frames", got.pooled.head(d), row.cast<double>(), kT1);
  // nearly constant: frames alternate row ± 7e-7, a variance of ~4e-13, still below the floor: sigma = 1e-6
  Mat nearly = frames;
  for (Index t = 0; t + 1 < T; ++t) nearly.row(t).array() += t % 2 == 0 ? 7e-7f : -7e-7f;
  const AspOut got_nearly = pool(nearly, c, c.valid_len);
  const bool ok = check_sigma(" of constant frames", got, MatD::Constant(1, d, 1e-6)) &
                  check_sigma(" of nearly constant frames", got_nearly, MatD::Constant(1, d, 1e-6));
  if (ok) return;
  const auto sigma = got_nearly.pooled.tail(d).array();
  if ((sigma > 1e-6f).all() && (sigma < 1.3e-6f).all())
    FAIL_CHECK(
        "sigma is just above 1e-6: sqrt(variance + 1e-12) is a different floor. The clamp is "
        "sqrt(max(variance, 1e-12)): any variance below 1e-12 gives exactly 1e-6");
  else
    FAIL_CHECK(
        "constant frames have variance 0 (or a rounding error): sigma = sqrt(max(variance, 1e-12)) = 1e-6. "
        "Clamp the variance, not sigma; and centre first (E[h²] - mu² leaves a rounding error of ~1e-8)");
}

ATTN_TEST("valid_len = 0 gives zeros", edge, 2) {
  const Case c = GOLDEN_CASE(padded);
  if (!check_golden(c)) return;
  // every frame is padding, and poisoned: nothing may be read, and nothing to pool is all zeros (sigma too:
  // the 1e-6 floor applies to frames that exist)
  const AspOut got = pool(poison_padding(c.frames, 0), c, 0);
  if (!check_finite("pooled", got.pooled) || !check_finite("weights", got.weights)) {
    FAIL_CHECK("with no valid frame the softmax is 0/0: return zeros before normalising");
    return;
  }
  check_close("pooled with valid_len 0", got.pooled, MatD::Zero(1, 2 * c.d()), kExact);
  check_close("weights with valid_len 0", got.weights, MatD::Zero(c.frames.rows(), 1), kExact);
  // an empty utterance: frames is 0×d
  const AspOut empty = pool(Mat(0, c.d()), c, 0);
  check_close("pooled of empty frames", empty.pooled, MatD::Zero(1, 2 * c.d()), kExact);
  expect_shape("weights of empty frames", empty.weights, 0, 1);
}

ATTN_TEST("valid_len outside 0..T throws std::invalid_argument", edge, 1) {
  const Case c = GOLDEN_CASE(padded);
  CHECK_THROWS_AS(pool(c.frames, c, static_cast<int>(c.frames.rows()) + 1), std::invalid_argument);
  CHECK_THROWS_AS(pool(c.frames, c, -1), std::invalid_argument);
}

ATTN_TEST("mismatched W or b or v throws std::invalid_argument", edge, 1) {
  using namespace golden::padded;  // frames (9, 8), W (8, 6), b (1, 6), v (6,)
  const RowVec b_row = b.row(0);
  const Vec v_col = v.col(0);
  CHECK_THROWS_AS(attentive_stats_pool(frames, Mat::Random(7, 6), b_row, v_col, k, valid_len),
                  std::invalid_argument);
  CHECK_THROWS_AS(attentive_stats_pool(frames, W.transpose(), b_row, v_col, k, valid_len),
                  std::invalid_argument);
  CHECK_THROWS_AS(attentive_stats_pool(frames, W, RowVec::Random(5), v_col, k, valid_len),
                  std::invalid_argument);
  CHECK_THROWS_AS(attentive_stats_pool(frames, W, b_row, Vec::Random(7), k, valid_len),
                  std::invalid_argument);
}

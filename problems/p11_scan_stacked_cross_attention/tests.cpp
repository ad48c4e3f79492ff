// p11 scan_stacked_cross_attention — graded tests. Golden values: tools/golden/p11.py (torch float64 written
// as SCAN's func_attention + xattn_score_t2i with ReLU, F.cosine_similarity, torch.logsumexp; cross-checked
// with a numpy loop over (region, word) pairs).
#include <attnkata/graded.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "golden.inc"
#include "scan_stacked_cross_attention.h"

using namespace attn;
using namespace attn::check;

namespace {

using VecD = Eigen::VectorXd;

// One golden case of golden.inc: its inputs and the expected outputs.
struct Golden {
  const Mat& regions;
  const Mat& words;
  float lambda1, lambda2;
  const MatD& attended;
  const MatD& alpha;
  const MatD& relevance;
  double s_lse, s_avg;
};
#define GOLDEN(ns)                                                                                          \
  Golden {                                                                                                  \
    golden::ns::regions, golden::ns::words, golden::ns::lambda1, golden::ns::lambda2, golden::ns::attended, \
        golden::ns::alpha, golden::ns::relevance, golden::ns::s_lse, golden::ns::s_avg                      \
  }

// What a test expects: golden values, or golden values permuted or scaled.
struct Expected {
  MatD attended, alpha, relevance;
  double s_lse, s_avg;
};
Expected expected_of(const Golden& g) {
  return {g.attended, g.alpha, g.relevance, g.s_lse, g.s_avg};
}

ScanOut run(const Golden& g) {
  return scan_t2i(g.regions, g.words, g.lambda1, g.lambda2);
}

// ---- diagnosis only, never a golden value: SCAN and the classic wrong versions of it, in double ----

enum class Variant { correct, leaky, no_clip, over_regions, no_normalisation, raw_dot, no_lambda1 };

struct Model {
  MatD alpha, attended;
  VecD relevance;
};

double cosine(const Eigen::RowVectorXd& x, const Eigen::RowVectorXd& y) {
  return x.dot(y) / std::max(x.norm() * y.norm(), 1e-8);
}

Model model(const Mat& regions, const Mat& words, double lambda1, Variant v) {
  const MatD R = regions.cast<double>(), E = words.cast<double>();
  const Index k = R.rows(), n = E.rows();
  MatD s(k, n);
  for (Index i = 0; i < k; ++i)
    for (Index j = 0; j < n; ++j)
      s(i, j) = v == Variant::raw_dot ? R.row(i).dot(E.row(j)) : cosine(R.row(i), E.row(j));
  if (v == Variant::leaky)
    s = s.unaryExpr([](double x) { return x > 0 ? x : 0.1 * x; });
  else if (v != Variant::no_clip)
    s = s.cwiseMax(0.0);
  if (v == Variant::over_regions)
    for (Index j = 0; j < n; ++j) s.col(j) /= s.col(j).norm() + 1e-8;
  else if (v != Variant::no_normalisation)
    for (Index i = 0; i < k; ++i) s.row(i) /= s.row(i).norm() + 1e-8;
  const double temperature = v == Variant::no_lambda1 ? 1.0 : lambda1;
  Model m;
  m.alpha.resize(k, n);
  for (Index j = 0; j < n; ++j) {
    const VecD z = (temperature * (s.col(j).array() - s.col(j).maxCoeff())).exp().matrix();
    m.alpha.col(j) = z / z.sum();
  }
  m.attended = m.alpha.transpose() * R;
  m.relevance.resize(n);
  for (Index j = 0; j < n; ++j) m.relevance(j) = cosine(E.row(j), m.attended.row(j));
  return m;
}

double lse(const VecD& relevance, double lambda2) {
  const double top = relevance.maxCoeff();
  return top + std::log((lambda2 * (relevance.array() - top)).exp().sum()) / lambda2;
}

// Name the classic mistakes when a comparison fails; a mistake is named only when it changes the numbers
// here.
void diagnose(const ScanOut& got, const Mat& regions, const Mat& words, float lambda1, float lambda2) {
  const Model truth = model(regions, words, lambda1, Variant::correct);
  if (got.alpha.rows() != truth.alpha.rows() || got.alpha.cols() != truth.alpha.cols()) return;
  auto alpha_is = [&](Variant v) {
    const Model m = model(regions, words, lambda1, v);
    return !is_close(m.alpha, truth.alpha, kT2) && is_close(got.alpha, m.alpha, kT2);
  };
  const bool alpha_ok = is_close(got.alpha, truth.alpha, kT2);
  if (!alpha_ok) {
    const Index k = got.alpha.rows(), n = got.alpha.cols();
    const bool rows_sum_to_1 = got.alpha.allFinite() && k > 1 &&
                               (got.alpha.rowwise().sum().array() - 1).abs().maxCoeff() < 1e-4 &&
                               (got.alpha.colwise().sum().array() - 1).abs().maxCoeff() > 1e-3;
    if (rows_sum_to_1 && n > 1)
      FAIL_CHECK(
          "the rows of alpha sum to 1: the softmax runs over the words. In text-to-image attention each word "
          "chooses among the regions, so each column (one word) is a distribution over the k regions");
    else if (alpha_is(Variant::leaky))
      FAIL_CHECK(
          "alpha matches LeakyReLU(0.1) before the normalisation, the official code's clipped_l2norm: the "
          "paper, and this problem, clip with [s]_+ = max(s, 0), so a negative cosine counts as 0");
    else if (alpha_is(Variant::no_clip))
      FAIL_CHECK(
          "alpha matches similarities normalised without clipping: clip the negative cosines to 0 first "
          "([s]_+), then l2-normalise each region's row");
    else if (alpha_is(Variant::over_regions))
      FAIL_CHECK(
          "alpha matches s̄ normalised over the regions (each word's column): in text-to-image attention "
          "each region's row is normalised over the words, and the softmax then runs over the regions");
    else if (alpha_is(Variant::no_normalisation))
      FAIL_CHECK(
          "alpha matches clipped cosines without the l2 normalisation: divide each region's clipped row by "
          "its norm over the words (+ 1e-8) before the softmax");
    else if (alpha_is(Variant::raw_dot))
      FAIL_CHECK(
          "alpha matches raw dot products r_i·e_j: the similarities are cosines, r_i·e_j / max(|r_i||e_j|, "
          "1e-8), so the scale of a feature vector does not matter");
    else if (alpha_is(Variant::no_lambda1))
      FAIL_CHECK("alpha matches a softmax at temperature 1: multiply s̄ by λ1 (lambda1) before the softmax");
    return;
  }
  if (got.relevance.size() != truth.relevance.size() || !got.relevance.allFinite()) return;
  if (!is_close(got.relevance, truth.relevance, kT2)) {
    VecD dot(truth.relevance.size());
    for (Index j = 0; j < dot.size(); ++j) dot(j) = words.row(j).cast<double>().dot(truth.attended.row(j));
    if (is_close(got.relevance, dot, kT2))
      FAIL_CHECK("relevance matches e_j·a_j: R_j is the cosine of the word and its attended vector");
    return;
  }
  const double want = lse(truth.relevance, lambda2), mean = truth.relevance.mean();
  const double s = got.s_lse;  // a non-finite s_lse is explained by explain_non_finite
  if (!std::isfinite(s)) return;
  if (std::abs(s - lambda2 * want) < 1e-4 * std::max(1.0, std::abs(lambda2 * want)))
    FAIL_CHECK("s_lse is λ2 times the expected value: divide the log by λ2");
  else if (std::abs(s - mean) < 1e-5 && std::abs(want - mean) > 1e-4)
    FAIL_CHECK("s_lse equals the mean of R: that is S_AVG; S_LSE = log(Σ_j exp(λ2 R_j)) / λ2");
  else if (std::abs(s - lse(truth.relevance, 1.0)) < 1e-5 && lambda2 != 1.f)
    FAIL_CHECK("s_lse is the LogSumExp at λ2 = 1: multiply R by λ2 inside the exp and divide by λ2 after");
}

// On a non-finite result: name the guard that is missing, from what the inputs contain.
void explain_non_finite(const ScanOut& got, const Mat& regions, const Mat& words) {
  if (!got.alpha.allFinite() || !got.attended.allFinite() || !got.relevance.allFinite()) {
    for (Index i = 0; i < regions.rows(); ++i)
      if (regions.row(i).isZero(0)) {
        FAIL_CHECK("region " << i
                             << " is the zero vector, and |r| |e| = 0 makes its cosines 0/0 = NaN: divide by "
                                "max(|r| |e|, 1e-8). Its row is then all 0 after the ReLU, so the "
                                "normalisation needs its + 1e-8 too (0 / 1e-8 = 0, but 0 / 0 is NaN)");
        return;
      }
    for (Index j = 0; j < words.rows(); ++j)
      if (words.row(j).isZero(0)) {
        FAIL_CHECK("word " << j
                           << " is the zero vector, and |r| |e| = 0 makes its cosines 0/0 = NaN: divide by "
                              "max(|r| |e|, 1e-8), so a zero word has cosine 0 with every region and R = 0");
        return;
      }
    const MatD s = regions.cast<double>() * words.cast<double>().transpose();
    for (Index i = 0; i < regions.rows(); ++i)
      if (s.row(i).maxCoeff() <= 0) {
        FAIL_CHECK("region " << i
                             << " has no positive cosine with any word, so its row is all 0 after the ReLU "
                                "and its normalisation is 0 / sqrt(0) = NaN: divide by the norm + 1e-8");
        return;
      }
    FAIL_CHECK("a NaN or inf appeared before the pooling (a 0/0, or an exp that overflowed?)");
  } else if (!std::isfinite(got.s_lse)) {
    FAIL_CHECK("s_lse is " << num(got.s_lse)
                           << ": exp(λ2 R_j) overflowed float32 (above 88.7). Factor out m = max R_j: "
                              "S_LSE = m + log Σ exp(λ2 (R_j − m)) / λ2");
  }
}

// Shapes, finiteness, then every output against its expected value; names the mistake on a mismatch.
bool check_scan(const ScanOut& got, const Expected& e, const Mat& regions, const Mat& words, float lambda1,
                float lambda2, Tol tol = kT2) {
  if (!expect_shape("attended", got.attended, e.attended.rows(), e.attended.cols()) ||
      !expect_shape("alpha", got.alpha, e.alpha.rows(), e.alpha.cols()) ||
      !expect_shape("relevance", got.relevance, e.relevance.rows(), 1))
    return false;
  explain_non_finite(got, regions, words);
  const bool ok = check_close("alpha", got.alpha, e.alpha, tol) &
                  check_close("attended", got.attended, e.attended, tol) &
                  check_close("relevance", got.relevance, e.relevance, tol) &
                  check_close("s_lse", static_cast<double>(got.s_lse), e.s_lse, tol) &
                  check_close("s_avg", static_cast<double>(got.s_avg), e.s_avg, tol);
  if (!ok) diagnose(got, regions, words, lambda1, lambda2);
  return ok;
}

bool check_golden(const ScanOut& got, const Golden& g) {
  return check_scan(got, expected_of(g), g.regions, g.words, g.lambda1, g.lambda2);
}

// m.row(i) scaled by factor(i)
MatD rows_scaled(const Mat& m, const std::vector<float>& factor) {
  MatD out = m.cast<double>();
  for (Index i = 0; i < out.rows(); ++i) out.row(i) *= factor[static_cast<size_t>(i)];
  return out;
}

}  // namespace

ATTN_TEST("attended is n×d and alpha k×n and relevance has n entries", shape, 1) {
  const ScanOut got = scan_t2i(Mat::Random(5, 4), Mat::Random(3, 4), 9.f, 6.f);
  expect_shape("attended", got.attended, 3, 4);
  expect_shape("alpha", got.alpha, 5, 3);
  expect_shape("relevance", got.relevance, 3, 1);
}

ATTN_TEST("a single region gets alpha 1 and is every word's attended vector", shape, 1) {
  const Mat region = Mat::Random(1, 4);
  const ScanOut got = scan_t2i(region, Mat::Random(3, 4), 9.f, 6.f);
  if (!expect_shape("alpha", got.alpha, 1, 3)) return;
  check_close("alpha", got.alpha, MatD::Ones(1, 3), kT1);
  check_close("attended", got.attended, region.cast<double>().replicate(3, 1), kT1);
}

ATTN_TEST("worked example from the statement", numeric, 2) {
  // r_1 = [1 0], r_2 = [0 1], r_3 = [0 0] (a blank region); e_1 = [1 0], e_2 = [-1 1]; λ1 = ln 3, λ2 = 6.
  // s = [[1, -1/√2], [0, 1/√2], [0, 0]] → ReLU, rows over the words → s̄ = [[1, 0], [0, 1], [0, 0]];
  // exp(ln 3 · s̄) = [[3, 1], [1, 3], [1, 1]] → alpha = [[0.6, 0.2], [0.2, 0.6], [0.2, 0.2]];
  // a_1 = [0.6 0.2], a_2 = [0.2 0.6]; R = [3/√10, 1/√5] = [0.9486833, 0.4472136];
  // S_AVG = 0.6979484, S_LSE = R_1 + log(1 + exp(-6 (R_1 - R_2))) / 6 = 0.9567118
  const Mat regions{{1.f, 0.f}, {0.f, 1.f}, {0.f, 0.f}}, words{{1.f, 0.f}, {-1.f, 1.f}};
  const float lambda1 = static_cast<float>(std::log(3.0)), lambda2 = 6.f;
  const MatD alpha{{0.6, 0.2}, {0.2, 0.6}, {0.2, 0.2}}, attended{{0.6, 0.2}, {0.2, 0.6}};
  const Expected e{attended, alpha, (VecD(2) << 3 / std::sqrt(10.0), 1 / std::sqrt(5.0)).finished(),
                   0.9567118, 0.6979484};
  check_scan(scan_t2i(regions, words, lambda1, lambda2), e, regions, words, lambda1, lambda2,
             Tol{1e-6, 1e-6, "7 digits"});
}

ATTN_TEST("the Flickr30K settings λ1 = 9 and λ2 = 6 match golden values", numeric, 3) {
  const Golden g = GOLDEN(flickr);
  if (!check_golden(run(g), g)) return;
  INFO("called as scan_t2i(regions, words): the defaults are lambda1 = 9 and lambda2 = 6");
  check_golden(scan_t2i(g.regions, g.words), g);
}

ATTN_TEST("36 regions and 12 words of width 64 match golden values", numeric, 2) {
  const Golden g = GOLDEN(bottom_up);
  check_golden(run(g), g);
}

ATTN_TEST("a region unlike every word gets s̄ = 0 under the paper's ReLU", numeric, 2) {
  const Golden g = GOLDEN(clipped);  // region 0 has a negative cosine with all 5 words
  const ScanOut got = run(g);
  check_golden(got, g);
}

ATTN_TEST("λ1 = 20 and λ2 = 100 match golden values", numeric, 2) {
  const Golden g = GOLDEN(sharp);  // λ2 R_j exceeds 88.7 here, where float32 exp overflows
  check_golden(run(g), g);
}

ATTN_TEST("each column of alpha sums to 1 over the regions", property, 1) {
  const Golden g = GOLDEN(bottom_up);
  const ScanOut got = run(g);
  if (!expect_shape("alpha", got.alpha, g.alpha.rows(), g.alpha.cols())) return;
  // the sums alone hold for any distribution over the regions (uniform ones too): alpha must also be the
  // golden one
  const Mat columns = got.alpha.transpose();
  if (!check_rows_sum_to("alphaᵀ (one row per word)", columns))
    diagnose(got, g.regions, g.words, g.lambda1, g.lambda2);
  else
    check_golden(got, g);
}

ATTN_TEST("relevance lies between -1 and 1 and S_AVG is its mean", property, 1) {
  for (const Golden& g : {GOLDEN(flickr), GOLDEN(sharp)}) {
    const ScanOut got = run(g);
    if (!check_golden(got, g)) return;
    for (Index word_j = 0; word_j < got.relevance.size(); ++word_j)
      if (!(std::abs(got.relevance(word_j)) <= 1 + 1e-6))
        FAIL_CHECK("relevance(" << word_j << ") = " << num(got.relevance(word_j))
                                << " is outside [-1, 1]: R_j is a cosine");
    check_close("s_avg against the mean of your relevance", double(got.s_avg),
                got.relevance.cast<double>().mean(), kT1);
  }
}

ATTN_TEST("S_LSE lies between max R and max R + log(n)/λ2", property, 1) {
  using namespace golden::flickr;
  const Golden g = GOLDEN(flickr);
  if (!check_golden(run(g), g)) return;
  const double top = relevance.maxCoeff(), n = static_cast<double>(relevance.rows());
  const std::vector<std::pair<float, double>> cases{{lambda2_1, s_lse_at_1},
                                                    {lambda2, s_lse},
                                                    {lambda2_100, s_lse_at_100},
                                                    {lambda2_10000, s_lse_at_10000}};
  for (const auto& [l2, want] : cases) {
    CAPTURE(l2);
    const ScanOut got = scan_t2i(regions, words, lambda1, l2);
    if (!std::isfinite(got.s_lse)) {
      explain_non_finite(got, regions, words);
      continue;
    }
    const double bound = top + std::log(n) / l2;
    if (!(got.s_lse >= top - 1e-6 && got.s_lse <= bound + 1e-6))
      FAIL_CHECK(
          "s_lse = " << num(got.s_lse) << " is outside [max R, max R + log(n)/λ2] = [" << num(top) << ", "
                     << num(bound)
                     << "]: each term exp(λ2 R_j) is at most exp(λ2 max R), and one of them equals it");
    check_close("s_lse", double(got.s_lse), want, kT2);
  }
}

ATTN_TEST("scaling regions and words by positive constants changes only attended", property, 2) {
  const Golden g = GOLDEN(flickr);
  if (!check_golden(run(g), g)) return;
  // every region × 3.5 and each word by its own factor: cosines do not change, so neither does anything
  // computed from them; attended is a weighted sum of region rows and grows 3.5 times
  const std::vector<float> word_scale{0.25f, 2.f, 8.f, 0.5f, 4.f, 1.f, 0.125f};
  const Mat regions = 3.5f * g.regions;
  const Mat words = rows_scaled(g.words, word_scale).cast<float>();
  Expected e = expected_of(g);
  e.attended *= 3.5;
  if (!check_scan(scan_t2i(regions, words, g.lambda1, g.lambda2), e, regions, words, g.lambda1, g.lambda2))
    FAIL_CHECK(
        "scaled features changed the result: every similarity here is a cosine, which ignores the length of "
        "both vectors");
}

ATTN_TEST("permuting regions permutes alpha rows and changes no score", property, 2) {
  const Golden g = GOLDEN(flickr);
  if (!check_golden(run(g), g)) return;
  const std::vector<int> order{7, 2, 9, 0, 5,
                               3, 8, 1, 6, 4};  // region i of the permuted image is region order[i]
  const Mat regions = rows_in_order(g.regions, order);
  Expected e = expected_of(g);
  e.alpha = rows_in_order(g.alpha, order);
  if (!check_scan(scan_t2i(regions, g.words, g.lambda1, g.lambda2), e, regions, g.words, g.lambda1,
                  g.lambda2))
    FAIL_CHECK(
        "the regions of an image form a set: reordering them must reorder alpha's rows and change nothing "
        "else (softmax over the regions, then a weighted sum)");
}

ATTN_TEST("permuting words permutes attended rows and alpha columns and relevance", property, 1) {
  const Golden g = GOLDEN(flickr);
  if (!check_golden(run(g), g)) return;
  const std::vector<int> order{3, 6, 0, 5, 1, 4, 2};  // word j of the permuted caption is word order[j]
  const Mat words = rows_in_order(g.words, order);
  Expected e = expected_of(g);
  e.attended = rows_in_order(g.attended, order);
  e.relevance = rows_in_order(g.relevance, order);
  const MatD alpha_t = g.alpha.transpose();
  e.alpha = rows_in_order(alpha_t, order).transpose();
  if (!check_scan(scan_t2i(g.regions, words, g.lambda1, g.lambda2), e, g.regions, words, g.lambda1,
                  g.lambda2))
    FAIL_CHECK(
        "each word attends on its own (the normalisation of a region's row over the words does not depend "
        "on their order): reordering the words reorders the per-word outputs, and the pooled scores stay");
}

ATTN_TEST("λ1 = 0 weighs every region equally", property, 1) {
  const Golden g = GOLDEN(flickr);
  if (!check_golden(run(g), g)) return;
  // λ1 = 0: exp(0) for every region, alpha = 1/k; every word attends to the mean region
  const Index k = g.regions.rows(), n = g.words.rows();
  const Eigen::RowVectorXd mean = g.regions.cast<double>().colwise().mean();
  Expected e{mean.replicate(n, 1), MatD::Constant(k, n, 1.0 / static_cast<double>(k)), VecD(n), 0, 0};
  for (Index word_j = 0; word_j < n; ++word_j)
    e.relevance(word_j) = cosine(g.words.row(word_j).cast<double>(), mean);
  e.s_lse = lse(e.relevance, g.lambda2);
  e.s_avg = e.relevance.mean();
  if (!check_scan(scan_t2i(g.regions, g.words, 0.f, g.lambda2), e, g.regions, g.words, 0.f, g.lambda2))
    FAIL_CHECK("λ1 is an inverse temperature: at 0 the softmax over the regions is uniform");
}

ATTN_TEST("λ2 = 1e4 gives a finite S_LSE within 1e-3 of max R", edge, 2) {
  using namespace golden::bottom_up;
  const Golden g = GOLDEN(bottom_up);
  if (!check_golden(run(g), g)) return;  // λ2 = 6
  const ScanOut got = scan_t2i(regions, words, lambda1, lambda2_10000);
  // λ2 only pools: alpha, attended and relevance are those of λ2 = 6
  check_close("alpha at λ2 = 1e4", got.alpha, alpha, kT2);
  check_close("relevance at λ2 = 1e4", got.relevance, relevance, kT2);
  if (!std::isfinite(got.s_lse)) {
    explain_non_finite(got, regions, words);
    return;
  }
  const double top = relevance.maxCoeff();
  if (!(std::abs(got.s_lse - top) <= 1e-3))
    FAIL_CHECK("s_lse = " << num(got.s_lse)
                          << " at λ2 = 1e4, but a large λ2 makes LogSumExp pooling the max: "
                          << "max R = " << num(top) << " (within log(12)/1e4 = 2.5e-4)");
  check_close("s_lse at λ2 = 1e4", double(got.s_lse), s_lse_at_10000, kT2);
}

ATTN_TEST("a zero region vector gives finite results", edge, 2) {
  const Golden g = GOLDEN(zero_region);  // region 2 is all zeros: its cosine with every word is 0
  const ScanOut got = run(g);
  check_golden(got, g);
}

ATTN_TEST("a zero word vector gets relevance 0 and a uniform column of alpha", edge, 2) {
  const Golden g = GOLDEN(zero_word);  // word 1 is all zeros
  const ScanOut got = run(g);
  if (!expect_shape("alpha", got.alpha, 6, 4) || !expect_shape("relevance", got.relevance, 4, 1)) return;
  check_close("alpha(:, 1), the zero word's column", got.alpha.col(1), MatD::Constant(6, 1, 1.0 / 6), kT1);
  check_close("relevance(1), the zero word's", double(got.relevance(1)), 0.0, kT1);
  check_golden(got, g);  // and the other words are the golden ones
}

ATTN_TEST("regions and words of different or zero widths throw std::invalid_argument", edge, 1) {
  CHECK_THROWS_AS(scan_t2i(Mat::Random(4, 5), Mat::Random(3, 6)), std::invalid_argument);
  CHECK_THROWS_AS(scan_t2i(Mat::Random(4, 6), Mat::Random(3, 5)), std::invalid_argument);
  CHECK_THROWS_AS(scan_t2i(Mat(4, 0), Mat(3, 0)), std::invalid_argument);
  CHECK_NOTHROW(scan_t2i(Mat::Random(4, 5), Mat::Random(3, 5)));
}

ATTN_TEST("no regions or no words throws std::invalid_argument", edge, 1) {
  CHECK_THROWS_AS(scan_t2i(Mat(0, 5), Mat::Random(3, 5)), std::invalid_argument);
  CHECK_THROWS_AS(scan_t2i(Mat::Random(4, 5), Mat(0, 5)), std::invalid_argument);
  CHECK_NOTHROW(scan_t2i(Mat::Random(1, 5), Mat::Random(1, 5)));
}

ATTN_TEST("a negative or non-finite λ1 or a λ2 that is not finite and positive throws", edge, 1) {
  const Mat regions = Mat::Random(4, 5), words = Mat::Random(3, 5);
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  for (const float bad : {-1.f, inf, nan}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(scan_t2i(regions, words, bad, 6.f), std::invalid_argument);
  }
  for (const float bad : {0.f, -6.f, inf, nan}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(scan_t2i(regions, words, 9.f, bad), std::invalid_argument);
  }
  CHECK_NOTHROW(scan_t2i(regions, words, 0.f, 1e4f));
}

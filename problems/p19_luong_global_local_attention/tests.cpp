// p19 luong_global_local_attention — graded tests. Golden values: tools/golden/p19.py (numpy, cross-checked
// with torch).
#include <attnkata/graded.h>

#include <cmath>
#include <string>
#include <vector>

#include "golden.inc"
#include "luong_global_local_attention.h"

using namespace attn;
using namespace attn::check;

namespace {

using VecD = Eigen::VectorXd;
using RowVecD = Eigen::RowVectorXd;

LuongParams params(LuongScore score, const Mat& W_a, const Mat& v_a, const Mat& W_c, const Mat& W_p = Mat(),
                   const Mat& v_p = Mat(), int D = 0) {
  return {score, W_a, v_a.cols() ? Vec(v_a.col(0)) : Vec(), W_c, W_p, v_p.cols() ? Vec(v_p.col(0)) : Vec(),
          D};
}

// ---- diagnosis and in-test expectations only, never a golden value: Luong's formulas in double ----

enum class ScoreTwist { None, Scaled, WaTransposed, ConcatSwapped };
enum class Twist { None, Renormalise, SigmaD, NoGaussian, PadOutside, PtTimesS };

// score of each row of rows (count, n_s) against h (1, n_t)
VecD scores_d(const RowVec& h, const MatD& rows, const LuongParams& p, ScoreTwist twist = ScoreTwist::None) {
  const RowVecD hd = h.cast<double>();
  const Index n_t = hd.cols(), n_s = rows.cols();
  const MatD W_a = p.W_a.cast<double>();
  switch (p.score) {
    case LuongScore::Dot:
      return rows * hd.transpose() / (twist == ScoreTwist::Scaled ? std::sqrt(double(n_t)) : 1.0);
    case LuongScore::General:
      return rows *
             (twist == ScoreTwist::WaTransposed ? MatD(hd * W_a.transpose()) : MatD(hd * W_a)).transpose();
    case LuongScore::Concat: {
      const bool swapped = twist == ScoreTwist::ConcatSwapped;
      const RowVecD target = hd * (swapped ? W_a.bottomRows(n_t) : W_a.topRows(n_t));
      const MatD source = rows * (swapped ? W_a.topRows(n_s) : W_a.bottomRows(n_s));
      return (source.rowwise() + target).array().tanh().matrix() * p.v_a.cast<double>();
    }
  }
  return {};
}

VecD softmax_d(const VecD& s) {
  const VecD e = (s.array() - s.maxCoeff()).exp().matrix();
  return e / e.sum();
}

double centre_d(const RowVec& h, Index S, const LuongParams& p, bool times_S = false) {
  const double x =
      (h.cast<double>() * p.W_p.cast<double>()).array().tanh().matrix().dot(p.v_p.cast<double>().transpose());
  return double(times_S ? S : S - 1) / (1 + std::exp(-x));
}

// Local-p weights from the definition, or with one classic mistake.
VecD local_d(const RowVec& h, const Mat& src, const LuongParams& p, Twist twist = Twist::None) {
  const Index S = src.rows();
  const double p_t = centre_d(h, S, p, twist == Twist::PtTimesS);
  const double sigma = twist == Twist::SigmaD ? p.D : p.D / 2.0;
  const Index lo = Index(std::ceil(p_t - p.D)), hi = Index(std::floor(p_t + p.D));
  const Index first = twist == Twist::PadOutside ? lo : std::max<Index>(0, lo);
  const Index last = twist == Twist::PadOutside ? hi : std::min<Index>(S - 1, hi);
  MatD rows = MatD::Zero(last - first + 1, src.cols());  // out-of-range positions stay zero states
  for (Index s = first; s <= last; ++s)
    if (s >= 0 && s < S) rows.row(s - first) = src.row(s).cast<double>();
  const VecD sm = softmax_d(scores_d(h, rows, p));
  VecD a = VecD::Zero(S);
  for (Index s = std::max<Index>(first, 0); s <= std::min<Index>(last, S - 1); ++s) {
    const double dist = s - p_t;
    a(s) = sm(s - first) * (twist == Twist::NoGaussian ? 1.0 : std::exp(-dist * dist / (2 * sigma * sigma)));
  }
  if (twist == Twist::Renormalise) a /= a.sum();
  return a;
}

MatD attentional_d(const RowVecD& context, const RowVec& h, const Mat& W_c) {
  RowVecD both(context.cols() + h.cols());
  both << context, h.cast<double>();
  return (both * W_c.cast<double>()).array().tanh().matrix();
}

// Name the classic mistakes when a golden comparison fails.
void diagnose(const LuongOut& got, const RowVec& h, const Mat& src, const LuongParams& p, bool local) {
  const Index n_t = h.cols(), n_s = src.cols(), S = src.rows();
  if (got.weights.size() == S) {
    const MatD srcd = src.cast<double>();
    auto weights_are = [&](const VecD& w) { return is_close(got.weights, w, kT2); };
    const VecD correct = local ? local_d(h, src, p) : VecD();
    // a twist is named only when the weights match it and it differs from the right answer on this input
    auto twisted = [&](Twist twist) {
      const VecD w = local_d(h, src, p, twist);
      return weights_are(w) && !is_close(w, correct, kT2);
    };
    if (local && !weights_are(correct)) {
      if (twisted(Twist::Renormalise))
        FAIL_CHECK(
            "the local-p weights sum to 1: you renormalised after the Gaussian. Luong's weights are the "
            "window softmax times exp(-(s - p_t)²/(2σ²)), left as they are: they sum to less than 1");
      if (twisted(Twist::SigmaD)) FAIL_CHECK("the Gaussian is too wide: σ = D/2, so 2σ² = D²/2, not 2D²");
      if (twisted(Twist::NoGaussian))
        FAIL_CHECK("these are the window softmax weights without the Gaussian factor exp(-(s - p_t)²/(2σ²))");
      if (twisted(Twist::PadOutside))
        FAIL_CHECK(
            "positions outside [0, S-1] took part in the softmax (as zero source states): clip the window "
            "to the source before the softmax");
      if (twisted(Twist::PtTimesS) || std::abs(got.p_t - centre_d(h, S, p, true)) < 1e-4)
        FAIL_CHECK(
            "p_t = S·sigmoid(…) is Luong's formula for 1-based positions; with positions 0..S-1 use "
            "(S - 1)·sigmoid(…), so p_t never leaves the source");
    } else if (!local) {
      if (p.score == LuongScore::Dot && weights_are(softmax_d(scores_d(h, srcd, p, ScoreTwist::Scaled))))
        FAIL_CHECK(
            "the dot scores are divided by sqrt(n): Luong's dot score is the plain h_t·h̄_s (the 1/sqrt(d) "
            "scale belongs to Vaswani's scaled dot product)");
      if (p.score == LuongScore::General && n_t == n_s &&
          weights_are(softmax_d(scores_d(h, srcd, p, ScoreTwist::WaTransposed))))
        FAIL_CHECK("W_a is transposed: the general score is h_t W_a h̄_sᵀ with W_a of shape (n_t, n_s)");
      if (p.score == LuongScore::Concat &&
          weights_are(softmax_d(scores_d(h, srcd, p, ScoreTwist::ConcatSwapped))))
        FAIL_CHECK("the concat score takes [h_t, h̄_s] in that order: rows 0..n_t-1 of W_a multiply h_t");
      if (got.weights.allFinite() && std::abs(got.weights.sum() - 1) > 1e-3)
        FAIL_CHECK("global weights must sum to 1: a softmax over all S source positions");
    }
  }
  if (got.context.size() == n_s && got.context.allFinite() && got.h_tilde.size() == p.W_c.cols()) {
    const MatD c = got.context.cast<double>();
    auto h_tilde_is = [&](const MatD& e) { return is_close(got.h_tilde, e, kT2); };
    if (h_tilde_is((h.cast<double>() * p.W_c.bottomRows(n_t).cast<double>()).array().tanh().matrix()))
      FAIL_CHECK(
          "h_tilde ignores the context: it is tanh([c_t, h_t] W_c), the rows 0..n_s-1 of W_c multiply c_t. "
          "Without c_t the attention has no effect on the output");
    if (n_t == n_s && h_tilde_is((h.cast<double>() * p.W_c.topRows(n_t).cast<double>() +
                                  c * p.W_c.bottomRows(n_s).cast<double>())
                                     .array()
                                     .tanh()
                                     .matrix()))
      FAIL_CHECK("h_tilde concatenates [c_t, h_t] in that order: the context comes first");
    RowVecD both(n_s + n_t);
    both << c, h.cast<double>();
    if (h_tilde_is(both * p.W_c.cast<double>()))
      FAIL_CHECK("h_tilde is missing its tanh: h̃_t = tanh([c_t, h_t] W_c)");
  }
}

// Compare every field with golden values; diagnose once on failure. Global attention has p_t = -1 exactly.
void check_golden(const LuongOut& got, const MatD& h_tilde, const MatD& context, const MatD& weights,
                  double p_t, const RowVec& h, const Mat& src, const LuongParams& p, bool local) {
  if (!expect_shape("weights", got.weights, weights.rows(), 1) ||
      !expect_shape("context", got.context, 1, context.cols()) ||
      !expect_shape("h_tilde", got.h_tilde, 1, h_tilde.cols()))
    return;
  bool ok = true;
  if (local)
    ok &= check_close("p_t", double(got.p_t), p_t, kT1);
  else if (got.p_t != -1.f) {
    FAIL_CHECK("global attention has no window: its p_t must be -1 exactly, got " << got.p_t);
    ok = false;
  }
  ok &= check_close("weights", got.weights, weights, kT1);
  ok &= check_close("context", got.context, context, kT1);
  ok &= check_close("h_tilde", got.h_tilde, h_tilde, kT1);
  if (!ok) diagnose(got, h, src, p, local);
}

// The worked example of the statement: src rows [1 0] [0 1] [1 1] [-1 0], h_t = [1 2], W_c = [I; I].
struct Example {
  RowVec h{{1.f, 2.f}};
  Mat src{{1.f, 0.f}, {0.f, 1.f}, {1.f, 1.f}, {-1.f, 0.f}};
  LuongParams p{LuongScore::Dot, Mat(), Vec(), Mat(), Mat::Zero(2, 1), Vec::Ones(1), 1};
  Example() {
    p.W_c = Mat(4, 2);
    p.W_c << Mat::Identity(2, 2), Mat::Identity(2, 2);
  }
};

}  // namespace

ATTN_TEST("global returns h_tilde context and weights of the right sizes", shape, 1) {
  // n_t = 3, n_s = 5, S = 6, concat with a = 4, d_out = 2
  const LuongParams p{
      LuongScore::Concat, Mat::Random(8, 4), Vec::Random(4), Mat::Random(8, 2), Mat(), Vec(), 0};
  const LuongOut got = luong_global(RowVec::Random(3), Mat::Random(6, 5), p);
  expect_shape("h_tilde", got.h_tilde, 1, 2);
  expect_shape("context", got.context, 1, 5);
  expect_shape("weights", got.weights, 6, 1);
}

ATTN_TEST("local-p returns one weight per source position", shape, 1) {
  const LuongParams p{LuongScore::General, Mat::Random(3, 5), Vec(), Mat::Random(8, 4),
                      Mat::Random(3, 2),   Vec::Random(2),    2};
  const LuongOut got = luong_local_p(RowVec::Random(3), Mat::Random(30, 5), p);
  if (got.weights.size() == 5)
    FAIL_CHECK("weights has 2D+1 = 5 entries: return one weight per source position, 0 outside the window");
  expect_shape("weights", got.weights, 30, 1);
  expect_shape("context", got.context, 1, 5);
  expect_shape("h_tilde", got.h_tilde, 1, 4);
}

ATTN_TEST("worked example from the statement", numeric, 2) {
  const Example ex;
  const LuongOut global = luong_global(ex.h, ex.src, ex.p);
  check_close("global weights", global.weights, MatD{{0.0889468}, {0.2417825}, {0.657233}, {0.0120376}},
              Tol{1e-6, 1e-6, "1e-6 (7 digits)"});
  check_close("global h_tilde", global.h_tilde, MatD{{0.9395435, 0.9939513}},
              Tol{1e-6, 1e-6, "1e-6 (7 digits)"});
  if (global.p_t != -1.f)
    FAIL_CHECK("global attention has no window: its p_t must be -1, got " << global.p_t);
  const LuongOut local = luong_local_p(ex.h, ex.src, ex.p);
  check_close("local p_t", double(local.p_t), 1.5, Tol{0, 1e-6, "1e-6"});
  if (!check_close("local weights", local.weights, MatD{{0.0}, {0.1631212}, {0.4434094}, {0.0}},
                   Tol{1e-6, 1e-6, "1e-6 (7 digits)"}) &&
      is_close(local.weights, MatD{{0.0}, {0.2689414}, {0.7310586}, {0.0}}, Tol{1e-6, 1e-6, ""}))
    FAIL_CHECK(
        "those are the window softmax weights: both positions are 0.5 from p_t, so the Gaussian gives each "
        "exp(-0.5) = 0.6065307, and renormalising (or forgetting it) removes that factor");
  check_close("local context", local.context, MatD{{0.4434094, 0.6065307}},
              Tol{1e-6, 1e-6, "1e-6 (7 digits)"});
  check_close("local h_tilde", local.h_tilde, MatD{{0.894382, 0.989169}}, Tol{1e-6, 1e-6, "1e-6 (6 digits)"});
}

ATTN_TEST("global dot scores match golden values", numeric, 2) {
  using namespace golden::dot;
  const LuongParams p = params(LuongScore::Dot, Mat(), Mat(), W_c);
  check_golden(luong_global(h_t.row(0), src, p), h_tilde, context, weights, -1, h_t.row(0), src, p, false);
}

ATTN_TEST("global general scores match golden values", numeric, 2) {
  using namespace golden::general;  // n_t = 5, n_s = 6: W_a is not square
  const LuongParams p = params(LuongScore::General, W_a, Mat(), W_c);
  check_golden(luong_global(h_t.row(0), src, p), h_tilde, context, weights, -1, h_t.row(0), src, p, false);
}

ATTN_TEST("global concat scores match golden values", numeric, 2) {
  using namespace golden::concat;
  const LuongParams p = params(LuongScore::Concat, W_a, v_a, W_c);
  check_golden(luong_global(h_t.row(0), src, p), h_tilde, context, weights, -1, h_t.row(0), src, p, false);
}

ATTN_TEST("local-p matches golden values", numeric, 3) {
  using namespace golden::local;
  const LuongParams p = params(LuongScore::General, W_a, Mat(), W_c, W_p, v_p, D);
  check_golden(luong_local_p(h_t.row(0), src, p), h_tilde, context, weights, p_t, h_t.row(0), src, p, true);
}

ATTN_TEST("local-p with a window clipped at the end matches golden values", numeric, 2) {
  using namespace golden::local_end;  // p_t ≈ 10.77 in a 12-word source, D = 4
  const LuongParams p = params(LuongScore::Concat, W_a, v_a, W_c, W_p, v_p, D);
  check_golden(luong_local_p(h_t.row(0), src, p), h_tilde, context, weights, p_t, h_t.row(0), src, p, true);
}

ATTN_TEST("a 48-word source with n = 32 stays within float32 tolerance", numeric, 1) {
  using namespace golden::wide;
  const LuongParams p = params(LuongScore::General, W_a, Mat(), W_c, W_p, v_p, D);
  check_golden(luong_local_p(h_t.row(0), src, p), h_tilde, context, weights, p_t, h_t.row(0), src, p, true);
}

ATTN_TEST("dot equals general with W_a = I", property, 2) {
  // global on golden::dot and local-p on golden::local_dot (n_t = n_s): dot scores, then the same inputs
  // with General and W_a = I, which must give the same golden values
  for (const bool general : {false, true}) {
    CAPTURE(general);
    {
      using namespace golden::dot;
      const Index n = h_t.cols();
      const LuongParams p = general ? params(LuongScore::General, Mat::Identity(n, n), Mat(), W_c)
                                    : params(LuongScore::Dot, Mat(), Mat(), W_c);
      check_golden(luong_global(h_t.row(0), src, p), h_tilde, context, weights, -1, h_t.row(0), src, p,
                   false);
    }
    {
      using namespace golden::local_dot;
      const Index n = h_t.cols();
      const LuongParams p = general
                                ? params(LuongScore::General, Mat::Identity(n, n), Mat(), W_c, W_p, v_p, D)
                                : params(LuongScore::Dot, Mat(), Mat(), W_c, W_p, v_p, D);
      check_golden(luong_local_p(h_t.row(0), src, p), h_tilde, context, weights, p_t, h_t.row(0), src, p,
                   true);
    }
  }
}

ATTN_TEST("global weights sum to 1", property, 1) {
  using namespace golden::concat;
  const LuongOut got = luong_global(h_t.row(0), src, params(LuongScore::Concat, W_a, v_a, W_c));
  if (!expect_shape("weights", got.weights, src.rows(), 1)) return;
  // any distribution sums to 1: the weights must also be the right one
  check_rows_sum_to("weights", got.weights.transpose());
  check_close("weights", got.weights, weights, kT1);
}

ATTN_TEST("local-p weights are exactly 0 outside the window", property, 2) {
  using namespace golden::wide;  // p_t ≈ 12.76, D = 8: the window is s = 5..20
  const LuongOut got =
      luong_local_p(h_t.row(0), src, params(LuongScore::General, W_a, Mat(), W_c, W_p, v_p, D));
  if (!expect_shape("weights", got.weights, src.rows(), 1)) return;
  Mask inside(src.rows(), 1);
  for (Index s = 0; s < src.rows(); ++s) inside(s, 0) = std::abs(double(s) - p_t) <= D;
  if (!check_zero_where_masked("weights outside |s - p_t| <= D", got.weights, inside)) return;
  for (Index s = 0; s < src.rows(); ++s)
    if (inside(s, 0) && !(got.weights(s) > 0)) {
      FAIL_CHECK("weight " << s << " is inside the window (|s - p_t| <= D, p_t = " << p_t << ") but is "
                           << got.weights(s));
      break;
    }
  check_close("weights inside the window", got.weights, weights, kT1);
}

ATTN_TEST("local-p weights never exceed the window softmax and sum below 1", property, 2) {
  // dot scores, so the window softmax is easy to recompute here; p_t = 3.5 (W_p = 0, S = 8), D = 3
  const RowVec h = RowVec::Random(5);
  const Mat src = Mat::Random(8, 5) * 2;
  const LuongParams p{LuongScore::Dot, Mat(), Vec(), Mat::Random(10, 3), Mat::Zero(5, 2), Vec::Ones(2), 3};
  const LuongOut got = luong_local_p(h, src, p);
  if (!expect_shape("weights", got.weights, 8, 1) || !check_finite("weights", got.weights)) return;
  const VecD window_softmax = softmax_d(scores_d(h, src.middleRows(1, 6).cast<double>(), p));  // s = 1..6
  for (Index s = 1; s <= 6; ++s)
    if (got.weights(s) > window_softmax(s - 1) * (1 + 1e-6)) {
      FAIL_CHECK("weight " << s << " = " << got.weights(s) << " exceeds the window softmax "
                           << window_softmax(s - 1)
                           << ": the Gaussian factor is at most 1, so renormalising after it is wrong");
      break;
    }
  const double sum = got.weights.cast<double>().sum();
  if (!(sum < 0.95))
    FAIL_CHECK(
        "the weights sum to " << sum
                              << ": every position is at least 0.5 from p_t = 3.5, so each "
                                 "Gaussian factor is at most exp(-0.5) and the sum must stay below 0.61");
  check_close("weights", got.weights, local_d(h, src, p), kT1);
}

ATTN_TEST("p_t lies in [0 S-1] even for extreme v_p", property, 1) {
  const Index S = 11;
  const Mat src = Mat::Random(S, 4);
  LuongParams p{LuongScore::Dot, Mat(), Vec(), Mat::Random(8, 4), Mat::Random(4, 3), Vec(), 2};
  for (const float v_scale : {-1e4f, -30.f, -1.f, 0.f, 1.f, 30.f, 1e4f}) {
    CAPTURE(v_scale);
    p.v_p = Vec::Ones(3) * v_scale;
    const RowVec h = RowVec::Ones(4);
    const LuongOut got = luong_local_p(h, src, p);
    if (!(got.p_t >= 0 && got.p_t <= S - 1)) {
      FAIL_CHECK(
          "p_t = " << got.p_t << " is outside [0, " << S - 1 << "]"
                   << std::string(got.p_t > S - 1 ? ": use (S - 1)·sigmoid(…) for 0-based positions" : ""));
      return;
    }
    // p_t = (S - 1)·sigmoid(tanh(h_t W_p) v_p), from this test's own double computation
    if (!check_close("p_t", double(got.p_t), centre_d(h, S, p), kT1)) return;
    if (!check_finite("weights", got.weights) || !check_finite("h_tilde", got.h_tilde)) return;
  }
}

ATTN_TEST("huge D makes local-p equal global", property, 2) {
  // golden::general (S = 8) with D = 1e4: the window is the whole source and every Gaussian factor is
  // >= exp(-2·7²/1e8) > 0.999998, so local-p gives the golden global values to T2
  using namespace golden::general;
  const LuongParams p =
      params(LuongScore::General, W_a, Mat(), W_c, Mat::Random(5, 2), Mat::Random(2, 1), 10000);
  const LuongOut global = luong_global(h_t.row(0), src, p), local = luong_local_p(h_t.row(0), src, p);
  if (!check_close("global weights", global.weights, weights, kT1)) return;
  check_close("local weights with D = 1e4", local.weights, weights, kT2);
  check_close("local context with D = 1e4", local.context, context, kT2);
  check_close("local h_tilde with D = 1e4", local.h_tilde, h_tilde, kT2);
}

ATTN_TEST("the context is the weighted sum of the source rows", property, 1) {
  // local-p on golden::local_end, global on golden::concat: context = Σ_s weights(s) h̄_s with the golden
  // weights, computed here
  for (const bool local : {false, true}) {
    CAPTURE(local);
    const RowVec h = local ? golden::local_end::h_t.row(0) : golden::concat::h_t.row(0);
    const Mat& src = local ? golden::local_end::src : golden::concat::src;
    const MatD& weights = local ? golden::local_end::weights : golden::concat::weights;
    const LuongParams p =
        local ? params(LuongScore::Concat, golden::local_end::W_a, golden::local_end::v_a,
                       golden::local_end::W_c, golden::local_end::W_p, golden::local_end::v_p,
                       golden::local_end::D)
              : params(LuongScore::Concat, golden::concat::W_a, golden::concat::v_a, golden::concat::W_c);
    const LuongOut got = local ? luong_local_p(h, src, p) : luong_global(h, src, p);
    if (!check_close("weights", got.weights, weights, kT1)) continue;
    check_close("context", got.context, weights.transpose() * src.cast<double>(), kT1);
  }
}

ATTN_TEST("h_tilde is tanh of [context h_t] W_c", property, 1) {
  using namespace golden::concat;  // n_t = 4, n_s = 6
  const LuongParams p = params(LuongScore::Concat, W_a, v_a, W_c);
  const LuongOut got = luong_global(h_t.row(0), src, p);
  if (!check_close("context", got.context, context, kT1)) return;
  // h̃_t from the golden context, computed here
  if (!check_close("h_tilde", got.h_tilde, attentional_d(context, h_t.row(0), W_c), kT1))
    diagnose(got, h_t.row(0), src, p, false);
}

ATTN_TEST("permuting the source permutes the global weights", property, 1) {
  using namespace golden::general;
  const LuongParams p = params(LuongScore::General, W_a, Mat(), W_c);
  const std::vector<int> order{5, 2, 7, 0, 3, 6, 1, 4};  // row s of the permuted source is row order[s]
  const LuongOut got = luong_global(h_t.row(0), src, p);
  if (!check_close("weights", got.weights, weights, kT1)) return;
  const LuongOut perm = luong_global(h_t.row(0), rows_in_order(src, order), p);
  check_close("weights of the permuted source", perm.weights, rows_in_order(weights, order), kT1);
  check_close("context of the permuted source", perm.context, context, kT1);
}

ATTN_TEST("source rows outside the window are never read", property, 1) {
  using namespace golden::local;  // p_t ≈ 8.27, D = 3: the window is s = 6..11
  const LuongParams p = params(LuongScore::General, W_a, Mat(), W_c, W_p, v_p, D);
  Mat poisoned = src;
  poisoned.topRows(6).setConstant(NAN);
  poisoned.bottomRows(8).setConstant(1e30f);
  const LuongOut dirty = luong_local_p(h_t.row(0), poisoned, p);
  const bool finite = check_finite("weights with poisoned rows", dirty.weights) &
                      check_finite("context with poisoned rows", dirty.context);
  if (!finite) {
    FAIL_CHECK(
        "local-p must read only the window: p_t comes from h_t alone, so score, softmax and sum the rows "
        "s in [ceil(p_t - D), floor(p_t + D)] ∩ [0, S-1] only (0 × NaN is NaN)");
    return;
  }
  // rows outside the window change nothing: the golden result of the clean source
  check_close("weights with poisoned rows", dirty.weights, weights, kT1);
  check_close("context with poisoned rows", dirty.context, context, kT1);
  check_close("h_tilde with poisoned rows", dirty.h_tilde, h_tilde, kT1);
}

ATTN_TEST("a one-word source gets weight 1", edge, 2) {
  // golden::concat's parameters on its first source word alone, then on the whole 6-word source
  using namespace golden::concat;
  const RowVec h = h_t.row(0);
  const Mat one = src.topRows(1);
  const LuongParams p = params(LuongScore::Concat, W_a, v_a, W_c, Mat::Random(4, 2), Mat::Random(2, 1), 1);
  const MatD expected_h_tilde = attentional_d(one.cast<double>(), h, W_c);
  const LuongOut global = luong_global(h, one, p);
  check_close("global weights", global.weights, MatD::Ones(1, 1), kT1);
  check_close("global context", global.context, one.cast<double>(), kT1);
  check_close("global h_tilde", global.h_tilde, expected_h_tilde, kT1);
  const LuongOut local = luong_local_p(h, one, p);
  check_close("local p_t", double(local.p_t), 0.0, Tol{0, 0, "exact: (S - 1)·sigmoid = 0"});
  check_close("local weights", local.weights, MatD::Ones(1, 1), kT1);
  check_close("local h_tilde", local.h_tilde, expected_h_tilde, kT1);
  check_golden(luong_global(h, src, p), h_tilde, context, weights, -1, h, src, p, false);
}

ATTN_TEST("a centre at either end clips the window", edge, 2) {
  // v_p = ±1e4 saturates the sigmoid: p_t = 0 or S-1 exactly; D = 3 reaches 3 positions past the end
  const Index S = 10;
  const RowVec h = RowVec::Ones(4);
  const Mat src = Mat::Random(S, 4);
  for (const float v : {1e4f, -1e4f}) {
    CAPTURE(v);
    const LuongParams p{LuongScore::Dot,     Mat(), Vec(), Mat::Random(8, 3), Mat::Ones(4, 1),
                        Vec::Constant(1, v), 3};
    const LuongOut got = luong_local_p(h, src, p);
    if (!expect_shape("weights", got.weights, S, 1) || !check_finite("weights", got.weights)) return;
    check_close("p_t", double(got.p_t), v > 0 ? double(S - 1) : 0.0, Tol{0, 0, "exact"});
    if (!check_close("weights", got.weights, local_d(h, src, p), kT1) &&
        is_close(got.weights, local_d(h, src, p, Twist::PadOutside), kT2))
      FAIL_CHECK(
          "positions past the end of the source took part in the softmax: clip the window to [0, S-1] "
          "before normalising");
  }
}

ATTN_TEST("scores beyond 88 stay finite", edge, 2) {
  // h_t = 20·1 and src(s, j) = 0.4 (s - 3) + 0.1 j: dot scores 48 (s - 3) + 30 run from -114 to 174, past
  // float32 exp's overflow at 88.7
  const RowVec h = RowVec::Constant(6, 20.f);
  Mat src(7, 6);
  for (Index s = 0; s < 7; ++s)
    for (Index j = 0; j < 6; ++j) src(s, j) = 0.4f * float(s - 3) + 0.1f * float(j);
  const LuongParams p{LuongScore::Dot,   Mat(),          Vec(), Mat::Random(12, 3) * 0.05f,
                      Mat::Random(6, 2), Vec::Random(2), 2};
  const LuongOut global = luong_global(h, src, p), local = luong_local_p(h, src, p);
  if (!check_finite("global weights", global.weights) || !check_finite("local weights", local.weights)) {
    FAIL_CHECK("exp overflows float32 above 88.7: subtract the maximum score before exponentiating");
    return;
  }
  check_close("global weights", global.weights, softmax_d(scores_d(h, src.cast<double>(), p)), kT1);
  check_close("local weights", local.weights, local_d(h, src, p), kT1);
}

ATTN_TEST("D below 1 throws std::invalid_argument", edge, 1) {
  const RowVec h = RowVec::Random(3);
  const Mat src = Mat::Random(5, 3);
  LuongParams p{LuongScore::Dot, Mat(), Vec(), Mat::Random(6, 3), Mat::Random(3, 2), Vec::Random(2), 0};
  CHECK_THROWS_AS(luong_local_p(h, src, p), std::invalid_argument);
  p.D = -2;
  CHECK_THROWS_AS(luong_local_p(h, src, p), std::invalid_argument);
  INFO("luong_global ignores D, W_p and v_p");
  CHECK_NOTHROW(luong_global(h, src, p));
}

ATTN_TEST("mismatched dimensions throw std::invalid_argument", edge, 2) {
  const RowVec h = RowVec::Random(3);
  const Mat src = Mat::Random(5, 4);  // n_t = 3, n_s = 4
  const Mat W_c = Mat::Random(7, 2), W_p = Mat::Random(3, 2);
  const Vec v_p = Vec::Random(2);
  const auto throws = [&](const char* why, const RowVec& h_, const Mat& src_, const LuongParams& p) {
    INFO(std::string(why));
    CHECK_THROWS_AS(luong_global(h_, src_, p), std::invalid_argument);
    CHECK_THROWS_AS(luong_local_p(h_, src_, p), std::invalid_argument);
  };
  throws("dot needs n_t == n_s", h, src, {LuongScore::Dot, Mat(), Vec(), W_c, W_p, v_p, 1});
  throws("general needs W_a of shape (n_t, n_s)", h, src,
         {LuongScore::General, Mat::Random(4, 3), Vec(), W_c, W_p, v_p, 1});
  throws("concat needs W_a with n_t + n_s rows", h, src,
         {LuongScore::Concat, Mat::Random(6, 5), Vec::Random(5), W_c, W_p, v_p, 1});
  throws("concat needs v_a.size() == W_a.cols()", h, src,
         {LuongScore::Concat, Mat::Random(7, 5), Vec::Random(4), W_c, W_p, v_p, 1});
  throws("W_c needs n_s + n_t rows", h, src,
         {LuongScore::General, Mat::Random(3, 4), Vec(), Mat::Random(6, 2), W_p, v_p, 1});
  throws("an empty source (S = 0) has nothing to attend to", h, Mat(0, 4),
         {LuongScore::General, Mat::Random(3, 4), Vec(), W_c, W_p, v_p, 1});
  const LuongParams bad_W_p{LuongScore::General, Mat::Random(3, 4), Vec(), W_c, Mat::Random(4, 2), v_p, 1};
  CHECK_THROWS_AS(luong_local_p(h, src, bad_W_p), std::invalid_argument);
  const LuongParams bad_v_p{LuongScore::General, Mat::Random(3, 4), Vec(), W_c, W_p, Vec::Random(3), 1};
  CHECK_THROWS_AS(luong_local_p(h, src, bad_v_p), std::invalid_argument);
  INFO("luong_global ignores W_p and v_p");
  CHECK_NOTHROW(luong_global(h, src, bad_W_p));
  CHECK_NOTHROW(luong_global(h, src, bad_v_p));
}

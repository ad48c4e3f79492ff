// p09 fgfa_temporal_aggregation — graded tests. Golden values: tools/golden/p09.py (torch cosine_similarity
// and softmax on (T, HW, C) tensors, cross-checked with a numpy loop over pixels and frames on the flat
// rows).
#include <attnkata/graded.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "fgfa_temporal_aggregation.h"
#include "golden.inc"

using namespace attn;
using namespace attn::check;

namespace {

// ---- diagnosis only, never a golden value: the classic wrong formulas, in double ----

enum class Variant {
  correct,
  dot_product,
  pixel_major,
  pixel_softmax,
  ref_excluded,
  product_clamp,
  eps_added
};

struct ModelOut {
  MatD weights, aggregated;
};

// FGFA as the statement defines it, or one of its classic mistakes, on frame-major rows.
ModelOut model(const Mat& features, const Mat& embeddings, Index T, Index ref, Variant v) {
  const Index HW = features.rows() / T;
  MatD F = features.cast<double>(), E = embeddings.cast<double>();
  if (v == Variant::pixel_major) {  // row p·T + t read as pixel p of frame t
    std::vector<int> order(static_cast<size_t>(T * HW));
    for (Index t = 0; t < T; ++t)
      for (Index p = 0; p < HW; ++p) order[static_cast<size_t>(t * HW + p)] = static_cast<int>(p * T + t);
    F = rows_in_order(F, order), E = rows_in_order(E, order);
  }
  MatD S(HW, T);
  for (Index p = 0; p < HW; ++p)
    for (Index t = 0; t < T; ++t) {
      const auto e_t = E.row(t * HW + p), e_r = E.row(ref * HW + p);
      const double dot = e_t.dot(e_r), n_t = e_t.norm(), n_r = e_r.norm();
      S(p, t) = v == Variant::dot_product     ? dot
                : v == Variant::product_clamp ? dot / std::max(n_t * n_r, 1e-8)
                : v == Variant::eps_added     ? dot / ((n_t + 1e-8) * (n_r + 1e-8))
                                              : dot / (std::max(n_t, 1e-8) * std::max(n_r, 1e-8));
    }
  MatD A = MatD::Zero(HW, T);
  if (v == Variant::pixel_softmax) {  // normalised over the pixels of each frame
    for (Index t = 0; t < T && HW > 0; ++t) {
      A.col(t) = (S.col(t).array() - S.col(t).maxCoeff()).exp().matrix();
      A.col(t) /= A.col(t).sum();
    }
  } else {
    for (Index p = 0; p < HW; ++p) {
      const bool skip_ref = v == Variant::ref_excluded && T > 1;  // the neighbours only
      double top = -INFINITY;
      for (Index t = 0; t < T; ++t)
        if (!(skip_ref && t == ref)) top = std::max(top, S(p, t));
      for (Index t = 0; t < T; ++t)
        if (!(skip_ref && t == ref)) A(p, t) = std::exp(S(p, t) - top);
      A.row(p) /= A.row(p).sum();
    }
  }
  MatD agg = MatD::Zero(HW, F.cols());
  for (Index t = 0; t < T; ++t) agg += A.col(t).asDiagonal() * F.middleRows(t * HW, HW);
  return {A, agg};
}

// Name the classic mistakes when a comparison fails: a mistake is named when the submission matches it and
// it differs from the statement's formula here. Returns whether one was named.
bool diagnose(const FgfaOut& got, const Mat& features, const Mat& embeddings, int T, int ref) {
  const Index HW = features.rows() / T;
  if (got.weights.rows() != HW || got.weights.cols() != T) return false;
  if (!got.weights.allFinite()) {
    if ((embeddings.rowwise().norm().array() == 0).any()) {
      FAIL_CHECK(
          "the weights are not finite, and some embedding vectors here are zero: x / ‖x‖ is 0/0 = NaN "
          "(mmtracking's EmbedAggregator divides exactly so). Divide by max(‖x‖, 1e-8): the vector stays 0 "
          "and its cosine is 0");
      return true;
    }
    return false;
  }
  const MatD truth = model(features, embeddings, T, ref, Variant::correct).weights;
  bool named = false;
  auto matches = [&](const MatD& alt) {
    return is_close(got.weights, alt, kT2) && !is_close(alt, truth, kT2);
  };
  auto name = [&](const std::string& mistake) {
    FAIL_CHECK(mistake);
    named = true;
  };
  if (matches(model(features, embeddings, T, ref, Variant::dot_product).weights))
    name(
        "the weights are the softmax of raw dot products E_t·E_r: FGFA uses the cosine, the dot product "
        "divided by both norms, so a long embedding vector cannot outweigh the reference frame");
  if (matches(model(features, embeddings, T, ref, Variant::product_clamp).weights))
    name(
        "the weights match cosines with one clamp on the product max(‖E_t‖‖E_r‖, 1e-8): clamp each norm on "
        "its own, max(‖E_t‖, 1e-8)·max(‖E_r‖, 1e-8), or two vectors of norm 1e-5 lose their similarity");
  if (matches(model(features, embeddings, T, ref, Variant::eps_added).weights))
    name(
        "the weights match cosines with 1e-8 added to each norm: x / (‖x‖ + 1e-8) shrinks every short vector "
        "(one of norm 1e-6 loses 1 %). Clamp instead, x / max(‖x‖, 1e-8): it changes nothing above 1e-8");
  if (matches(model(features, embeddings, T, ref, Variant::pixel_major).weights))
    name(
        "the rows were read pixel-major (pixel p of frame t at row p·T + t): the set stacks the frames one "
        "after another, so pixel p of frame t is row t·HW + p and frame t is middleRows(t·HW, HW)");
  if (matches(model(features, embeddings, T, ref, Variant::pixel_softmax).weights))
    name(
        "each column of weights sums to 1: the softmax ran over the pixels of a frame; it belongs over the "
        "T frames of each pixel (each row of weights sums to 1)");
  if (matches(model(features, embeddings, T, ref, Variant::ref_excluded).weights))
    name(
        "the reference frame has weight 0: FGFA aggregates the reference frame with its neighbours, and its "
        "cosine with itself is 1, the largest");
  for (int other = 0; other < T && !named; ++other)
    if (other != ref && matches(model(features, embeddings, T, other, Variant::correct).weights))
      name("the weights are those of reference frame " + std::to_string(other) +
           ", not of ref_frame = " + std::to_string(ref) +
           ": the reference is the frame ref_frame names, wherever it sits in the window");
  if (!named && T > 1 && is_close(got.weights, MatD::Constant(HW, T, 1.0 / T), kT1) &&
      !is_close(truth, MatD::Constant(HW, T, 1.0 / T), kT1))
    name(
        "every weight is 1/T: the weights ignore the embeddings (the aggregate is the plain mean of the "
        "frames)");
  return named;
}

// Shapes, finiteness, then weights and aggregated against expected values; names the mistake on failure
// (*named says whether a diagnosis did).
bool check_result(const std::string& what, const FgfaOut& got, const MatD& weights, const MatD& aggregated,
                  const Mat& features, const Mat& embeddings, int T, int ref, bool* named = nullptr) {
  if (!expect_shape(what + " weights", got.weights, weights.rows(), weights.cols()) ||
      !expect_shape(what + " aggregated", got.aggregated, aggregated.rows(), aggregated.cols()))
    return false;
  const bool finite =
      check_finite(what + " weights", got.weights) & check_finite(what + " aggregated", got.aggregated);
  const bool ok = finite && (check_close(what + " weights", got.weights, weights, kT1) &
                             check_close(what + " aggregated", got.aggregated, aggregated, kT1));
  const bool diagnosed = !ok && diagnose(got, features, embeddings, T, ref);
  if (named) *named = diagnosed;
  return ok;
}

// The golden random clip (5 frames of 3×4 pixels, reference frame 2): the base case of every relation.
bool random_is_golden() {
  using namespace golden::random;
  return check_result("random clip", fgfa_aggregate(features, embeddings, num_frames, ref_frame), weights,
                      aggregated, features, embeddings, num_frames, ref_frame);
}

// Frame t of the permuted clip is frame order[t] of the original.
Mat frames_in_order(const Mat& X, Index T, const std::vector<int>& order) {
  const Index HW = X.rows() / T;
  Mat out(X.rows(), X.cols());
  for (Index t = 0; t < T; ++t) out.middleRows(t * HW, HW) = X.middleRows(order[size_t(t)] * HW, HW);
  return out;
}

// Pixel q of every frame of the permuted clip is pixel order[q] of the original.
Mat pixels_in_order(const Mat& X, Index T, const std::vector<int>& order) {
  const Index HW = X.rows() / T;
  Mat out(X.rows(), X.cols());
  for (Index t = 0; t < T; ++t)
    out.middleRows(t * HW, HW) = rows_in_order(Mat(X.middleRows(t * HW, HW)), order);
  return out;
}

}  // namespace

ATTN_TEST("aggregated is HW×C and weights HW×T", shape, 1) {
  const FgfaOut got = fgfa_aggregate(Mat::Random(15, 4), Mat::Random(15, 6), 3, 1);  // HW = 5
  expect_shape("aggregated", got.aggregated, 5, 4);
  expect_shape("weights", got.weights, 5, 3);
  const FgfaOut one_channel = fgfa_aggregate(Mat::Random(14, 1), Mat::Random(14, 3), 2, 0);  // HW = 7
  expect_shape("aggregated with C = 1", one_channel.aggregated, 7, 1);
  expect_shape("weights with C = 1", one_channel.weights, 7, 2);
}

ATTN_TEST("worked example from the statement", numeric, 2) {
  // T = 3 frames of HW = 2 pixels, reference frame 1; rows are frame-major: row t·2 + p.
  // pixel 0: E = [0 2], [3 0], [-0.5 0] -> cosines 0, 1, -1;  pixel 1: E = [0 0], [0 5], [0 1] -> 0, 1, 1
  const Mat features{{1, 0}, {10, 0}, {0, 1}, {0, 0}, {1, 1}, {0, 10}};
  const Mat embeddings{{0, 2}, {0, 0}, {3, 0}, {0, 5}, {-0.5f, 0}, {0, 1}};
  const double e = std::exp(1.0), z0 = 1 + e + 1 / e, z1 = 1 + 2 * e;
  const MatD weights{{1 / z0, e / z0, 1 / e / z0}, {1 / z1, e / z1, e / z1}};
  const MatD aggregated{{weights(0, 0) + weights(0, 2), weights(0, 1) + weights(0, 2)},
                        {10 * weights(1, 0), 10 * weights(1, 2)}};
  check_result("worked example", fgfa_aggregate(features, embeddings, 3, 1), weights, aggregated, features,
               embeddings, 3, 1);
}

ATTN_TEST("random clip matches golden values", numeric, 3) {
  random_is_golden();
}

ATTN_TEST("reference frame first or last matches golden values", numeric, 2) {
  using namespace golden::ends;  // 4 frames of 2×3 pixels
  check_result("reference frame 0", fgfa_aggregate(features, embeddings, num_frames, 0), weights_first,
               aggregated_first, features, embeddings, num_frames, 0);
  check_result("reference frame 3", fgfa_aggregate(features, embeddings, num_frames, num_frames - 1),
               weights_last, aggregated_last, features, embeddings, num_frames, num_frames - 1);
}

ATTN_TEST("a 21-frame window over a 4×4 map matches golden values", numeric, 1) {
  using namespace golden::wide;  // ReLU embeddings, three of them all zero
  check_result("21-frame window", fgfa_aggregate(features, embeddings, num_frames, ref_frame), weights,
               aggregated, features, embeddings, num_frames, ref_frame);
}

ATTN_TEST("weights of every pixel sum to 1", property, 1) {
  using namespace golden::wide;
  const FgfaOut got = fgfa_aggregate(features, embeddings, num_frames, ref_frame);
  if (!expect_shape("weights", got.weights, weights.rows(), weights.cols())) return;
  // a sum of 1 holds for any distribution (1/T included): the weights must also be the right one
  if (check_rows_sum_to("weights", got.weights))
    check_result("21-frame window", got, weights, aggregated, features, embeddings, num_frames, ref_frame);
  else if ((got.weights.colwise().sum().array() - 1).abs().maxCoeff() < 1e-4)
    FAIL_CHECK("the columns of weights sum to 1: the softmax runs over pixels instead of over the frames");
}

ATTN_TEST("the reference frame has the largest weight at every pixel", property, 2) {
  if (!random_is_golden()) return;
  // cos(E_r, E_r) = 1 >= cos(E_t, E_r) for every t (Cauchy-Schwarz), and softmax keeps the order
  const int T = 6, HW = 40;
  const Mat features = Mat::Random(T * HW, 3), embeddings = 3 * Mat::Random(T * HW, 5);
  for (const int ref : {0, 2, 5}) {
    CAPTURE(ref);
    const FgfaOut got = fgfa_aggregate(features, embeddings, T, ref);
    if (!expect_shape("weights", got.weights, HW, T) || !check_finite("weights", got.weights)) return;
    for (Index p = 0; p < HW; ++p) {
      Index top;
      got.weights.row(p).maxCoeff(&top);
      if (top != ref && got.weights(p, top) > got.weights(p, ref) + 1e-6f) {
        FAIL_CHECK("at pixel " << p << " frame " << top << " has weight " << num(got.weights(p, top))
                               << " > the reference frame's " << num(got.weights(p, ref))
                               << ": a cosine is at most 1, and only the reference reaches 1 here");
        diagnose(got, features, embeddings, T, ref);
        return;
      }
    }
  }
}

ATTN_TEST("scaling embedding vectors by λ > 0 changes nothing", property, 2) {
  using namespace golden::random;
  if (!random_is_golden()) return;
  // powers of two scale float32 exactly: row i times 2^((7 i) mod 41 - 20), norms from about 1e-6 to 1e7
  Mat scaled = embeddings;
  for (Index row = 0; row < scaled.rows(); ++row)
    scaled.row(row) *= std::ldexp(1.f, static_cast<int>((7 * row) % 41) - 20);
  if (!check_result("rows scaled by 2^-20 .. 2^20", fgfa_aggregate(features, scaled, num_frames, ref_frame),
                    weights, aggregated, features, scaled, num_frames, ref_frame))
    return;
  // every vector short (norms near 1e-6), but all still above the 1e-8 clamp
  const Mat tiny = embeddings * std::ldexp(1.f, -22);
  check_result("every row scaled by 2^-22", fgfa_aggregate(features, tiny, num_frames, ref_frame), weights,
               aggregated, features, tiny, num_frames, ref_frame);
}

ATTN_TEST("identical frames give weights 1/T and the frame itself", property, 1) {
  using namespace golden::random;
  if (!random_is_golden()) return;
  const Index T = num_frames, HW = features.rows() / T;
  const Mat frame = features.topRows(HW), embedding = embeddings.middleRows(ref_frame * HW, HW);
  const FgfaOut got = fgfa_aggregate(frame.replicate(T, 1), embedding.replicate(T, 1), num_frames, ref_frame);
  check_close("weights of identical frames", got.weights, MatD::Constant(HW, T, 1.0 / double(T)), kT1);
  check_close("aggregate of identical frames", got.aggregated, frame.cast<double>(), kT1);
}

ATTN_TEST("permuting the frames permutes the weight columns only", property, 2) {
  using namespace golden::random;
  if (!random_is_golden()) return;
  // frame t of the permuted clip is frame order[t]: the reference, frame 2, moves to position 3
  const std::vector<int> order{3, 0, 4, 2, 1};
  const int new_ref = 3;
  const Mat f = frames_in_order(features, num_frames, order),
            e = frames_in_order(embeddings, num_frames, order);
  const FgfaOut got = fgfa_aggregate(f, e, num_frames, new_ref);
  const MatD weights_t = weights.transpose();
  check_result("permuted frames", got, rows_in_order(weights_t, order).transpose(), aggregated, f, e,
               num_frames, new_ref);
}

ATTN_TEST("permuting the pixels permutes the rows of both results", property, 1) {
  using namespace golden::ends;  // 4 frames of 6 pixels, reference frame 0
  if (!check_result("reference frame 0", fgfa_aggregate(features, embeddings, num_frames, 0), weights_first,
                    aggregated_first, features, embeddings, num_frames, 0))
    return;
  const std::vector<int> order{4, 2, 5, 0, 3, 1};  // the same permutation in every frame
  const Mat f = pixels_in_order(features, num_frames, order),
            e = pixels_in_order(embeddings, num_frames, order);
  check_result("permuted pixels", fgfa_aggregate(f, e, num_frames, 0), rows_in_order(weights_first, order),
               rows_in_order(aggregated_first, order), f, e, num_frames, 0);
}

ATTN_TEST("a change at pixel p of frame t changes only row p", property, 2) {
  using namespace golden::random;
  if (!random_is_golden()) return;
  const Index T = num_frames, HW = features.rows() / T;
  // 1. pixel 7 of frame 4 gets new features: only aggregated row 7 moves, by w_4(7) times the change
  // 2. pixel 3 of frame 0 gets the reference frame's embedding: its cosine becomes 1, so its unnormalised
  //    weight equals the reference's, w_2(3) (softmax shares one denominator per pixel)
  Mat f = features, e = embeddings;
  const RowVec delta = RowVec::LinSpaced(features.cols(), -2.f, 3.f);
  f.row(4 * HW + 7) += delta;
  e.row(0 * HW + 3) = embeddings.row(ref_frame * HW + 3);
  MatD w = weights, agg = aggregated;
  agg.row(7) += weights(7, 4) * delta.cast<double>();
  w(3, 0) = weights(3, ref_frame);
  w.row(3) /= w.row(3).sum();
  agg.row(3).setZero();
  for (Index t = 0; t < T; ++t) agg.row(3) += w(3, t) * features.row(t * HW + 3).cast<double>();
  const FgfaOut got = fgfa_aggregate(f, e, num_frames, ref_frame);
  if (!check_result("after the two changes", got, w, agg, f, e, num_frames, ref_frame))
    FAIL_CHECK(
        "pixel p of frame t is row t·HW + p and takes part only in pixel p's weights and aggregate: rows 3 "
        "and 7 "
        "should change, every other row must stay as it was");
}

ATTN_TEST("zero embedding vectors give cosine 0 and no NaN", edge, 2) {
  using namespace golden::zeros;
  // pixel 0: zero in frame 0; pixel 1: zero reference (weights 1/3); pixel 2: zero everywhere (1/3);
  // pixel 3: frame 1 parallel to the reference with norm 1e-12 (counts as 1e-8: cosine about 1e-4);
  // pixel 4: a reference of norm 3e-11; pixel 5: ordinary
  const FgfaOut got = fgfa_aggregate(features, embeddings, num_frames, ref_frame);
  bool named = false;
  if (!check_result("zero and tiny embeddings", got, weights, aggregated, features, embeddings, num_frames,
                    ref_frame, &named) &&
      !named && got.weights.rows() == 6 && got.weights.cols() == 3 && got.weights.allFinite() &&
      std::abs(got.weights(3, 1) - got.weights(3, ref_frame)) < 1e-4f)
    FAIL_CHECK(
        "pixel 3: a vector of norm 1e-12 got cosine 1 with the reference. Norms below 1e-8 count as 1e-8 "
        "(max(‖x‖, 1e-8)), so such a vector is treated as almost zero; a guard for exact zeros only (Eigen's "
        "normalized()) is not the statement's formula");
}

ATTN_TEST("a single frame is returned as it is with weight 1", edge, 1) {
  if (!random_is_golden()) return;
  const Mat features = Mat::Random(6, 3), embeddings = Mat::Random(6, 4);
  const FgfaOut got = fgfa_aggregate(features, embeddings, 1, 0);
  check_close("weights with T = 1", got.weights, MatD::Ones(6, 1), kT1);
  check_close("aggregated with T = 1", got.aggregated, features.cast<double>(), kT1);
}

ATTN_TEST("an empty map gives 0×C and 0×T results", edge, 1) {
  if (!random_is_golden()) return;
  const FgfaOut got = fgfa_aggregate(Mat(0, 3), Mat(0, 4), 5, 2);
  expect_shape("aggregated of an empty map", got.aggregated, 0, 3);
  expect_shape("weights of an empty map", got.weights, 0, 5);
}

ATTN_TEST("num_frames not positive or not dividing the rows throws std::invalid_argument", edge, 1) {
  const Mat features = Mat::Random(12, 3), embeddings = Mat::Random(12, 2);
  CHECK_THROWS_AS(fgfa_aggregate(features, embeddings, 5, 0), std::invalid_argument);
  CHECK_THROWS_AS(fgfa_aggregate(features, embeddings, 0, 0), std::invalid_argument);
  CHECK_THROWS_AS(fgfa_aggregate(features, embeddings, -3, 0), std::invalid_argument);
  CHECK_NOTHROW(fgfa_aggregate(features, embeddings, 4, 0));
}

ATTN_TEST("ref_frame outside 0..num_frames-1 throws std::invalid_argument", edge, 1) {
  const Mat features = Mat::Random(12, 3), embeddings = Mat::Random(12, 2);
  CHECK_THROWS_AS(fgfa_aggregate(features, embeddings, 3, 3), std::invalid_argument);
  CHECK_THROWS_AS(fgfa_aggregate(features, embeddings, 3, -1), std::invalid_argument);
  CHECK_NOTHROW(fgfa_aggregate(features, embeddings, 3, 2));
}

ATTN_TEST("features and embeddings with different row counts throw std::invalid_argument", edge, 1) {
  CHECK_THROWS_AS(fgfa_aggregate(Mat::Random(12, 3), Mat::Random(9, 2), 3, 1), std::invalid_argument);
  CHECK_THROWS_AS(fgfa_aggregate(Mat::Random(12, 3), Mat::Random(15, 2), 3, 1), std::invalid_argument);
  CHECK_NOTHROW(fgfa_aggregate(Mat::Random(12, 3), Mat::Random(12, 2), 3, 1));
}

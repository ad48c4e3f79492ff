// p03 detr_query_cross_attention — graded tests. Golden values: tools/golden/p03.py (DETR's own path in torch
// float64: NCHW maps flattened with flatten(2).permute(2, 0, 1), nn.MultiheadAttention with key_padding_mask,
// cross-checked with a numpy loop over the unflattened map). Every numeric, property and edge test (argument
// checks aside) compares with golden or independently computed numbers, so returning zeros or uniform weights
// earns only the shape and argument points.
#include <attnkata/graded.h>

#include <cmath>
#include <string>
#include <vector>

#include "detr_query_cross_attention.h"
#include "golden.inc"

using namespace attn;
using namespace attn::check;

namespace {

// One image of a golden case: its inputs in the set's layout (rows h·W + w) and its expected values.
struct Image {
  MHAParams p;
  Mat tgt, query_pos, memory, pos;
  Keep valid;
  MatD output, weights;
  int H, W, valid_h, valid_w;
};

// Image name() returns image b of golden case ns (a namespace cannot be a template argument).
// clang-format off
#define GOLDEN_IMAGE(name, ns, b)                                                                           \
  Image name() {                                                                                            \
    using namespace golden::ns;                                                                             \
    return {mha_params(Wq, Wk, Wv, Wo, bq, bk, bv, bo, num_heads), tgt##b, query_pos, memory##b, pos##b,   \
            valid##b.col(0), output##b, weights##b, H, W, valid_h##b, valid_w##b};                          \
  }
// clang-format on
GOLDEN_IMAGE(batch0, batch, 0)
GOLDEN_IMAGE(batch1, batch, 1)
GOLDEN_IMAGE(first_layer, first_layer, 0)
GOLDEN_IMAGE(full, full, 0)
GOLDEN_IMAGE(large, large, 0)
GOLDEN_IMAGE(big_scores, big_scores, 0)
#undef GOLDEN_IMAGE

Attention run(const Image& im) {
  return detr_cross_attention(im.tgt, im.query_pos, im.memory, im.pos, im.valid, im.p);
}

// ---- a model in double for the diagnoses and the closed forms: the classic mistakes. Never a golden. ----

enum class Variant {
  correct,
  pos_in_value,          // V' = (memory + pos) Wv + bv
  no_query_pos,          // Q' = tgt Wq + bq
  no_key_pos,            // K' = memory Wk + bk
  pos_after_projection,  // Q' = tgt Wq + bq + query_pos, K' = memory Wk + bk + pos
  scale_d_model,         // 1/sqrt(d) instead of 1/sqrt(d_h)
  mask_inverted,         // attends to the padding
  mask_ignored,          // attends to every pixel
};

struct ModelD {
  MatD output, weights;
};

ModelD model(const Image& im, Variant v) {
  const auto D = [](const auto& m) -> MatD { return m.template cast<double>(); };
  const MatD tgt = D(im.tgt), qpos = D(im.query_pos), mem = D(im.memory), pos = D(im.pos);
  const MatD Wq = D(im.p.Wq), Wk = D(im.p.Wk), Wv = D(im.p.Wv), Wo = D(im.p.Wo);
  const Eigen::RowVectorXd bq = D(im.p.bq), bk = D(im.p.bk), bv = D(im.p.bv), bo = D(im.p.bo);
  MatD Qp, Kp;
  if (v == Variant::pos_after_projection) {
    Qp = ((tgt * Wq).rowwise() + bq) + qpos;
    Kp = ((mem * Wk).rowwise() + bk) + pos;
  } else {
    Qp = ((v == Variant::no_query_pos ? tgt : MatD(tgt + qpos)) * Wq).rowwise() + bq;
    Kp = ((v == Variant::no_key_pos ? mem : MatD(mem + pos)) * Wk).rowwise() + bk;
  }
  const MatD Vp = ((v == Variant::pos_in_value ? MatD(mem + pos) : mem) * Wv).rowwise() + bv;
  const Index d = Wq.rows(), heads = im.p.num_heads, d_h = d / heads, n_q = Qp.rows(), n_k = Kp.rows();
  const double scale = 1.0 / std::sqrt(static_cast<double>(v == Variant::scale_d_model ? d : d_h));
  auto allowed = [&](Index j) {
    return v == Variant::mask_ignored ? true : v == Variant::mask_inverted ? !im.valid(j) : bool(im.valid(j));
  };
  ModelD m{MatD::Zero(n_q, d), MatD::Zero(n_q, n_k)};
  MatD concat = MatD::Zero(n_q, d);
  for (Index h = 0; h < heads; ++h)
    for (Index i = 0; i < n_q; ++i) {
      double top = -INFINITY;
      Eigen::RowVectorXd s = Eigen::RowVectorXd::Zero(n_k);
      for (Index j = 0; j < n_k; ++j)
        if (allowed(j))
          top = std::max(top,
                         s(j) = scale * Qp.row(i).segment(h * d_h, d_h).dot(Kp.row(j).segment(h * d_h, d_h)));
      if (top == -INFINITY) continue;
      double z = 0;
      for (Index j = 0; j < n_k; ++j)
        if (allowed(j)) z += s(j) = std::exp(s(j) - top);
      for (Index j = 0; j < n_k; ++j)
        if (allowed(j)) {
          m.weights(i, j) += s(j) / z / static_cast<double>(heads);
          concat.row(i).segment(h * d_h, d_h) += s(j) / z * Vp.row(j).segment(h * d_h, d_h);
        }
    }
  m.output = (concat * Wo).rowwise() + bo;
  return m;
}

// The diagnosis compares loosely: a mistake's model in double need not match to T2.
constexpr Tol kLoose{1e-4, 1e-5, "diagnosis"};

// Name the classic mistakes when a golden comparison fails: each is a model of one wrong implementation.
void diagnose(const Attention& got, const Image& im) {
  const ModelD truth = model(im, Variant::correct);
  auto matches = [&](Variant v) {
    const ModelD alt = model(im, v);
    return is_close(got.output, alt.output, kLoose) && !is_close(alt.output, truth.output, kLoose);
  };
  auto weights_match = [&](Variant v) {
    const ModelD alt = model(im, v);
    return is_close(got.weights, alt.weights, kLoose) && !is_close(alt.weights, truth.weights, kLoose);
  };
  if (matches(Variant::pos_in_value))
    FAIL_CHECK(
        "the output matches values V' = (memory + pos) Wv + bv: positions go into the queries and keys only "
        "(DETR: key = memory + pos, value = memory), they decide where to look, not what is read back");
  if (weights_match(Variant::no_query_pos))
    FAIL_CHECK(
        "the weights match queries without query_pos, Q' = tgt Wq + bq: the object-query embedding is added "
        "to "
        "tgt before the projection, Q' = (tgt + query_pos) Wq + bq");
  if (weights_match(Variant::no_key_pos))
    FAIL_CHECK(
        "the weights match keys without pos, K' = memory Wk + bk: the spatial encoding is added to the "
        "memory "
        "before the key projection, K' = (memory + pos) Wk + bk");
  if (weights_match(Variant::pos_after_projection))
    FAIL_CHECK(
        "the weights match positions added after the projections (tgt Wq + bq + query_pos): DETR adds them "
        "to the inputs, Q' = (tgt + query_pos) Wq + bq and K' = (memory + pos) Wk + bk");
  if (weights_match(Variant::scale_d_model))
    FAIL_CHECK(
        "the weights match scores scaled by 1/sqrt(d) (d = d_model): each head takes dot products of "
        "d_h = d / num_heads features, so scale by 1/sqrt(d_h)");
  if (weights_match(Variant::mask_inverted))
    FAIL_CHECK(
        "the weights match the inverted mask: pixel_valid = true means a pixel of the image (DETR's mask and "
        "key_padding_mask are the opposite, true = padding)");
  if (weights_match(Variant::mask_ignored))
    FAIL_CHECK(
        "the weights match attention over every pixel: padding pixels (pixel_valid false) get weight 0");
}

// Compares with an image's golden values and names a classic mistake when they differ.
bool check_image(const std::string& what, const Attention& got, const Image& im, bool diagnose_it = true) {
  const bool ok = check_close(what + " output", got.output, im.output, kT2) &
                  check_close(what + " weights", got.weights, im.weights, kT2);
  if (!ok && diagnose_it && got.output.allFinite()) diagnose(got, im);
  return ok;
}

// The poison of the statement: NaN and 1e30 in the memory and pos rows of invalid pixels.
void poison_invalid(Image& im) {
  int k = 0;
  for (Index j = 0; j < im.memory.rows(); ++j)
    if (!im.valid(j)) {
      im.memory.row(j).setConstant(k % 2 == 0 ? NAN : 1e30f);
      im.pos.row(j).setConstant(k % 2 == 0 ? 1e30f : NAN);
      ++k;
    }
}

void explain_non_finite(const Attention& got) {
  if (!got.output.allFinite() || !got.weights.allFinite())
    FAIL_CHECK(
        "the memory and pos rows of the padding hold NaN and 1e30 here and must never be read: project only "
        "the valid pixels' rows, and do not multiply padded value rows by a zero weight (0 · NaN = NaN)");
}

std::string bits(const Keep& k) {
  std::string s;
  for (Index i = 0; i < k.size(); ++i) s += k(i) ? '1' : '0';
  return s;
}

}  // namespace

ATTN_TEST("output is N_q×d and weights N_q×HW and detr_pixel_valid has H·W entries", shape, 1) {
  const MHAParams p = random_mha_params(8, 2);
  Keep valid(6);
  valid << true, true, false, true, true, false;
  const Attention got = detr_cross_attention(Mat::Random(3, 8), Mat::Random(3, 8), Mat::Random(6, 8),
                                             Mat::Random(6, 8), valid, p);
  expect_shape("output", got.output, 3, 8);
  expect_shape("weights", got.weights, 3, 6);
  const Keep mask = detr_pixel_valid(2, 3, 1, 2);
  CHECK_MESSAGE(mask.size() == 6,
                "detr_pixel_valid(2, 3, ...) must have H·W = 6 entries, got " << mask.size());
}

ATTN_TEST("a single valid pixel gets weight 1 and every query reads its value row", shape, 1) {
  const MHAParams p = random_mha_params(6, 3);
  const Mat memory = Mat::Random(5, 6);
  Keep valid = Keep::Constant(5, false);
  valid(3) = true;
  const Attention got =
      detr_cross_attention(Mat::Random(4, 6), Mat::Random(4, 6), memory, Mat::Random(5, 6), valid, p);
  MatD expected_weights = MatD::Zero(4, 5);
  expected_weights.col(3).setOnes();
  check_close("weights", got.weights, expected_weights, kT1);
  // every query reads pixel 3's value row: (memory_3 Wv + bv) Wo + bo, with no positional term
  const MatD row =
      (memory.row(3).cast<double>() * p.Wv.cast<double>() + p.bv.cast<double>()) * p.Wo.cast<double>() +
      p.bo.cast<double>();
  check_close("output", got.output, row.replicate(4, 1), kT2);
}

ATTN_TEST("worked example from the statement (tgt = 0 so query_pos tells the queries apart)", numeric, 2) {
  // d = 2, one head, every W = I, every b = 0; a 2×2 map whose image is 2×1: pixels 1 and 3 (column 1) are
  // padding
  MHAParams p;
  p.Wq = p.Wk = p.Wv = p.Wo = Mat::Identity(2, 2);
  p.bq = p.bk = p.bv = p.bo = RowVec::Zero(2);
  p.num_heads = 1;
  const Mat tgt = Mat::Zero(2, 2), query_pos{{1.f, 0.f}, {0.f, 1.f}};
  const Mat memory{{1.f, 0.f}, {5.f, 5.f}, {0.f, 1.f}, {5.f, 5.f}},
      pos{{1.f, 0.f}, {0.f, 0.f}, {0.f, 0.f}, {0.f, 0.f}};
  Keep valid(4);
  valid << true, false, true, false;
  const double a = 0.8044296825069569, b = 0.6697615493266569;  // sigmoid(sqrt 2), sigmoid(1/sqrt 2)
  const Attention got = detr_cross_attention(tgt, query_pos, memory, pos, valid, p);
  const MatD weights{{a, 0, 1 - a, 0}, {1 - b, 0, b, 0}}, output{{a, 1 - a}, {1 - b, b}};
  const bool ok =
      check_close("weights", got.weights, weights, kT1) & check_close("output", got.output, output, kT1);
  if (ok) return;
  if (is_close(got.output, MatD{{2 * a, 1 - a}, {2 * (1 - b), b}}, kT1))
    FAIL_CHECK(
        "that is the output with pos added to the values: V' = memory Wv + bv, positions only in Q and K");
  else if (is_close(got.output, MatD::Constant(2, 2, 0.5), kT1))
    FAIL_CHECK(
        "both queries read [0.5 0.5]: with tgt = 0 the queries differ only by query_pos, add it to tgt");
  else if (is_close(got.output, MatD{{b, 1 - b}, {1 - b, b}}, kT1))
    FAIL_CHECK("query 0 gets [0.6698 0.3302]: that is without pos in the keys, K' = (memory + pos) Wk + bk");
  else if (got.output.allFinite() && got.output.maxCoeff() > 2)
    FAIL_CHECK("values near 5 come from the padded pixels 1 and 3: pixel_valid false must get weight 0");
}

ATTN_TEST("a padded batch of two images matches torch.nn.MultiheadAttention", numeric, 3) {
  const Image im0 = batch0(), im1 = batch1();
  check_image("image 0 (3×6 of 4×6)", run(im0), im0);
  check_image("image 1 (4×4 of 4×6)", run(im1), im1);
}

ATTN_TEST("DETR's first decoder layer with tgt = 0 matches torch", numeric, 2) {
  const Image im = first_layer();
  const Attention got = run(im);
  if (check_image("first layer", got, im)) return;
  if (got.output.rows() > 1 && got.output.allFinite() &&
      (got.output.rowwise() - got.output.row(0)).cwiseAbs().maxCoeff() < 1e-6)
    FAIL_CHECK(
        "every object query gives the same row: with tgt = 0 only query_pos tells the queries apart, so it "
        "must be added to tgt before Wq");
}

ATTN_TEST("every pixel valid with 8 heads of d_h = 2 matches torch", numeric, 2) {
  const Image im = full();
  check_image("full map", run(im), im);
}

ATTN_TEST("20 queries on a 6×9 map with poisoned padding stay within T2", numeric, 2) {
  Image im = large();
  const Image clean = im;
  poison_invalid(im);  // the 19 pixels outside the 5×7 image
  const Attention got = run(im);
  explain_non_finite(got);
  const bool ok = check_close("output", got.output, im.output, kT2) &
                  check_close("weights", got.weights, im.weights, kT2);
  if (!ok && got.output.allFinite()) diagnose(got, clean);
}

ATTN_TEST("detr_pixel_valid marks the top-left image in row h·W + w", numeric, 2) {
  struct Case {
    int H, W, valid_h, valid_w;
    Keep expected;
  };
  const std::vector<Case> cases{
      {golden::batch::H, golden::batch::W, golden::batch::valid_h0, golden::batch::valid_w0,
       golden::batch::valid0.col(0)},
      {golden::batch::H, golden::batch::W, golden::batch::valid_h1, golden::batch::valid_w1,
       golden::batch::valid1.col(0)},
      {golden::large::H, golden::large::W, golden::large::valid_h0, golden::large::valid_w0,
       golden::large::valid0.col(0)},
      {golden::first_layer::H, golden::first_layer::W, golden::first_layer::valid_h0,
       golden::first_layer::valid_w0, golden::first_layer::valid0.col(0)},
      {3, 5, 3, 5, Keep::Constant(15, true)},   // the largest image of a batch: no padding
      {3, 5, 0, 5, Keep::Constant(15, false)},  // no rows: nothing valid
      {3, 5, 3, 0, Keep::Constant(15, false)},
  };
  for (const Case& c : cases) {
    CAPTURE(c.H);
    CAPTURE(c.W);
    CAPTURE(c.valid_h);
    CAPTURE(c.valid_w);
    const Keep got = detr_pixel_valid(c.H, c.W, c.valid_h, c.valid_w);
    if (got.size() != c.expected.size()) {
      FAIL_CHECK("detr_pixel_valid must have H·W = " << c.expected.size() << " entries, got " << got.size());
      continue;
    }
    if ((got == c.expected).all()) continue;
    std::string msg = "expected " + bits(c.expected) + ", got " + bits(got);
    Keep column_major = Keep::Constant(c.H * c.W, false);
    for (int h = 0; h < c.valid_h; ++h)
      for (int w = 0; w < c.valid_w; ++w) column_major(w * c.H + h) = true;
    if ((got == column_major).all())
      msg += ": that is column-major order (w·H + h); the set flattens pixel (h, w) to row h·W + w";
    else if ((got == !c.expected).all())
      msg += ": inverted, true must mean a pixel of the image (DETR's own mask is true on the padding)";
    FAIL_CHECK(msg);
  }
}

ATTN_TEST("detr_pixel_valid then detr_cross_attention reproduces padded images end to end", numeric, 3) {
  for (const Image& im : {batch0(), batch1(), large()}) {
    CAPTURE(im.valid_h);
    CAPTURE(im.valid_w);
    const Keep valid = detr_pixel_valid(im.H, im.W, im.valid_h, im.valid_w);
    if (valid.size() != im.valid.size()) {
      FAIL_CHECK("detr_pixel_valid must have H·W entries");
      continue;
    }
    if (!(valid == im.valid).all())
      FAIL_CHECK(
          "the mask from detr_pixel_valid is not the image's padding mask (row h·W + w is pixel (h, w))");
    check_image("end to end", detr_cross_attention(im.tgt, im.query_pos, im.memory, im.pos, valid, im.p), im,
                false);
  }
}

ATTN_TEST("adding one vector to every row of pos changes nothing", property, 2) {
  // K' gains c Wk in every row, so each query's scores all gain the same q·(c Wk): the softmax ignores it
  const Image im = batch0();
  if (!check_image("base case", run(im), im)) return;
  Image shifted = im;
  const RowVec c = 3.f * RowVec::Random(im.pos.cols());
  shifted.pos.rowwise() += c;
  const Attention got = run(shifted);
  if (check_close("output with pos + c", got.output, im.output, kT2) &&
      check_close("weights with pos + c", got.weights, im.weights, kT2))
    return;
  if (is_close(got.output, model(shifted, Variant::pos_in_value).output, kLoose))
    FAIL_CHECK("the output moved by c·Wv·Wo: pos went into the values too, but V' = memory Wv + bv");
}

ATTN_TEST("only tgt + query_pos matters so moving a vector between them changes nothing", property, 2) {
  // DETR's with_pos_embed(tgt, query_pos) = tgt + query_pos is projected as one input
  const Image im = batch1();
  if (!check_image("base case", run(im), im)) return;
  Image swapped = im;
  swapped.tgt = im.query_pos, swapped.query_pos = im.tgt;
  const Attention got = run(swapped);
  bool ok = check_close("output with tgt and query_pos swapped", got.output, im.output, kT2);
  Image moved = im;
  const Mat x = 2.f * Mat::Random(im.tgt.rows(), im.tgt.cols());
  moved.tgt += x, moved.query_pos -= x;
  ok &= check_close("output with tgt + x and query_pos - x", run(moved).output, im.output, kT2);
  if (!ok)
    FAIL_CHECK(
        "tgt and query_pos enter only through their sum: Q' = (tgt + query_pos) Wq + bq. Adding query_pos "
        "after the projection (or only to tgt's keys) breaks this");
}

ATTN_TEST("with Wk = 0 the weights are uniform over the valid pixels and pos has no effect", property, 2) {
  const Image im = batch1();
  if (!check_image("base case", run(im), im)) return;
  // every key row is bk, so every valid pixel scores the same: uniform weights, and the output is the mean of
  // the valid value rows, ((mean of valid memory) Wv + bv) Wo + bo, whatever pos holds
  Image blind = im;
  blind.p.Wk.setZero();
  blind.pos = 5.f * Mat::Random(im.pos.rows(), im.pos.cols());
  const Index n_valid = im.valid.count();
  MatD uniform = MatD::Zero(im.tgt.rows(), im.memory.rows());
  Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(im.memory.cols());
  for (Index j = 0; j < im.memory.rows(); ++j)
    if (im.valid(j)) {
      uniform.col(j).setConstant(1.0 / static_cast<double>(n_valid));
      mean += im.memory.row(j).cast<double>() / static_cast<double>(n_valid);
    }
  const MatD out_row = ((mean * im.p.Wv.cast<double>() + im.p.bv.cast<double>()) * im.p.Wo.cast<double>() +
                        im.p.bo.cast<double>());
  const Attention got = run(blind);
  check_close("weights with Wk = 0", got.weights, uniform, kT1);
  if (!check_close("output with Wk = 0", got.output, out_row.replicate(im.tgt.rows(), 1), kT2) &&
      is_close(got.output, model(blind, Variant::pos_in_value).output, kLoose))
    FAIL_CHECK("the output depends on pos through the values: V' = memory Wv + bv, without pos");
}

ATTN_TEST("permuting the object queries permutes the output rows", property, 2) {
  // DETR predicts a set: query i's answer depends on query i alone, whatever the others are
  const Image im = batch0();
  if (!check_image("base case", run(im), im)) return;
  const std::vector<int> order{3, 0, 4, 1, 2};
  Image perm = im;
  perm.tgt = rows_in_order(im.tgt, order), perm.query_pos = rows_in_order(im.query_pos, order);
  const Attention got = run(perm);
  check_close("output of permuted queries", got.output, rows_in_order(im.output, order), kT2);
  check_close("weights of permuted queries", got.weights, rows_in_order(im.weights, order), kT2);
}

ATTN_TEST("permuting pixels with their pos and validity permutes only the weight columns", property, 2) {
  // attention is a weighted sum over pixels: their order (the flattening) cannot change what a query reads
  const Image im = batch1();
  if (!check_image("base case", run(im), im)) return;
  std::vector<int> order(static_cast<size_t>(im.memory.rows()));
  for (size_t k = 0; k < order.size(); ++k) order[k] = static_cast<int>((k * 7 + 5) % order.size());
  Image perm = im;
  perm.memory = rows_in_order(im.memory, order), perm.pos = rows_in_order(im.pos, order);
  MatD expected(im.weights.rows(), im.weights.cols());  // column k of the permuted run is pixel order[k]
  for (Index k = 0; k < perm.valid.size(); ++k) {
    perm.valid(k) = im.valid(order[static_cast<size_t>(k)]);
    expected.col(k) = im.weights.col(order[static_cast<size_t>(k)]);
  }
  const Attention got = run(perm);
  check_close("output with permuted pixels", got.output, im.output, kT2);
  check_close("weights with permuted pixels", got.weights, expected, kT2);
}

ATTN_TEST("invalid pixels get exactly 0 weight and each weight row sums to 1", property, 2) {
  for (const Image& im : {batch0(), batch1()}) {
    const Attention got = run(im);
    if (!check_image("golden", got, im)) {
      bool valid_all_zero =
          got.weights.rows() == im.weights.rows() && got.weights.cols() == im.weights.cols();
      for (Index j = 0; valid_all_zero && j < im.valid.size(); ++j)
        valid_all_zero = !im.valid(j) || got.weights.col(j).isZero(0);
      if (valid_all_zero)
        FAIL_CHECK("the valid pixels get no weight at all: pixel_valid = true means a pixel of the image");
      return;
    }
    const Mask valid_rows = im.valid.transpose().replicate(im.tgt.rows(), 1);
    check_zero_where_masked("weights", got.weights, valid_rows);
    check_rows_sum_to("weights", got.weights);
  }
}

ATTN_TEST("NaN and 1e30 in invalid memory and pos rows do not leak", property, 3) {
  for (Image im : {batch0(), batch1()}) {
    poison_invalid(im);
    const Attention got = run(im);
    if (!check_finite("output with poisoned padding", got.output) ||
        !check_finite("weights with poisoned padding", got.weights)) {
      explain_non_finite(got);
      return;
    }
    // the padding changes nothing: the result is the golden one of the clean image
    check_close("output with poisoned padding", got.output, im.output, kT2);
    check_close("weights with poisoned padding", got.weights, im.weights, kT2);
  }
}

ATTN_TEST("no valid pixel gives zero weights and every output row bo", edge, 2) {
  const Image im = batch0();
  if (!check_image("base case", run(im), im)) return;
  // the same queries against a map with no valid pixel, whose memory and pos are NaN: nothing is read
  const Mat nan_rows = Mat::Constant(im.memory.rows(), im.memory.cols(), NAN);
  const Attention got = detr_cross_attention(im.tgt, im.query_pos, nan_rows, nan_rows,
                                             Keep::Constant(im.memory.rows(), false), im.p);
  if (!check_finite("weights", got.weights) || !check_finite("output", got.output)) {
    FAIL_CHECK(
        "with no valid pixel the softmax has nothing to normalise: weights are 0 (not 0/0 = NaN) and no "
        "memory or pos row is read");
    return;
  }
  check_close("weights", got.weights, MatD::Zero(im.tgt.rows(), im.memory.rows()), Tol{0, 0, "exact"});
  if (!check_close("output", got.output, im.p.bo.cast<double>().replicate(im.tgt.rows(), 1), kT1) &&
      is_close(got.output, MatD::Zero(im.tgt.rows(), im.tgt.cols())))
    FAIL_CHECK("the output is zero: the zero concatenation still goes through the output layer, giving bo");
}

ATTN_TEST("scores far beyond float32 exp's range need each row's own maximum", edge, 2) {
  // bk is large: each query's scores are shifted by its own constant q·bk, some past +88 (exp overflows),
  // some more than 104 below another query's (a maximum shared by all rows underflows them to 0/0)
  const Image im = big_scores();
  const Attention got = run(im);
  if (!check_finite("weights", got.weights) || !check_finite("output", got.output)) {
    FAIL_CHECK(
        "scores here pass float32 exp's range (about ±88): subtract each query row's own maximum over its "
        "valid pixels, per head, before exponentiating");
    return;
  }
  check_image("large scores", got, im);
}

ATTN_TEST("num_heads that is not positive or does not divide d throws std::invalid_argument", edge, 1) {
  const Mat tgt = Mat::Random(3, 6), memory = Mat::Random(4, 6);
  const Keep valid = Keep::Constant(4, true);
  CHECK_THROWS_AS_MESSAGE(detr_cross_attention(tgt, tgt, memory, memory, valid, random_mha_params(6, 4)),
                          std::invalid_argument, "d = 6 with 4 heads: d_h would be 1.5");
  CHECK_THROWS_AS_MESSAGE(detr_cross_attention(tgt, tgt, memory, memory, valid, random_mha_params(6, 0)),
                          std::invalid_argument, "num_heads = 0");
  CHECK_THROWS_AS_MESSAGE(detr_cross_attention(tgt, tgt, memory, memory, valid, random_mha_params(6, -3)),
                          std::invalid_argument, "num_heads = -3");
}

ATTN_TEST("mismatched shapes throw std::invalid_argument", edge, 2) {
  const Mat tgt = Mat::Random(3, 8), query_pos = Mat::Random(3, 8), memory = Mat::Random(6, 8),
            pos = Mat::Random(6, 8);
  const Keep valid = Keep::Constant(6, true);
  const MHAParams p = random_mha_params(8, 2);
  for (Mat MHAParams::*W : {&MHAParams::Wq, &MHAParams::Wk, &MHAParams::Wv, &MHAParams::Wo}) {
    MHAParams bad = p;
    bad.*W = Mat::Random(8, 6);
    CHECK_THROWS_AS_MESSAGE(detr_cross_attention(tgt, query_pos, memory, pos, valid, bad),
                            std::invalid_argument, "a weight that is 8×6, not 8×8");
  }
  for (RowVec MHAParams::*b : {&MHAParams::bq, &MHAParams::bk, &MHAParams::bv, &MHAParams::bo}) {
    MHAParams bad = p;
    bad.*b = RowVec::Random(7);
    CHECK_THROWS_AS_MESSAGE(detr_cross_attention(tgt, query_pos, memory, pos, valid, bad),
                            std::invalid_argument, "a bias with 7 entries, d = 8");
  }
  CHECK_THROWS_AS_MESSAGE(detr_cross_attention(Mat::Random(3, 6), query_pos, memory, pos, valid, p),
                          std::invalid_argument, "tgt has 6 columns, d = 8");
  CHECK_THROWS_AS_MESSAGE(detr_cross_attention(tgt, Mat::Random(3, 6), memory, pos, valid, p),
                          std::invalid_argument, "query_pos has 6 columns, d = 8");
  CHECK_THROWS_AS_MESSAGE(detr_cross_attention(tgt, Mat::Random(4, 8), memory, pos, valid, p),
                          std::invalid_argument, "query_pos has 4 rows, tgt 3");
  CHECK_THROWS_AS_MESSAGE(detr_cross_attention(tgt, query_pos, Mat::Random(6, 6), pos, valid, p),
                          std::invalid_argument, "memory has 6 columns, d = 8");
  CHECK_THROWS_AS_MESSAGE(detr_cross_attention(tgt, query_pos, memory, Mat::Random(6, 6), valid, p),
                          std::invalid_argument, "pos has 6 columns, d = 8");
  CHECK_THROWS_AS_MESSAGE(detr_cross_attention(tgt, query_pos, memory, Mat::Random(5, 8), valid, p),
                          std::invalid_argument, "pos has 5 rows, memory 6");
  CHECK_THROWS_AS_MESSAGE(detr_cross_attention(tgt, query_pos, memory, pos, Keep::Constant(5, true), p),
                          std::invalid_argument, "pixel_valid has 5 entries, memory 6 rows");
}

ATTN_TEST("detr_pixel_valid with a size or extent out of range throws std::invalid_argument", edge, 1) {
  CHECK_THROWS_AS_MESSAGE(detr_pixel_valid(0, 4, 0, 0), std::invalid_argument, "H = 0");
  CHECK_THROWS_AS_MESSAGE(detr_pixel_valid(3, -1, 0, 0), std::invalid_argument, "W = -1");
  CHECK_THROWS_AS_MESSAGE(detr_pixel_valid(3, 4, 4, 2), std::invalid_argument, "valid_h = 4 > H = 3");
  CHECK_THROWS_AS_MESSAGE(detr_pixel_valid(3, 4, 2, 5), std::invalid_argument, "valid_w = 5 > W = 4");
  CHECK_THROWS_AS_MESSAGE(detr_pixel_valid(3, 4, -1, 2), std::invalid_argument, "valid_h = -1");
  CHECK_THROWS_AS_MESSAGE(detr_pixel_valid(3, 4, 2, -1), std::invalid_argument, "valid_w = -1");
  CHECK_NOTHROW(detr_pixel_valid(3, 4, 3, 4));
}

// p21 squeeze_excitation — graded tests. Golden values: tools/golden/p21.py (torch.nn.functional on NCHW
// tensors, converted to (H·W, C) rows in the generator; cross-checked with a numpy loop over channels).
#include <attnkata/graded.h>

#include <cmath>
#include <string>
#include <vector>

#include "golden.inc"
#include "squeeze_excitation.h"

using namespace attn;
using namespace attn::check;

namespace {

using RowVecD = Eigen::RowVectorXd;

// One golden case: the inputs as the learner's function takes them, and the expected values.
struct Case {
  Mat U, W1;
  RowVec b1;
  Mat W2;
  RowVec b2;
  MatD logits, scale, output;
  SEOut run() const { return squeeze_excitation(U, W1, b1, W2, b2); }
};

#define GOLDEN_CASE(ns)                                                                          \
  Case {                                                                                         \
    golden::ns::U, golden::ns::W1, golden::ns::b1.row(0), golden::ns::W2, golden::ns::b2.row(0), \
        golden::ns::logits, golden::ns::scale, golden::ns::output                                \
  }

// ---- diagnosis only, never a golden value: the classic wrong SE blocks, in double ----

enum class Variant { sum_squeeze, max_squeeze, channel_squeeze, no_relu, softmax_gate };

struct Model {
  RowVecD scale;
  MatD output;
};

Model model(const Case& c, Variant v) {
  const MatD U = c.U.cast<double>();
  RowVecD z = U.colwise().mean();
  if (v == Variant::sum_squeeze) z = U.colwise().sum();
  if (v == Variant::max_squeeze) z = U.colwise().maxCoeff();
  if (v == Variant::channel_squeeze) z = U.rowwise().mean().transpose();  // runs only when U is square
  RowVecD hidden = z * c.W1.cast<double>() + c.b1.cast<double>();
  if (v != Variant::no_relu) hidden = hidden.cwiseMax(0.0);
  const RowVecD logits = hidden * c.W2.cast<double>() + c.b2.cast<double>();
  RowVecD s;
  if (v == Variant::softmax_gate) {
    s = (logits.array() - logits.maxCoeff()).exp().matrix();
    s /= s.sum();
  } else {
    s = (1.0 / (1.0 + (-logits.array()).exp())).matrix();
  }
  return {s, U.array().rowwise() * s.array()};
}

// Name the classic mistakes when a comparison has failed; returns whether one was named.
bool diagnose(const SEOut& got, const Case& c) {
  if (got.scale.size() != c.scale.cols() || got.output.rows() != c.output.rows() ||
      got.output.cols() != c.output.cols())
    return false;
  if (!got.scale.allFinite() || !got.output.allFinite()) {
    if (c.logits.maxCoeff() > 88.7) {
      FAIL_CHECK(
          "the gate is not finite where a logit exceeds 88.7: e^x overflows float32 there, and "
          "e^x / (1 + e^x) is inf / inf = NaN. Use 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) only for "
          "x < 0");
      return true;
    }
    return false;
  }
  const MatD got_scale = got.scale.cast<double>();
  bool named = false;
  auto name = [&](const std::string& mistake) {
    FAIL_CHECK(mistake);
    named = true;
  };
  auto matches = [&](Variant v) {
    const Model m = model(c, v);
    return is_close(got_scale, m.scale, kT2) && !is_close(got_scale, c.scale, kT2);
  };
  if (matches(Variant::sum_squeeze))
    name(
        "the gate matches a squeeze by the sum of each channel: the squeeze is the mean over the H·W pixels "
        "(global average pooling), so divide by U.rows()");
  if (matches(Variant::max_squeeze))
    name(
        "the gate matches a squeeze by the maximum of each channel: SE uses global average pooling (CBAM, "
        "p28, adds a max-pooled branch)");
  if (c.U.rows() == c.U.cols() && matches(Variant::channel_squeeze))
    name(
        "the gate matches a squeeze over the channels of each pixel (U.rowwise().mean()): rows are pixels, "
        "so the per-channel mean is U.colwise().mean(). This only ran because U happens to be square here");
  if (matches(Variant::no_relu))
    name(
        "the gate matches the excitation without its ReLU: s = sigmoid(ReLU(z W1 + b1) W2 + b2), the ReLU "
        "zeroes the negative hidden units");
  if (matches(Variant::softmax_gate))
    name(
        "the gate matches a softmax over the channels: SE gates each channel independently with a sigmoid, "
        "so the gates do not sum to 1 and several channels can be fully open");
  if (!named && is_close(got_scale, c.scale, kT1)) {
    const MatD U = c.U.cast<double>();
    if (is_close(got.output, U, kT1))
      name("the gate is right but the output is U unchanged: multiply column c of U by scale(c)");
    else if (is_close(got.output, MatD(U + c.output), kT2))
      name(
          "the output is U + U·diag(s): the SE block returns U·diag(s) alone (SE-ResNet adds the identity "
          "outside the block)");
    else if (U.rows() == U.cols() &&
             is_close(got.output, MatD(c.scale.row(0).transpose().asDiagonal() * U), kT2))
      name(
          "each pixel (row) p was scaled by s_p: the gate is per channel, so column c of U is scaled by s_c "
          "(U.array().rowwise() * s.array())");
  }
  return named;
}

// Shapes, finiteness, then the gate and the output against golden values; a diagnosis when they differ.
bool check_se(const SEOut& got, const Case& c, Tol tol = kT1) {
  if (!expect_shape("scale", got.scale, 1, c.scale.cols()) ||
      !expect_shape("output", got.output, c.output.rows(), c.output.cols()))
    return false;
  const bool finite = check_finite("scale", got.scale) & check_finite("output", got.output);
  if (!finite) {
    diagnose(got, c);
    return false;
  }
  const bool ok =
      check_close("scale", got.scale, c.scale, tol) & check_close("output", got.output, c.output, tol);
  if (!ok) diagnose(got, c);
  return ok;
}

// Every gate in [0, 1]; 1.0f itself is allowed (a float32 sigmoid rounds to it above a logit of ~17.3).
bool check_unit_interval(const RowVec& scale) {
  for (Index c = 0; c < scale.size(); ++c)
    if (!(scale(c) >= 0.f && scale(c) <= 1.f)) {
      FAIL_CHECK("scale(" << c << ") = " << num(scale(c))
                          << " is outside [0, 1]: a sigmoid gate can round to exactly 0 or 1 in float32, "
                             "never beyond");
      return false;
    }
  return true;
}

}  // namespace

ATTN_TEST("output is H·W×C and scale is 1×C", shape, 1) {
  struct Shape {
    Index pixels, C, C_r;
  };
  for (const Shape s : {Shape{12, 5, 2}, Shape{1, 3, 7}, Shape{20, 8, 3}}) {
    CAPTURE(s.pixels);
    CAPTURE(s.C);
    CAPTURE(s.C_r);
    SEOut got;
    try {
      got = squeeze_excitation(Mat::Random(s.pixels, s.C), Mat::Random(s.C, s.C_r), RowVec::Random(s.C_r),
                               Mat::Random(s.C_r, s.C), RowVec::Random(s.C));
    } catch (const EigenAssertionError& e) {
      FAIL(std::string(e.what()) << ". Check each step's shape: z = U.colwise().mean() is (1, C) since rows "
                                    "are pixels (rowwise() would average each pixel's channels), z W1 + b1 "
                                    "is (1, C_r), ReLU(...) W2 + b2 is (1, C), and the scale multiplies each "
                                    "row of U by that gate: U.array().rowwise() * s.array()");
    }
    expect_shape("output", got.output, s.pixels, s.C);
    expect_shape("scale", got.scale, 1, s.C);
  }
}

ATTN_TEST("worked example from the statement", numeric, 2) {
  // 3 pixels, 2 channels, C_r = 1: z = [2, 0]. With b1 = 0 the hidden unit is ReLU(2 - 0) = 2 and the logits
  // are [2, 0]; with b1 = -3 it is ReLU(-1) = 0 and the logits are b2 = [0, 1]
  const auto sigmoid = [](double x) { return 1 / (1 + std::exp(-x)); };
  Case c;
  c.U = Mat{{1.f, 2.f}, {3.f, -2.f}, {2.f, 0.f}};
  c.W1 = Mat{{1.f}, {-1.f}};
  c.b1 = RowVec::Zero(1);
  c.W2 = Mat{{1.f, -0.5f}};
  c.b2 = RowVec{{0.f, 1.f}};
  c.logits = MatD{{2, 0}};
  c.scale = MatD{{sigmoid(2), 0.5}};
  c.output = c.U.cast<double>().array().rowwise() * c.scale.row(0).array();
  {
    INFO(std::string(
        "b1 = 0: scale [0.8807971, 0.5], output [[0.8807971, 1], [2.6423912, -1], [1.7615942, 0]]"));
    check_se(c.run(), c);
  }
  c.b1(0) = -3.f;
  c.logits = MatD{{0, 1}};
  c.scale = MatD{{0.5, sigmoid(1)}};
  c.output = c.U.cast<double>().array().rowwise() * c.scale.row(0).array();
  INFO(std::string("b1 = -3: the ReLU clips the hidden unit; scale [0.5, 0.7310586]"));
  check_se(c.run(), c);
}

ATTN_TEST("golden SE block from torch on NCHW (5×7 map with 16 channels)", numeric, 3) {
  const Case c = GOLDEN_CASE(main);
  check_se(c.run(), c);
}

ATTN_TEST("a hidden size that does not divide C (C = 10 and C_r = 3) matches golden values", numeric, 1) {
  const Case c = GOLDEN_CASE(odd);
  check_se(c.run(), c);
}

ATTN_TEST("a square U (4×4 pixels with 16 channels) is squeezed over its pixels", numeric, 2) {
  // U is 16×16: a mean over the wrong axis, or a gate applied to rows, runs without a shape error here
  const Case c = GOLDEN_CASE(square);
  check_se(c.run(), c);
}

ATTN_TEST("a 32×32 map with 64 channels and two saturated gates stays within T1", numeric, 2) {
  // channels 0 and 1 have logits near +101 and -101: past float32 exp's range
  const Case c = GOLDEN_CASE(large);
  check_se(c.run(), c);
}

ATTN_TEST("the gate stays in [0 1] and may reach exactly 1 where float32 saturates", property, 2) {
  // logits about -150, -100, -90, -20, 0, 20, 90, 150: the float32 gates of 20, 90 and 150 round to 1.0f
  const Case c = GOLDEN_CASE(saturated);
  const SEOut got = c.run();
  if (!expect_shape("scale", got.scale, 1, c.scale.cols())) return;
  if (!check_finite("scale", got.scale)) {
    diagnose(got, c);
    return;
  }
  // the range alone holds for zeros or a constant 0.5: the gates must also be the golden ones
  check_unit_interval(got.scale);
  check_se(got, c);
}

ATTN_TEST("moderate logits give a gate strictly between 0 and 1", property, 1) {
  const Case c = GOLDEN_CASE(main);  // logits in (-1.4, 1.5)
  const SEOut got = c.run();
  if (!check_se(got, c)) return;
  for (Index ch = 0; ch < got.scale.size(); ++ch)
    if (!(got.scale(ch) > 0.f && got.scale(ch) < 1.f))
      FAIL_CHECK("scale(" << ch << ") = " << num(got.scale(ch)) << " for a logit of " << num(c.logits(0, ch))
                          << ": a moderate logit gives a gate strictly between 0 and 1");
}

ATTN_TEST("permuting the pixels permutes the output rows and leaves the gate unchanged", property, 2) {
  const Case c = GOLDEN_CASE(main);
  if (!check_se(c.run(), c)) return;
  std::vector<int> order(static_cast<size_t>(c.U.rows()));  // pixel i of the permuted map is pixel order[i]
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>((13 * i + 5) % order.size());
  Case permuted = c;
  permuted.U = rows_in_order(c.U, order);
  permuted.output = rows_in_order(c.output, order);
  INFO(std::string("the squeeze averages over all pixels, so their order cannot change the gate"));
  check_se(permuted.run(), permuted);
}

ATTN_TEST("repeating every pixel twice leaves the gate unchanged", property, 1) {
  const Case c = GOLDEN_CASE(odd);
  if (!check_se(c.run(), c)) return;
  Case twice = c;  // the map stacked on itself: every channel mean is the same, every sum doubles
  twice.U = Mat(2 * c.U.rows(), c.U.cols());
  twice.U << c.U, c.U;
  twice.output = MatD(2 * c.output.rows(), c.output.cols());
  twice.output << c.output, c.output;
  const SEOut got = twice.run();
  if (!check_se(got, twice) && got.scale.size() == c.scale.cols() && got.scale.allFinite() &&
      !is_close(got.scale, c.scale, kT2))
    FAIL_CHECK("the gate changed when every pixel was repeated: the squeeze must be a mean, not a sum");
}

ATTN_TEST("W2 = 0 and b2 = 0 give a gate of 0.5 and output U/2", property, 1) {
  Case c = GOLDEN_CASE(main);
  if (!check_se(c.run(), c)) return;
  c.W2.setZero();
  c.b2.setZero();  // every logit is 0 and sigmoid(0) = 0.5, whatever U, W1 and b1
  const SEOut got = c.run();
  if (!expect_shape("scale", got.scale, 1, c.U.cols()) ||
      !expect_shape("output", got.output, c.U.rows(), c.U.cols()))
    return;
  check_close("scale with W2 = 0 and b2 = 0", got.scale, MatD::Constant(1, c.U.cols(), 0.5), kT1);
  check_close("output with W2 = 0 and b2 = 0", got.output, MatD(0.5 * c.U.cast<double>()), kT1);
}

ATTN_TEST("H = W = 1: the single pixel is its own mean", edge, 1) {
  const Case c = GOLDEN_CASE(pixel1);
  check_se(c.run(), c);
}

ATTN_TEST("a map with no pixels throws std::invalid_argument", edge, 1) {
  const Mat W1 = Mat::Random(4, 2), W2 = Mat::Random(2, 4);
  const RowVec b1 = RowVec::Random(2), b2 = RowVec::Random(4);
  INFO(std::string("the squeeze of zero pixels is 0/0: there is no mean to take"));
  CHECK_THROWS_AS(squeeze_excitation(Mat(0, 4), W1, b1, W2, b2), std::invalid_argument);
  CHECK_NOTHROW(squeeze_excitation(Mat::Random(1, 4), W1, b1, W2, b2));
}

ATTN_TEST("mismatched weight and bias shapes throw std::invalid_argument", edge, 2) {
  const Mat U = Mat::Random(6, 4), W1 = Mat::Random(4, 2), W2 = Mat::Random(2, 4);
  const RowVec b1 = RowVec::Random(2), b2 = RowVec::Random(4);
  const auto throws = [&](const char* why, const Mat& W1_, const RowVec& b1_, const Mat& W2_,
                          const RowVec& b2_) {
    INFO(std::string(why));
    CHECK_THROWS_AS(squeeze_excitation(U, W1_, b1_, W2_, b2_), std::invalid_argument);
  };
  throws("W1.rows() must equal C = U.cols()", Mat::Random(3, 2), b1, W2, b2);
  throws("b1 must have C_r = W1.cols() entries", W1, RowVec::Random(3), W2, b2);
  throws("W2.rows() must equal C_r = W1.cols()", W1, b1, Mat::Random(3, 4), b2);
  throws("W2.cols() must equal C", W1, b1, Mat::Random(2, 5), b2);
  throws("b2 must have C entries", W1, b1, W2, RowVec::Random(5));
  throws("W1 given as PyTorch's (C_r, C) weight, untransposed", Mat::Random(2, 4), b1, W2, b2);
  CHECK_NOTHROW(squeeze_excitation(U, W1, b1, W2, b2));
}

// p28 cbam_channel_spatial — graded tests. Golden values: tools/golden/p28.py (torch.nn.functional.conv2d and
// adaptive pooling on NCHW tensors in float64, cross-checked with a numpy loop over pixels h·W + w).
#include <attnkata/graded.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "cbam_channel_spatial.h"
#include "golden.inc"

using namespace attn;
using namespace attn::check;

namespace {

using RowD = Eigen::RowVectorXd;

CbamParams make_params(const Mat& W0, const Mat& b0, const Mat& W1, const Mat& b1, const Mat& K_avg,
                       const Mat& K_max, float b_s) {
  CbamParams p;
  p.W0 = W0, p.b0 = b0.row(0), p.W1 = W1, p.b1 = b1.row(0);
  p.spatial_kernel = {K_avg, K_max};
  p.spatial_bias = b_s;
  return p;
}

#define GOLDEN_PARAMS(ns) make_params(ns::W0, ns::b0, ns::W1, ns::b1, ns::K_avg, ns::K_max, ns::b_s)

// Spatial-only parameters: the MLP is unused by cbam_spatial_attention.
CbamParams spatial_params(const Mat& K_avg, const Mat& K_max, float b_s) {
  return make_params(Mat(), Mat(1, 0), Mat(), Mat(1, 0), K_avg, K_max, b_s);
}

// F diag(M_c) with the golden M_c: the channel-refined map, from golden numbers only.
MatD refined_by(const Mat& F, const MatD& channel_att) {
  return F.cast<double>() * channel_att.row(0).asDiagonal();
}

// ---- diagnosis only, never a golden value: CBAM in double, with one classic mistake switched on ----

enum class Mistake {
  none,
  bias_once,
  avg_only,
  max_only,
  mlp_of_sum,
  swapped_pool,
  column_major,
  transposed_kernel,
  flipped_kernel,
  replicate_pad,
  no_bias,
  softmax_pixels,
  parallel
};

double sigmoid(double x) {
  return 1 / (1 + std::exp(-x));
}

RowD model_channel(const Mat& F, const CbamParams& p, Mistake m) {
  const MatD Fd = F.cast<double>(), W0 = p.W0.cast<double>(), W1 = p.W1.cast<double>();
  const RowD b0 = p.b0.cast<double>(), b1 = p.b1.cast<double>();
  const RowD avg = Fd.colwise().mean(), max = Fd.colwise().maxCoeff();
  const auto hidden = [&](const RowD& z) -> RowD { return (z * W0 + b0).cwiseMax(0.0); };
  RowD logit;
  switch (m) {
    case Mistake::bias_once:
      logit = (hidden(avg) + hidden(max)) * W1 + b1;
      break;
    case Mistake::avg_only:
      logit = hidden(avg) * W1 + b1;
      break;
    case Mistake::max_only:
      logit = hidden(max) * W1 + b1;
      break;
    case Mistake::mlp_of_sum:
      logit = hidden(avg + max) * W1 + b1;
      break;
    default:
      logit = hidden(avg) * W1 + b1 + hidden(max) * W1 + b1;
  }
  return logit.unaryExpr([](double x) { return sigmoid(x); });
}

// Pixel (h, w) sits in row h·W + w; the column-major mistake takes it from row h + w·H.
Index row_of(Index h, Index w, int H, int W, Mistake m) {
  return m == Mistake::column_major ? h + w * H : h * W + w;
}

MatD model_spatial(const MatD& G, int H, int W, const CbamParams& p, Mistake m) {
  Eigen::VectorXd avg = G.rowwise().mean(), max = G.rowwise().maxCoeff();
  if (m == Mistake::swapped_pool) std::swap(avg, max);
  MatD maps[2] = {MatD(H, W), MatD(H, W)};
  for (Index h = 0; h < H; ++h)
    for (Index w = 0; w < W; ++w) {
      maps[0](h, w) = avg(row_of(h, w, H, W, m));
      maps[1](h, w) = max(row_of(h, w, H, W, m));
    }
  const Index k = p.spatial_kernel[0].rows(), r = (k - 1) / 2;
  MatD logits = MatD::Constant(H, W, m == Mistake::no_bias ? 0.0 : double(p.spatial_bias));
  for (int c = 0; c < 2; ++c) {
    MatD K = p.spatial_kernel[static_cast<size_t>(c)].cast<double>();
    if (m == Mistake::flipped_kernel) K = K.reverse().eval();
    if (m == Mistake::transposed_kernel) K = K.transpose().eval();
    for (Index y = 0; y < H; ++y)
      for (Index x = 0; x < W; ++x)
        for (Index u = 0; u < k; ++u)
          for (Index v = 0; v < k; ++v) {
            Index sy = y + u - r, sx = x + v - r;
            if (m == Mistake::replicate_pad) {
              sy = std::clamp<Index>(sy, 0, H - 1), sx = std::clamp<Index>(sx, 0, W - 1);
            } else if (sy < 0 || sy >= H || sx < 0 || sx >= W) {
              continue;
            }
            logits(y, x) += K(u, v) * maps[c](sy, sx);
          }
  }
  if (m == Mistake::softmax_pixels) {
    const MatD e = (logits.array() - logits.maxCoeff()).exp().matrix();
    return e / e.sum();
  }
  return logits.unaryExpr([](double x) { return sigmoid(x); });
}

struct Model {
  RowD channel;
  MatD spatial, output;
};

Model model(const Mat& F, int H, int W, const CbamParams& p, Mistake m) {
  Model out;
  out.channel = model_channel(F, p, m);
  const MatD refined = F.cast<double>() * out.channel.asDiagonal();
  out.spatial = model_spatial(m == Mistake::parallel ? MatD(F.cast<double>()) : refined, H, W, p, m);
  out.output = refined;
  for (Index h = 0; h < H; ++h)
    for (Index w = 0; w < W; ++w) out.output.row(row_of(h, w, H, W, m)) *= out.spatial(h, w);
  return out;
}

std::string explain(Mistake m) {
  switch (m) {
    case Mistake::bias_once:
      return "the channel logits hold b1 once: CBAM adds MLP(avg) + MLP(max), two calls of the MLP, so b1 is "
             "added twice; (ReLU(avg W0 + b0) + ReLU(max W0 + b0)) W1 + b1 is one b1 short";
    case Mistake::avg_only:
      return "the channel gates use only the average-pooled descriptor (that is SE): CBAM adds MLP(avg) and "
             "MLP(max)";
    case Mistake::max_only:
      return "the channel gates use only the max-pooled descriptor: CBAM adds MLP(avg) and MLP(max)";
    case Mistake::mlp_of_sum:
      return "the channel gates are σ(MLP(avg + max)): the MLP is not linear (ReLU, and b1), so run it on "
             "avg "
             "and on max separately and add the two outputs";
    case Mistake::swapped_pool:
      return "the pooled maps were stacked [max; avg] (the official code's ChannelPool order): this problem "
             "follows the paper, spatial_kernel[0] reads the channel-mean map and spatial_kernel[1] the "
             "channel-max map";
    case Mistake::column_major:
      return "the spatial map was read column-major: pixel (h, w) is row h·W + w of F, but this map takes it "
             "from row h + w·H, as Eigen's default reshaped(H, W) or Map<Mat>(data, H, W) do; fill it row by "
             "row (reshaped<Eigen::RowMajor>(H, W), or index h * W + w)";
    case Mistake::transposed_kernel:
      return "the kernel was read transposed: K(u, v) weighs the pixel u - r rows below and v - r columns "
             "right of (y, x), not the other way round";
    case Mistake::flipped_kernel:
      return "the kernel was flipped (a true convolution): conv2d is a cross-correlation, logit(y, x) = "
             "Σ K(u, v) map(y + u - r, x + v - r) with the kernel as given";
    case Mistake::replicate_pad:
      return "taps outside the map read the nearest border pixel (replicate padding): they count as 0, zero "
             "padding of (k-1)/2 as conv2d's padding argument does";
    case Mistake::no_bias:
      return "the spatial bias is missing: logit = conv([avg; max]) + spatial_bias";
    case Mistake::softmax_pixels:
      return "the spatial gates are a softmax over the pixels: CBAM gates each pixel on its own with a "
             "sigmoid, and the gates need not sum to 1";
    case Mistake::parallel:
      return "the spatial maps were pooled from F, not from the channel-refined F' = F diag(M_c): CBAM "
             "applies the two gates in sequence, channel first";
    case Mistake::none:
      break;
  }
  return "";
}

constexpr Mistake kChannelMistakes[] = {Mistake::bias_once, Mistake::avg_only, Mistake::max_only,
                                        Mistake::mlp_of_sum};
// column_major before transposed_kernel: on a square map the first also looks like the second
constexpr Mistake kSpatialMistakes[] = {
    Mistake::swapped_pool,  Mistake::column_major, Mistake::transposed_kernel, Mistake::flipped_kernel,
    Mistake::replicate_pad, Mistake::no_bias,      Mistake::softmax_pixels};

// Name the first classic mistake the result matches (and the truth does not); returns whether one was named.
template <class A>
bool name_first(const A& got, const MatD& truth, const std::vector<std::pair<Mistake, MatD>>& candidates) {
  for (const auto& [mistake, expected] : candidates)
    if (is_close(got, expected, kT3) && !is_close(got, truth, kT3)) {
      FAIL_CHECK(explain(mistake));
      return true;
    }
  return false;
}

bool diagnose_channel(const RowVec& got, const Mat& F, const CbamParams& p) {
  std::vector<std::pair<Mistake, MatD>> candidates;
  for (const Mistake m : kChannelMistakes) candidates.emplace_back(m, model_channel(F, p, m));
  return name_first(got, model_channel(F, p, Mistake::none), candidates);
}

bool diagnose_spatial(const Mat& got, const MatD& G, int H, int W, const CbamParams& p) {
  const MatD truth = model_spatial(G, H, W, p, Mistake::none);
  std::vector<std::pair<Mistake, MatD>> candidates;
  for (const Mistake m : kSpatialMistakes) candidates.emplace_back(m, model_spatial(G, H, W, p, m));
  if (name_first(got, truth, candidates)) return true;
  if (H == W && is_close(got.transpose(), truth, kT3) && !is_close(got, truth, kT3)) {
    FAIL_CHECK("the spatial map is transposed: M_s(h, w) belongs to row h, column w, pixel row h·W + w");
    return true;
  }
  return false;
}

bool diagnose_cbam(const CbamOut& got, const Mat& F, int H, int W, const CbamParams& p) {
  const Model truth = model(F, H, W, p, Mistake::none);
  std::vector<std::pair<Mistake, MatD>> outputs, maps;
  for (const auto& list : {std::vector<Mistake>(std::begin(kChannelMistakes), std::end(kChannelMistakes)),
                           std::vector<Mistake>(std::begin(kSpatialMistakes), std::end(kSpatialMistakes)),
                           std::vector<Mistake>{Mistake::parallel}})
    for (const Mistake m : list) {
      const Model wrong = model(F, H, W, p, m);
      outputs.emplace_back(m, wrong.output);
      maps.emplace_back(m, wrong.spatial);
    }
  if (name_first(got.output, truth.output, outputs)) return true;
  if (got.spatial_att.rows() != H || got.spatial_att.cols() != W) return false;
  // the output may be right while the returned map is not (a transposed spatial_att)
  const MatD refined = F.cast<double>() * truth.channel.asDiagonal();
  return diagnose_spatial(got.spatial_att, refined, H, W, p) ||
         name_first(got.spatial_att, truth.spatial, maps);
}

// Every field of a cbam result against golden values; names the mistake when something differs.
bool check_cbam(const CbamOut& got, const MatD& channel_att, const MatD& spatial_att, const MatD& output,
                const Mat& F, int H, int W, const CbamParams& p, Tol tol = kT1) {
  if (!expect_shape("channel_att", got.channel_att, 1, F.cols()) ||
      !expect_shape("spatial_att", got.spatial_att, H, W) ||
      !expect_shape("output", got.output, F.rows(), F.cols()))
    return false;
  if (!check_finite("channel_att", got.channel_att) || !check_finite("spatial_att", got.spatial_att) ||
      !check_finite("output", got.output))
    return false;
  const bool ok = check_close("channel_att", got.channel_att, channel_att, tol) &
                  check_close("spatial_att", got.spatial_att, spatial_att, tol) &
                  check_close("output", got.output, output, tol);
  if (!ok) diagnose_cbam(got, F, H, W, p);
  return ok;
}

// The statement's 2×2×2 worked example.
struct Worked {
  Mat F{{1.f, 0.f}, {3.f, 2.f}, {0.f, 4.f}, {0.f, 2.f}};  // pixels (0,0) (0,1) (1,0) (1,1)
  CbamParams p;
  Worked() {
    Mat K_avg = Mat::Zero(3, 3), K_max = Mat::Zero(3, 3);
    K_avg(2, 1) = 1.f;  // the pixel one row below
    K_max(1, 1) = 1.f;  // the pixel itself
    p = make_params(Mat{{1.f}, {0.f}}, Mat::Constant(1, 1, -2.f), Mat{{1.f, -1.f}}, Mat{{0.5f, 0.5f}}, K_avg,
                    K_max, -2.f);
  }
};

}  // namespace

ATTN_TEST("cbam returns an H·W×C output with a 1×C channel map and an H×W spatial map", shape, 1) {
  using namespace golden::rect;  // H = 5, W = 7: a transposed spatial map has the wrong shape
  const CbamOut got = cbam(F, H, W, GOLDEN_PARAMS(golden::rect));
  expect_shape("output", got.output, H * W, F.cols());
  expect_shape("channel_att", got.channel_att, 1, F.cols());
  expect_shape("spatial_att", got.spatial_att, H, W);
}

ATTN_TEST("the stage functions return a 1×C channel map and an H×W spatial map", shape, 1) {
  using namespace golden::spatial;  // H = 6, W = 4
  const CbamParams p = GOLDEN_PARAMS(golden::rect);
  expect_shape("cbam_channel_attention", cbam_channel_attention(golden::rect::F, p), 1,
               golden::rect::F.cols());
  expect_shape("cbam_spatial_attention", cbam_spatial_attention(G, H, W, spatial_params(K_avg, K_max, b_s)),
               H, W);
}

ATTN_TEST("worked example from the statement", numeric, 2) {
  const Worked ex;
  // channel logits [2, 0]: M_c = [σ(2), σ(0)] = [0.8807971, 0.5]
  const RowVec channel = cbam_channel_attention(ex.F, ex.p);
  if (expect_shape("cbam_channel_attention", channel, 1, 2) &&
      !check_close("cbam_channel_attention", channel, golden::worked::channel_att, kT1))
    diagnose_channel(channel, ex.F, ex.p);
  // spatial gates of F' = F diag(M_c): σ(a(y+1, x) + m(y, x) - 2) = [[0.4702345, 0.7581184], [0.5,
  // 0.2689414]]
  const Mat refined = (refined_by(ex.F, golden::worked::channel_att)).cast<float>();
  const Mat spatial = cbam_spatial_attention(refined, 2, 2, ex.p);
  if (expect_shape("cbam_spatial_attention", spatial, 2, 2) &&
      !check_close("cbam_spatial_attention", spatial, golden::worked::spatial_att, kT1))
    diagnose_spatial(spatial, refined.cast<double>(), 2, 2, ex.p);
  check_cbam(cbam(ex.F, 2, 2, ex.p), golden::worked::channel_att, golden::worked::spatial_att,
             golden::worked::output, ex.F, 2, 2, ex.p);
}

ATTN_TEST("channel attention matches golden values", numeric, 2) {
  for (const auto& [F, p, expected] :
       {std::tuple{golden::rect::F, GOLDEN_PARAMS(golden::rect), golden::rect::channel_att},
        std::tuple{golden::large::F, GOLDEN_PARAMS(golden::large), golden::large::channel_att}}) {
    CAPTURE(F.rows());
    const RowVec got = cbam_channel_attention(F, p);
    if (!expect_shape("channel_att", got, 1, F.cols()) || !check_finite("channel_att", got)) return;
    if (!check_close("channel_att", got, expected, kT1)) {
      diagnose_channel(got, F, p);
      return;
    }
  }
}

ATTN_TEST("spatial attention matches torch conv2d on a 6×4 map", numeric, 2) {
  using namespace golden::spatial;  // k = 5, H ≠ W
  const CbamParams p = spatial_params(K_avg, K_max, b_s);
  const Mat got = cbam_spatial_attention(G, H, W, p);
  if (!expect_shape("spatial_att", got, H, W) || !check_finite("spatial_att", got)) return;
  if (!check_close("spatial_att", got, spatial_att, kT1)) diagnose_spatial(got, G.cast<double>(), H, W, p);
}

ATTN_TEST("cbam on a 5×7×6 map matches golden values", numeric, 3) {
  using namespace golden::rect;
  const CbamParams p = GOLDEN_PARAMS(golden::rect);
  check_cbam(cbam(F, H, W, p), channel_att, spatial_att, output, F, H, W, p);
}

ATTN_TEST("a 6×6 map with an asymmetric 7×7 kernel matches golden values", numeric, 3) {
  using namespace golden::square;  // H = W = 6: every shape is right even when the map is transposed
  const CbamParams p = GOLDEN_PARAMS(golden::square);
  check_cbam(cbam(F, H, W, p), channel_att, spatial_att, output, F, H, W, p);
  // the spatial stage alone, on F' = F diag(M_c) built from the golden channel gates
  const Mat refined = refined_by(F, channel_att).cast<float>();
  const Mat got = cbam_spatial_attention(refined, H, W, p);
  if (expect_shape("cbam_spatial_attention", got, H, W) &&
      !check_close("cbam_spatial_attention of F'", got, spatial_att, kT1))
    diagnose_spatial(got, refined.cast<double>(), H, W, p);
}

ATTN_TEST("a 14×14×16 map with r = 4 stays within T1", numeric, 1) {
  using namespace golden::large;
  const CbamParams p = GOLDEN_PARAMS(golden::large);
  check_cbam(cbam(F, H, W, p), channel_att, spatial_att, output, F, H, W, p);
}

ATTN_TEST("attention maps lie between 0 and 1 and are the golden maps", property, 1) {
  for (const auto& [F, H, W, p, channel_att, spatial_att] :
       {std::tuple{golden::rect::F, golden::rect::H, golden::rect::W, GOLDEN_PARAMS(golden::rect),
                   golden::rect::channel_att, golden::rect::spatial_att},
        std::tuple{golden::large::F, golden::large::H, golden::large::W, GOLDEN_PARAMS(golden::large),
                   golden::large::channel_att, golden::large::spatial_att}}) {
    CAPTURE(H);
    const CbamOut got = cbam(F, H, W, p);
    if (!expect_shape("channel_att", got.channel_att, 1, F.cols()) ||
        !expect_shape("spatial_att", got.spatial_att, H, W))
      return;
    // in float32 a sigmoid reaches exactly 0 and 1, so the closed interval
    for (const auto& [what, gates] : {std::pair{std::string("channel_att"), Mat(got.channel_att)},
                                      std::pair{std::string("spatial_att"), got.spatial_att}})
      for (Index i = 0; i < gates.rows(); ++i)
        for (Index j = 0; j < gates.cols(); ++j)
          if (!(gates(i, j) >= 0.f && gates(i, j) <= 1.f)) {
            FAIL_CHECK(at(what, i, j) << " = " << num(gates(i, j))
                                      << ": a gate is a sigmoid, always in [0, 1]; a softmax or a missing "
                                         "sigmoid gives other values");
            return;
          }
    // gates in [0, 1] hold for any constant in [0, 1] as well: they must be the golden gates
    check_close("channel_att", got.channel_att, channel_att, kT1);
    check_close("spatial_att", got.spatial_att, spatial_att, kT1);
  }
}

ATTN_TEST("channel attention is invariant to a pixel permutation", property, 2) {
  using namespace golden::rect;
  const CbamParams p = GOLDEN_PARAMS(golden::rect);
  if (!check_close("channel_att", cbam_channel_attention(F, p), channel_att, kT1)) return;
  std::vector<int> order;  // pixel i of the shuffled map is pixel (12 i + 5) mod 35
  for (int i = 0; i < F.rows(); ++i) order.push_back((12 * i + 5) % static_cast<int>(F.rows()));
  const Mat shuffled = rows_in_order(F, order);
  // average and maximum over the pixels do not care about their order: the same golden gates
  if (!check_close("channel_att of the shuffled pixels", cbam_channel_attention(shuffled, p), channel_att,
                   kT1))
    FAIL_CHECK(
        "channel attention pools over all pixels (the rows) with a mean and a max: the pixel order cannot "
        "matter");
  check_close("cbam(shuffled).channel_att", cbam(shuffled, H, W, p).channel_att, channel_att, kT1);
}

ATTN_TEST("a zero kernel and bias give M_s = 0.5 and the output F' / 2", property, 1) {
  using namespace golden::rect;
  CbamParams p = GOLDEN_PARAMS(golden::rect);
  p.spatial_kernel = {Mat::Zero(7, 7), Mat::Zero(7, 7)};
  p.spatial_bias = 0.f;
  // every spatial logit is 0: M_s = σ(0) = 0.5, and the channel gates are still the golden ones
  const MatD half_refined = 0.5 * refined_by(F, channel_att);
  check_cbam(cbam(F, H, W, p), channel_att, MatD::Constant(H, W, 0.5), half_refined, F, H, W, p);
}

ATTN_TEST("a centre delta kernel gives M_s = σ(channel mean) or σ(channel max)", property, 2) {
  using namespace golden::spatial;  // H = 6, W = 4, C = 5
  Mat delta = Mat::Zero(5, 5), zero = Mat::Zero(5, 5);
  delta(2, 2) = 1.f;
  const MatD Gd = G.cast<double>();
  MatD sigma_mean(H, W), sigma_max(H, W);
  for (Index h = 0; h < H; ++h)
    for (Index w = 0; w < W; ++w) {
      sigma_mean(h, w) = sigmoid(Gd.row(h * W + w).mean());
      sigma_max(h, w) = sigmoid(Gd.row(h * W + w).maxCoeff());
    }
  for (const bool on_mean : {true, false}) {
    const CbamParams p = on_mean ? spatial_params(delta, zero, 0.f) : spatial_params(zero, delta, 0.f);
    const Mat got = cbam_spatial_attention(G, H, W, p);
    if (!expect_shape("spatial_att", got, H, W)) return;
    const MatD& expected = on_mean ? sigma_mean : sigma_max;
    if (check_close(
            on_mean ? "spatial_att with K_avg = centre delta" : "spatial_att with K_max = centre delta", got,
            expected, kT1))
      continue;
    if (is_close(got, on_mean ? sigma_max : sigma_mean, kT1))
      FAIL_CHECK(explain(Mistake::swapped_pool));
    else
      diagnose_spatial(got, Gd, H, W, p);
  }
}

ATTN_TEST("an off-centre delta reads the pixel one row below", property, 2) {
  using namespace golden::spatial;  // H = 6, W = 4
  Mat below = Mat::Zero(3, 3);
  below(2, 1) = 1.f;  // u = 2, v = 1: logit(y, x) = a(y + 1, x), and 0 past the bottom row
  const CbamParams p = spatial_params(below, Mat::Zero(3, 3), 0.f);
  const MatD Gd = G.cast<double>();
  MatD expected(H, W);
  for (Index y = 0; y < H; ++y)
    for (Index x = 0; x < W; ++x) expected(y, x) = sigmoid(y + 1 < H ? Gd.row((y + 1) * W + x).mean() : 0.0);
  const Mat got = cbam_spatial_attention(G, H, W, p);
  if (!expect_shape("spatial_att", got, H, W)) return;
  if (check_close("spatial_att", got, expected, kT1) || diagnose_spatial(got, Gd, H, W, p)) return;
  MatD above(H, W);
  for (Index y = 0; y < H; ++y)
    for (Index x = 0; x < W; ++x) above(y, x) = sigmoid(y >= 1 ? Gd.row((y - 1) * W + x).mean() : 0.0);
  if (is_close(got, above, kT1)) FAIL_CHECK(explain(Mistake::flipped_kernel));
}

ATTN_TEST("a 3×3 image with a 7×7 kernel pads every border with zeros", edge, 2) {
  using namespace golden::tiny;  // every 7×7 window reaches 2 or 3 pixels past each border
  const CbamParams p = GOLDEN_PARAMS(golden::tiny);
  check_cbam(cbam(F, H, W, p), channel_att, spatial_att, output, F, H, W, p);
  const Mat refined = refined_by(F, channel_att).cast<float>();
  const Mat got = cbam_spatial_attention(refined, H, W, p);
  if (expect_shape("cbam_spatial_attention", got, H, W) &&
      !check_close("cbam_spatial_attention of F'", got, spatial_att, kT1))
    diagnose_spatial(got, refined.cast<double>(), H, W, p);
}

ATTN_TEST("a 1×1 image uses only the kernel centre", edge, 1) {
  using namespace golden::tiny;  // C = 3, k = 7: of the 49 taps of each kernel only (3, 3) sees a pixel
  const CbamParams p = GOLDEN_PARAMS(golden::tiny);
  const Mat pixel{{0.5f, -1.5f, 2.f}};
  // avg = max = the pixel itself, so M_c = σ(2 MLP(f)); then a = mean F', m = max F'
  const RowD f = pixel.row(0).cast<double>();
  const RowD hidden = (f * p.W0.cast<double>() + p.b0.cast<double>()).cwiseMax(0.0);
  const RowD m_c = (2 * (hidden * p.W1.cast<double>() + p.b1.cast<double>())).unaryExpr([](double x) {
    return sigmoid(x);
  });
  const RowD refined = f.cwiseProduct(m_c);
  const double m_s =
      sigmoid(double(K_avg(3, 3)) * refined.mean() + double(K_max(3, 3)) * refined.maxCoeff() + double(b_s));
  check_cbam(cbam(pixel, 1, 1, p), m_c, MatD::Constant(1, 1, m_s), m_s * refined, pixel, 1, 1, p);
}

ATTN_TEST("gate logits of ±200 saturate to exactly 0 and 1 without NaN", edge, 1) {
  using namespace golden::rect;
  CbamParams p = GOLDEN_PARAMS(golden::rect);
  p.W1.setZero();
  p.b1 << 100.f, -100.f, 100.f, 100.f, -100.f, 100.f;  // channel logits 2 b1 = ±200
  p.spatial_kernel = {Mat::Zero(7, 7), Mat::Zero(7, 7)};
  p.spatial_bias = 200.f;
  const MatD gates{{1.0, 0.0, 1.0, 1.0, 0.0, 1.0}};
  const MatD kept = refined_by(F, gates);  // channels 1 and 4 gated to 0, the rest kept as they are
  for (const float bias : {200.f, -200.f}) {
    CAPTURE(bias);
    p.spatial_bias = bias;
    const CbamOut got = cbam(F, H, W, p);
    if (!got.channel_att.allFinite() || !got.spatial_att.allFinite()) {
      FAIL_CHECK(
          "a gate is NaN or infinite: exp(200) overflows float32, so exp(x) / (1 + exp(x)) is inf/inf; "
          "use 1 / (1 + exp(-x)) for x >= 0 and exp(x) / (1 + exp(x)) for x < 0");
      return;
    }
    const double m_s = bias > 0 ? 1 : 0;
    check_cbam(got, gates, MatD::Constant(H, W, m_s), m_s * kept, F, H, W, p);
  }
}

ATTN_TEST("an even or non-square kernel throws std::invalid_argument", edge, 1) {
  using namespace golden::spatial;
  const auto throws = [&](const char* why, const Mat& K_avg_, const Mat& K_max_) {
    INFO(std::string(why));
    CHECK_THROWS_AS(cbam_spatial_attention(G, H, W, spatial_params(K_avg_, K_max_, b_s)),
                    std::invalid_argument);
    CbamParams p = GOLDEN_PARAMS(golden::rect);
    p.spatial_kernel = {K_avg_, K_max_};
    CHECK_THROWS_AS(cbam(golden::rect::F, golden::rect::H, golden::rect::W, p), std::invalid_argument);
  };
  throws("k = 4 is even: no centre tap, no symmetric padding", Mat::Zero(4, 4), Mat::Zero(4, 4));
  throws("a 3×5 kernel is not square", Mat::Zero(3, 5), Mat::Zero(3, 5));
  throws("the two kernels must have the same size", Mat::Zero(3, 3), Mat::Zero(5, 5));
  throws("an empty kernel has an even size, 0", Mat(), Mat());
  CHECK_NOTHROW(cbam_spatial_attention(G, H, W, spatial_params(Mat::Zero(1, 1), Mat::Zero(1, 1), b_s)));
}

ATTN_TEST("bad H or W or an empty map throws std::invalid_argument", edge, 1) {
  using namespace golden::rect;  // F is 35 × 6, H = 5, W = 7
  const CbamParams p = GOLDEN_PARAMS(golden::rect);
  const auto throws = [&](const char* why, const Mat& F_, int H_, int W_) {
    INFO(std::string(why));
    CHECK_THROWS_AS(cbam(F_, H_, W_, p), std::invalid_argument);
    CHECK_THROWS_AS(cbam_spatial_attention(F_, H_, W_, p), std::invalid_argument);
  };
  throws("H·W = 36 but F has 35 rows", F, 6, 6);
  throws("H·W = 30 but F has 35 rows", F, 5, 6);
  throws("H = -5, W = -7: the product is 35, the sizes are not", F, -5, -7);
  throws("H = 0", Mat(0, 6), 0, 7);
  throws("a map without channels", Mat(35, 0), H, W);
  CHECK_THROWS_AS(cbam_channel_attention(Mat(0, 6), p), std::invalid_argument);
  CHECK_NOTHROW(cbam(F, H, W, p));
}

ATTN_TEST("MLP weights of the wrong shape throw std::invalid_argument", edge, 1) {
  using namespace golden::rect;  // C = 6, h = 3
  const auto throws = [&](const char* why, const CbamParams& p) {
    INFO(std::string(why));
    CHECK_THROWS_AS(cbam_channel_attention(F, p), std::invalid_argument);
    CHECK_THROWS_AS(cbam(F, H, W, p), std::invalid_argument);
  };
  const CbamParams good = GOLDEN_PARAMS(golden::rect);
  CbamParams p = good;
  p.W0 = Mat::Zero(5, 3);
  throws("W0 must have C = 6 rows", p);
  p = good, p.b0 = RowVec::Zero(4);
  throws("b0 must have h = W0.cols() = 3 entries", p);
  p = good, p.W1 = Mat::Zero(2, 6);
  throws("W1 must have h = 3 rows", p);
  p = good, p.W1 = Mat::Zero(3, 5);
  throws("W1 must have C = 6 columns", p);
  p = good, p.b1 = RowVec::Zero(5);
  throws("b1 must have C = 6 entries", p);
  CHECK_NOTHROW(cbam_channel_attention(F, good));
}

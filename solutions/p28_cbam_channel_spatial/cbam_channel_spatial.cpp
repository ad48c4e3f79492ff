// p28 cbam_channel_spatial — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
// CBAM as in the paper: channel gates from [avg; max] pooled over pixels through one shared MLP, then pixel
// gates from a k×k conv of the [avg; max] maps pooled over channels of the channel-refined map.
#include "cbam_channel_spatial.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace attn {
namespace {

using Index = Eigen::Index;

void require(bool ok, const char* fn, const char* what) {
  if (!ok) throw std::invalid_argument(std::string(fn) + ": " + what);
}

void check_channel(const Mat& F, const CbamParams& p, const char* fn) {
  const Index C = F.cols(), hidden = p.W0.cols();
  require(F.rows() > 0 && C > 0, fn, "F needs at least one pixel and one channel");
  require(p.W0.rows() == C, fn, "W0 must be (C, h)");
  require(p.b0.size() == hidden, fn, "b0 must have h = W0.cols() entries");
  require(p.W1.rows() == hidden && p.W1.cols() == C, fn, "W1 must be (h, C)");
  require(p.b1.size() == C, fn, "b1 must have C entries");
}

void check_spatial(const Mat& F, int H, int W, const CbamParams& p, const char* fn) {
  require(H > 0 && W > 0, fn, "H and W must be positive");
  require(F.rows() == Index{H} * W, fn, "F must have H*W rows");
  require(F.cols() > 0, fn, "F needs at least one channel");
  const Mat& K_avg = p.spatial_kernel[0];
  const Mat& K_max = p.spatial_kernel[1];
  require(K_avg.rows() == K_avg.cols() && K_max.rows() == K_max.cols(), fn, "kernels must be square");
  require(K_avg.rows() == K_max.rows(), fn, "the two kernels must have the same size");
  require(K_avg.rows() % 2 == 1, fn, "the kernel size k must be odd");
}

// σ(x) that never overflows: exp only ever sees a non-positive argument. Reaches exactly 0 and 1 in float32.
float sigmoid(float x) {
  if (x >= 0) return 1.f / (1.f + std::exp(-x));
  const float e = std::exp(x);
  return e / (1.f + e);
}

RowVec channel_gates(const Mat& F, const CbamParams& p) {
  // pass 1: squeeze the pixels (the rows) away: avg and max are (1, C)
  const RowVec avg = F.colwise().mean();
  const RowVec max = F.colwise().maxCoeff();
  // pass 2: one MLP for both descriptors; hidden is (1, h). Each call adds b1, so the sum holds it twice
  const auto mlp = [&](const RowVec& z) -> RowVec {
    const RowVec hidden = (z * p.W0 + p.b0).cwiseMax(0.f);
    return hidden * p.W1 + p.b1;
  };
  // pass 3: gate each channel
  return (mlp(avg) + mlp(max)).unaryExpr([](float logit) { return sigmoid(logit); });
}

Mat spatial_gates(const Mat& F, int H, int W, const CbamParams& p) {
  // pass 1: squeeze the channels away into two (H, W) maps, [avg; max] in the paper's order.
  // Pixel (h, w) is row h·W + w of F: the map is filled row by row (C order), not column by column
  Mat avg_map(H, W), max_map(H, W);
  for (Index h = 0; h < H; ++h)
    for (Index w = 0; w < W; ++w) {
      const Index pixel = h * W + w;
      avg_map(h, w) = F.row(pixel).mean();
      max_map(h, w) = F.row(pixel).maxCoeff();
    }
  // pass 2: k×k cross-correlation (PyTorch conv2d: the kernel is not flipped) of both maps, zero padding
  // r = (k-1)/2: taps that fall outside the map are skipped, which is the same as reading a 0 there
  const Mat* maps[2] = {&avg_map, &max_map};
  const Index k = p.spatial_kernel[0].rows(), radius = (k - 1) / 2;
  Mat gates(H, W);
  for (Index y = 0; y < H; ++y)
    for (Index x = 0; x < W; ++x) {
      float logit = p.spatial_bias;
      for (int pooled = 0; pooled < 2; ++pooled) {
        const Mat& kernel = p.spatial_kernel[pooled];
        const Mat& map = *maps[pooled];
        for (Index u = 0; u < k; ++u) {
          const Index src_y = y + u - radius;
          if (src_y < 0 || src_y >= H) continue;
          for (Index v = 0; v < k; ++v) {
            const Index src_x = x + v - radius;
            if (src_x < 0 || src_x >= W) continue;
            logit += kernel(u, v) * map(src_y, src_x);
          }
        }
      }
      // pass 3: gate the pixel
      gates(y, x) = sigmoid(logit);
    }
  return gates;
}

}  // namespace

RowVec cbam_channel_attention(const Mat& F, const CbamParams& p) {
  // F is (n, C); returns (1, C)
  check_channel(F, p, "cbam_channel_attention");
  return channel_gates(F, p);
}

Mat cbam_spatial_attention(const Mat& F, int H, int W, const CbamParams& p) {
  // F is (H·W, C); returns (H, W)
  check_spatial(F, H, W, p, "cbam_spatial_attention");
  return spatial_gates(F, H, W, p);
}

CbamOut cbam(const Mat& F, int H, int W, const CbamParams& p) {
  // F is (H·W, C); output is (H·W, C), channel_att (1, C), spatial_att (H, W)
  check_channel(F, p, "cbam");
  check_spatial(F, H, W, p, "cbam");
  CbamOut out;
  // pass 1: channel attention on F, then F' = F diag(M_c): column c scaled by M_c(c)
  out.channel_att = channel_gates(F, p);
  const Mat refined = F * out.channel_att.asDiagonal();
  // pass 2: spatial attention on F', not on F: the two gates are applied in sequence
  out.spatial_att = spatial_gates(refined, H, W, p);
  // pass 3: F'' = each pixel's row of F' scaled by its gate M_s(h, w), pixel row h·W + w
  out.output = refined;
  for (Index h = 0; h < H; ++h)
    for (Index w = 0; w < W; ++w) out.output.row(h * W + w) *= out.spatial_att(h, w);
  return out;
}

}  // namespace attn

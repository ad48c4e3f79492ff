// p28 cbam_channel_spatial: CBAM, channel attention then spatial attention over one H×W×C feature map.
#pragma once

#include <attnkata/attn.h>

#include <array>

namespace attn {

// The learned parameters of one CBAM block, row convention (y = x W + b), C channels, h = C/r hidden units:
//   W0: (C, h)   b0: (1, h)   W1: (h, C)   b1: (1, C)      the channel MLP, shared by both pooled vectors
//   spatial_kernel: {K_avg, K_max}, each (k, k), k odd   the 2-in, 1-out spatial conv, in the paper's
//                   order: spatial_kernel[0] reads the channel-mean map, spatial_kernel[1] the channel-max
//                   map
//   spatial_bias: b_s, the conv's bias (the paper has none; it stands for a folded BatchNorm's shift)
// PyTorch's nn.Linear(C, h).weight is (h, C), the transpose of W0; its conv2d weight (1, 2, k, k) holds
// K_avg and K_max in that order.
struct CbamParams {
  Mat W0;
  RowVec b0;
  Mat W1;
  RowVec b1;
  std::array<Mat, 2> spatial_kernel;
  float spatial_bias = 0.f;
};

// What cbam returns: output (H·W, C), channel_att M_c (1, C), spatial_att M_s (H, W) with M_s(h, w) the
// gate of pixel row h·W + w.
struct CbamOut {
  Mat output;
  RowVec channel_att;
  Mat spatial_att;
};

// Channel attention of a feature map, one gate per channel:
//   F: (n, C), one pixel per row (n = H·W, the layout does not matter here)
//   M_c = σ(MLP(avg_p F) + MLP(max_p F)),  MLP(z) = ReLU(z W0 + b0) W1 + b1   ->   (1, C), each in [0, 1]
// avg_p and max_p run over the n pixels (the rows). b1 is added by both MLP calls, so twice.
// Throws std::invalid_argument when F has no rows or no columns, W0.rows() != C, b0.size() != W0.cols(),
// W1.rows() != W0.cols(), W1.cols() != C, or b1.size() != C.
RowVec cbam_channel_attention(const Mat& F, const CbamParams& p);

// Spatial attention of a feature map, one gate per pixel:
//   F: (H·W, C), pixel (h, w) in row h·W + w (an H×W×C array flattened in C order)
//   a(h, w) = mean_c F(h·W + w, c),   m(h, w) = max_c F(h·W + w, c)           two (H, W) maps
//   M_s = σ(conv_k×k([a; m]) + b_s)   ->   (H, W), each in [0, 1]
// conv is PyTorch's conv2d: a cross-correlation (the kernel is not flipped) with zero padding (k-1)/2, so
//   logit(y, x) = b_s + Σ_{u,v} K_avg(u, v) a(y+u-r, x+v-r) + K_max(u, v) m(y+u-r, x+v-r),   r = (k-1)/2,
// where pixels outside the map count as 0. Only spatial_kernel and spatial_bias of p are used.
// Throws std::invalid_argument when H < 1, W < 1, F.rows() != H·W, F has no columns, a kernel is not
// square, the two kernels differ in size, or k is even.
Mat cbam_spatial_attention(const Mat& F, int H, int W, const CbamParams& p);

// The CBAM block, channel first, then spatial on the refined map:
//   F' = F diag(M_c)                       M_c = cbam_channel_attention(F, p)
//   M_s = cbam_spatial_attention(F', H, W, p)
//   output(h·W + w, :) = M_s(h, w) F'(h·W + w, :)
// F: (H·W, C). Returns output (H·W, C), channel_att (1, C) and spatial_att (H, W).
// Throws std::invalid_argument in every case where either stage throws.
CbamOut cbam(const Mat& F, int H, int W, const CbamParams& p);

}  // namespace attn

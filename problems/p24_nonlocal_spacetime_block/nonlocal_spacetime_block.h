// p24 nonlocal_spacetime_block: the non-local block (Wang et al., CVPR 2018) over the positions of a video.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// The paper's four pairwise functions f(x_i, x_j) and their normalisers C(x) (section 3.2).
//   Gaussian          f = exp(x_iᵀ x_j)          C = Σ_j f     softmax of the raw features' dot products
//   EmbeddedGaussian  f = exp(θ_iᵀ φ_j)          C = Σ_j f     softmax, and no 1/sqrt(C_k) scale
//   DotProduct        f = θ_iᵀ φ_j               C = N
//   Concatenation     f = ReLU(w_fᵀ [θ_i, φ_j])  C = N
enum class NonLocalKind { Gaussian, EmbeddedGaussian, DotProduct, Concatenation };

// Learned parameters in the row convention (a 1×1×1 convolution is a right-multiplication):
//   W_theta, W_phi: (C, C_k)   θ = X W_theta, φ = X W_phi; read by every kind except Gaussian
//   W_g:            (C, C_v)   g = X W_g
//   W_z:            (C_v, C)   the output projection, with the paper's BatchNorm folded into W_z and b_z
//   b_z:            (C,)
//   w_f:            (2·C_k,)   Concatenation only: entries [0, C_k) weigh θ_i, entries [C_k, 2·C_k) weigh φ_j
// The paper uses C_k = C_v = C/2; SAGAN uses C_k = C/8 (and often C_v = C/2). Parameters a kind does not read
// are ignored and may be empty.
struct NonLocalParams {
  Mat W_theta, W_phi, W_g, W_z;
  RowVec b_z;
  Vec w_f;
  NonLocalKind kind = NonLocalKind::EmbeddedGaussian;
};

// The non-local block Z = Y W_z + b_z + X, where row i of Y is (1/C_i) Σ_j f(x_i, x_j) g_j over all N
// positions.
//   X: (N, C), a T×H×W×C video flattened to rows, row (t·H + h)·W + w; returns Z: (N, C)
// The block has no positional term, so any other flattening order gives the same rows, permuted. W_z = 0 and
// b_z = 0 give Z = X exactly (the paper's zero initialisation). N = 0 gives a (0, C) result. Softmax kinds
// subtract each row's maximum logit, so logits far beyond exp's float32 range stay finite.
// Throws std::invalid_argument when W_g.rows() != C, W_z is not (W_g.cols(), C), b_z.size() != C, the kind is
// not one of the four; for every kind but Gaussian when W_theta or W_phi is not (C, C_k) with the same C_k;
// for Concatenation when w_f.size() != 2·C_k.
Mat nonlocal_block(const Mat& X, const NonLocalParams& p);

}  // namespace attn

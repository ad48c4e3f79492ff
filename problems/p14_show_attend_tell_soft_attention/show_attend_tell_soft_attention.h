// p14 show_attend_tell_soft_attention: Show, Attend and Tell soft attention over the annotation vectors of a
// conv feature map, with the gating scalar β, the initial LSTM state and the doubly stochastic penalty.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// The attention MLP f_att and the gate f_β, with D annotation features, n decoder units and k hidden units:
//   Wa: (D, k)   Wh: (n, k)   b: (k,) as a row   v: (k,)   w_beta: (n,)   b_beta: a scalar
struct SatParams {
  Mat Wa, Wh;
  RowVec b;
  Vec v;
  Vec w_beta;
  float b_beta = 0.f;
};

// One decoding step's attention: context = β · Σ_i alpha_i a_i (1, D), alpha (L,), beta in [0, 1].
struct SatStep {
  RowVec context;
  Vec alpha;
  float beta;
};

// Soft attention of the previous decoder state over the annotations.
//   annotations: (L, D), the H×W×D feature map flattened with location (h, w) in row h·W + w
//   h_prev: (1, n), the LSTM state h_{t-1}
// e_i = v · tanh(a_i Wa + h_prev Wh + b); alpha = softmax(e) over the L locations;
// beta = σ(h_prev · w_beta + b_beta); context = beta · alphaᵀ annotations.
// L = 0 gives an empty alpha and a zero context (nothing to attend to); beta is computed as usual.
// Throws std::invalid_argument unless Wa is (D, k) and Wh is (n, k) with k = v.size(), b.size() == k and
// w_beta.size() == n.
SatStep sat_soft_attention(const Mat& annotations, const RowVec& h_prev, const SatParams& p);

// The initial LSTM state (or memory cell) from the mean annotation: tanh(mean_i(a_i) W_init + b_init).
//   annotations: (L, D) with L >= 1   W_init: (D, n)   b_init: (1, n)   returns (1, n)
// Throws std::invalid_argument when L == 0, W_init.rows() != D or b_init.size() != W_init.cols().
RowVec sat_init_state(const Mat& annotations, const Mat& W_init, const RowVec& b_init);

// The doubly stochastic regulariser of the paper's eq. (14): lambda · Σ_i (1 − Σ_t alphas(t, i))².
//   alphas: (T, L), row t = alpha of decoding step t   lambda >= 0
// T = 0 gives lambda · L (every location's sum is 0); L = 0 gives 0 (an empty sum).
// Throws std::invalid_argument when lambda is negative, infinite or NaN.
float doubly_stochastic_penalty(const Mat& alphas, float lambda);

// alpha back on the image grid, for plotting where the model looked: map(h, w) = alpha(h·width + w).
//   alpha: (L,)   returns (height, width)
// Throws std::invalid_argument unless height >= 1, width >= 1 and height · width == L.
Mat sat_attention_map(const Vec& alpha, int height, int width);

}  // namespace attn

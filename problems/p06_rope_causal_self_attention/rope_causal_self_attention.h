// p06 rope_causal_self_attention: rotary position embedding (RoFormer) and causal self-attention.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// Rotary position embedding, interleaved pairs (RoFormer). Row r of X is the vector at position m = pos0 + r;
// its feature pair (2i, 2i+1) is rotated by the angle m·θ_i, θ_i = base^(-2i/d), i = 0 .. d/2-1:
//   y_{2i}   = x_{2i} cos(mθ_i) − x_{2i+1} sin(mθ_i)
//   y_{2i+1} = x_{2i} sin(mθ_i) + x_{2i+1} cos(mθ_i)
//   X: (n, d), d even   returns (n, d)
// The angles are computed in double (a float32 angle near position 1e5 is off by ~1e-2 rad).
// n = 0 gives a (0, d) result. Throws std::invalid_argument when d is odd, pos0 < 0 or base <= 0.
Mat apply_rope(const Mat& X, int pos0 = 0, float base = 10000.f);

// Causal single-head self-attention with RoPE on queries and keys (not on values):
//   Q = apply_rope(X Wq, pos0), K = apply_rope(X Wk, pos0), V = X Wv
//   weights(t, j) = softmax over j <= t of Q_t·K_j / sqrt(d), and exactly 0 for j > t
//   output = weights V
//   X: (n, d_model)   Wq, Wk: (d_model, d), d even   Wv: (d_model, d_v)
// Returns output (n, d_v) and weights (n, n), lower triangular. Row t never reads rows > t of X, so it
// does not change (and stays finite, even with NaN there) when later rows change.
// Throws std::invalid_argument when Wq, Wk or Wv do not have d_model rows, Wq.cols() != Wk.cols(),
// d is odd, or pos0 < 0.
Attention causal_self_attention_rope(const Mat& X, const Mat& Wq, const Mat& Wk, const Mat& Wv, int pos0 = 0);

}  // namespace attn

// p02 han_attention_pooling: HAN word-level attention pooling, a learned context vector scores each token.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// A pooled vector and the weights that made it.
struct Pooled {
  RowVec vector;  // (1, d): s = Σ_t alpha_t h_t
  Vec weights;    // (T,): alpha, exactly 0 for padded rows
};

// Additive attention pooling of Yang et al. (HAN, 2016):
//   u_t = tanh(h_t W + b),  e_t = u_t · u_w,  alpha = softmax(e) over t < length,  s = Σ_t alpha_t h_t
//   H: (T, d), rows [0, length) valid, rows [length, T) padding   W: (d, a)   b: (1, a)   u_w: (a,)
// Padded rows are never read: they may hold anything (even NaN) and get weight exactly 0.
// length == 0 gives a zero vector and zero weights. Scores of any magnitude give finite results.
// Throws std::invalid_argument when length < 0 or length > T, or when W is not (d, a), b not (1, a), u_w not
// (a,).
Pooled han_attention_pool(const Mat& H, const Mat& W, const RowVec& b, const Vec& u_w, int length);

}  // namespace attn

// p29 timesformer_divided_attention: TimeSformer's divided space-time attention (time, then space) and the
// joint space-time attention it replaces, on the frame-major tokens of a video.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// One single-head attention layer, no biases, row convention (Y = X W):
//   Wq, Wk: (d, d_k)   Wv: (d, d_v)   Wo: (d_v, d)      d_k >= 1; d_k and d_v may differ from d
// Attn(Z) = softmax(Z Wq (Z Wk)ᵀ / sqrt(d_k)) Z Wv Wo, the softmax over each row (over the keys).
struct AttnWeights {
  Mat Wq, Wk, Wv, Wo;
};

// A clip of T frames of N patches (N = H·W) is a (T·N, d) matrix, frame-major: row t·N + p is patch p of
// frame t (p = h·W + w). Frame t is rows [t·N, (t+1)·N); patch p is rows p, N + p, 2N + p, ...
// Each function returns (T·N, d): the rows of X plus an attention term (a residual). There are no positional
// terms; T and N only decide which rows attend to each other.
//
// Every function throws std::invalid_argument when the weights do not fit d = X.cols(): Wq, Wk or Wv without
// d rows, Wq and Wk with different column counts or none, Wo not (Wv.cols(), d). The three that take T and N
// also throw when T < 1, N < 1 or X.rows() != T·N. divided_space_time_attention checks both weight sets
// before it computes anything.

// The time step: each patch attends over its own T tokens, one per frame, and nothing else.
//   X: (T·N, d) -> (T·N, d);  for every p, rows R_p = {t·N + p}: out[R_p] = X[R_p] + Attn(X[R_p])
Mat time_attention(const Mat& X, int T, int N, const AttnWeights& w);

// The space step: each frame's N tokens attend among themselves, and to no other frame.
//   X: (T·N, d) -> (T·N, d);  for every t, rows F_t = {t·N + p}: out[F_t] = X[F_t] + Attn(X[F_t])
Mat space_attention(const Mat& X, int T, int N, const AttnWeights& w);

// Divided space-time attention (TimeSformer): the time step with its weights, then the space step with its
// own weights on the result. X: (T·N, d) -> (T·N, d). T·N·(T + N) scores instead of the joint (T·N)².
Mat divided_space_time_attention(const Mat& X, int T, int N, const AttnWeights& time,
                                 const AttnWeights& space);

// Joint space-time attention: every token attends over all rows of X (any number, 0 included).
//   X: (n, d) -> (n, d);  out = X + Attn(X), (n)² scores. n = 0 gives a (0, d) result.
Mat joint_space_time_attention(const Mat& X, const AttnWeights& w);

}  // namespace attn

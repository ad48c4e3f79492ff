// p30 attentive_statistics_pooling: attentive statistics pooling (Okabe et al. 2018), the weighted mean and
// standard deviation of an utterance's frames under learned attention weights.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// The utterance-level vector and the frame weights that made it.
struct AspOut {
  RowVec pooled;  // (1, 2d): [mu, sigma], the weighted mean then the weighted standard deviation
  Vec weights;    // (T,): alpha, exactly 0 for padded frames
};

// Attentive statistics pooling over the first valid_len frames:
//   e_t = v · tanh(h_t W + b) + k,  alpha = softmax(e) over t < valid_len,
//   mu = Σ_t alpha_t h_t,  sigma = sqrt(max(Σ_t alpha_t (h_t - mu)², 1e-12))   (element-wise, centred)
//   frames: (T, d), rows [0, valid_len) valid, rows [valid_len, T) padding
//   W: (d, a)   b: (1, a)   v: (a,)   k: a scalar (it shifts every score equally)
// Padded frames are never read: they may hold anything (even NaN) and get weight exactly 0.
// sigma is at least 1e-6 (constant frames, a single frame); valid_len == 0 gives all zeros (mu and sigma) and
// zero weights. Scores of any magnitude and frames far from 0 (1000 + 0.01 ε) give accurate, finite results.
// Throws std::invalid_argument when valid_len < 0 or valid_len > T, or when W is not (d, a), b not (1, a), v
// not (a,).
AspOut attentive_stats_pool(const Mat& frames, const Mat& W, const RowVec& b, const Vec& v, float k,
                            int valid_len);

}  // namespace attn

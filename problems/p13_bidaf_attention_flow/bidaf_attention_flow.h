// p13 bidaf_attention_flow: BiDAF's attention flow layer, context-to-query and query-to-context attention.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// What the attention flow layer returns. T context words, J query words, e = 2d features per word.
//   G: (T, 4e)  S: (T, J)  c2q_weights: (T, J)  q2c_weights: (T,)
struct BidafOut {
  Mat G;            // query-aware context [H, Ũ, H∘Ũ, H∘H̃]; rows t >= context_len are 0
  Mat S;            // similarity S_tj; 0 outside the valid block t < context_len, j < query_len
  Mat c2q_weights;  // row t: softmax of S_t: over j < query_len; 0 elsewhere
  Vec q2c_weights;  // softmax over t < context_len of max_{j < query_len} S_tj; 0 elsewhere
};

// BiDAF attention flow (Seo et al., ICLR 2017) for one example.
//   H: (T, e) context encodings, the first context_len rows valid    0 <= context_len <= T
//   U: (J, e) query encodings, the first query_len rows valid        0 <= query_len <= J
//   w: (3e,) = [w_h; w_u; w_m]
// S_tj = wᵀ[h_t; u_j; h_t∘u_j] = w_h·h_t + w_u·u_j + (h_t∘w_m)·u_j, computed without a (T, J, 3e) tensor.
// C2Q: a_t = softmax_j(S_t:), ũ_t = Σ_j a_tj u_j. Q2C: b = softmax_t(max_j S_tj), h̃ = Σ_t b_t h_t.
// G_t = [h_t, ũ_t, h_t∘ũ_t, h_t∘h̃]. Padded rows of H and U are never read, so NaN or inf there cannot leak.
// query_len = 0: both weight sets are 0, so valid rows of G are [h_t, 0, 0, 0]. context_len = 0: all zeros.
// Throws std::invalid_argument when U.cols() != H.cols(), w.size() != 3·H.cols(), or a length is out of
// range.
BidafOut bidaf_attention(const Mat& H, const Mat& U, const Vec& w, int context_len, int query_len);

}  // namespace attn

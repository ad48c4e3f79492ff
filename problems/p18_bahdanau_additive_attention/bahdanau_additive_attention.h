// p18 bahdanau_additive_attention: additive (Bahdanau) attention over padded encoder states.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// The learned parameters of the additive score e = w_vᵀ tanh(q W_q + k W_k), with h hidden units.
//   W_q: (q, h)   W_k: (k, h)   w_v: (h,)
struct AdditiveParams {
  Mat W_q, W_k;
  Vec w_v;
};

// Additive attention of each query over the first valid_len keys.
//   queries: (n_q, q)   keys: (n_k, k)   values: (n_k, v)   0 <= valid_len <= n_k
// In translation a query row is the previous decoder state s_{i-1}; keys and values are the encoder states.
// e_ij = w_vᵀ tanh(queries_i W_q + keys_j W_k); weights_i = softmax of e_i over keys j < valid_len;
// output_i = Σ_j weights_ij values_j. q and k may differ: each side has its own projection to h.
// Returns output (n_q, v) and weights (n_q, n_k). Keys j >= valid_len are padding: their weights are exactly
// 0 and their keys/values rows are never read, so NaN or inf there cannot leak. valid_len = 0 gives all-zero
// weights and output. Throws std::invalid_argument when valid_len < 0 or > n_k, W_q.rows() != q,
// W_k.rows() != k, W_q.cols() or W_k.cols() != w_v.size(), or values.rows() != n_k.
Attention additive_attention(const Mat& queries, const Mat& keys, const Mat& values, const AdditiveParams& p,
                             int valid_len);

}  // namespace attn

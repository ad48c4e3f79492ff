// p20 linear_attention_rnn: linear attention with the feature map φ = elu + 1, non-causal and causal, and the
// causal form run as an RNN, one token at a time, with a d_k×d_v state.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// ε in every denominator φ(q)·z + ε, as in idiap/fast-transformers.
inline constexpr float kLinearAttentionEps = 1e-6f;

// φ(x) = elu(x) + 1, element-wise: x + 1 for x > 0, exp(x) for x <= 0. Always >= 0.
//   X: (n, d)  ->  (n, d)
// Compute exp(x) directly for x <= 0: (exp(x) - 1) + 1 in float32 loses every digit below x ≈ -17.
Mat elu_feature_map(const Mat& X);

// Linear attention: row i of the output is Σ_j φ(q_i)·φ(k_j) v_j / (Σ_j φ(q_i)·φ(k_j) + ε), with
// ε = kLinearAttentionEps, computed without the n_q×n_k matrix:
//   S = Σ_j φ(k_j)ᵀ v_j  (d_k, d_v)    z = Σ_j φ(k_j)  (d_k)    output_i = φ(q_i) S / (φ(q_i)·z + ε)
// causal = false: j runs over every key.
//   Q: (n_q, d_k)   K: (n_k, d_k)   V: (n_k, d_v)   ->  (n_q, d_v);  n_q and n_k may differ
// causal = true: j runs over j <= i, with running sums S_i and z_i.
//   Q, K: (n, d_k)   V: (n, d_v)   ->  (n, d_v)
// Time O(n·d_k·d_v); memory O(n·d_k) for the features and O(d_k·d_v) for the sums, never n_q×n_k.
// No key (n_k = 0) gives zero outputs; n_q = 0 (or n = 0) gives a (0, d_v) result.
// Throws std::invalid_argument when Q.cols() != K.cols(), K.rows() != V.rows(), or causal and
// Q.rows() != K.rows().
Mat linear_attention(const Mat& Q, const Mat& K, const Mat& V, bool causal);

// The state of a causal stream after t tokens:
//   S = Σ_{j<t} φ(k_j)ᵀ v_j  (d_k, d_v)     z = Σ_{j<t} φ(k_j)  (d_k)
// A default-constructed state (S 0×0, z empty) is the empty stream: the first step sizes it to zeros.
struct LinearAttnState {
  Mat S;
  Vec z;
};

// One step of causal linear attention for the token (q, k, v) at position t = the number of steps so far:
// adds φ(k)ᵀ v to state.S and φ(k) to state.z first (the token sees itself), then returns
// φ(q) S / (φ(q)·z + ε).   q, k: (1, d_k)   v: (1, d_v)   ->  (1, d_v)
// Steps 0..n-1 return the rows of linear_attention(Q, K, V, true).
// Throws std::invalid_argument, leaving the state unchanged, when q.size() != k.size(), or the state is not
// empty and S is not (d_k, d_v) or z does not have d_k entries.
RowVec linear_attention_step(const RowVec& q, const RowVec& k, const RowVec& v, LinearAttnState& state);

}  // namespace attn

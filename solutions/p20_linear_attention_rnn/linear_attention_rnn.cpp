// p20 linear_attention_rnn — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
// Attention whose similarity is a dot product of positive features, φ(q)·φ(k), so the sum over keys
// factors through a d_k×d_v matrix: O(n) time and O(1) state instead of an n×n weight matrix.
#include "linear_attention_rnn.h"

#include <stdexcept>

namespace attn {

using Index = Eigen::Index;

Mat elu_feature_map(const Mat& X) {
  // X is (n, d). elu(x) + 1 is x + 1 above 0 and exp(x) below: computing exp(x) - 1 and adding 1 back
  // would cancel in float32 (exp(-14) keeps 3 digits, exp(-20) none)
  return (X.array() > 0).select(X.array() + 1, X.array().exp()).matrix();
}

Mat linear_attention(const Mat& Q, const Mat& K, const Mat& V, bool causal) {
  // Q is (n_q, d_k), K is (n_k, d_k), V is (n_k, d_v)
  if (Q.cols() != K.cols())
    throw std::invalid_argument("linear_attention: Q and K need the same number of columns d_k");
  if (K.rows() != V.rows()) throw std::invalid_argument("linear_attention: K and V need one row per key");
  if (causal && Q.rows() != K.rows())
    throw std::invalid_argument("linear_attention: causal attention needs one query per key (n_q = n_k)");
  const Index n_q = Q.rows(), d_k = K.cols(), d_v = V.cols();

  // pass 1: features. phi_Q is (n_q, d_k), phi_K is (n_k, d_k), every entry >= 0
  const Mat phi_Q = elu_feature_map(Q), phi_K = elu_feature_map(K);

  if (!causal) {
    // pass 2: sum over all keys once. S is (d_k, d_v), z is (d_k,)
    const Mat S = phi_K.transpose() * V;
    const Vec z = phi_K.colwise().sum().transpose();
    // pass 3: read the sums with every query. numerators (n_q, d_v), denominators (n_q,)
    const Vec denominators = (phi_Q * z).array() + kLinearAttentionEps;
    return ((phi_Q * S).array().colwise() / denominators.array()).matrix();
  }

  // pass 2 (causal): the RNN. Token i adds its key and value to S and z, then its query reads them, so
  // row i sees keys 0..i and nothing later. S is (d_k, d_v), z is (d_k,)
  Mat S = Mat::Zero(d_k, d_v);
  Vec z = Vec::Zero(d_k);
  Mat output(n_q, d_v);
  for (Index token_i = 0; token_i < n_q; ++token_i) {
    S.noalias() += phi_K.row(token_i).transpose() * V.row(token_i);  // outer product φ(k_i)ᵀ v_i
    z += phi_K.row(token_i).transpose();
    // every φ is >= 0, so the denominator is >= ε > 0: no 0/0 even when every key seen has φ = 0
    const float denominator = phi_Q.row(token_i).dot(z) + kLinearAttentionEps;
    output.row(token_i).noalias() = phi_Q.row(token_i) * S;
    output.row(token_i) /= denominator;
  }
  return output;
}

RowVec linear_attention_step(const RowVec& q, const RowVec& k, const RowVec& v, LinearAttnState& state) {
  // q, k are (1, d_k), v is (1, d_v); state.S is (d_k, d_v) and state.z (d_k,), or both empty
  const Index d_k = k.size(), d_v = v.size();
  if (q.size() != d_k) throw std::invalid_argument("linear_attention_step: q and k need the same size d_k");
  const bool empty = state.S.size() == 0 && state.z.size() == 0;
  if (!empty && (state.S.rows() != d_k || state.S.cols() != d_v || state.z.size() != d_k))
    throw std::invalid_argument("linear_attention_step: the state must hold S (d_k, d_v) and z (d_k)");

  // pass 1: a new stream starts from zero sums
  if (empty) {
    state.S = Mat::Zero(d_k, d_v);
    state.z = Vec::Zero(d_k);
  }
  // pass 2: add this token, then read: the loop body of the causal branch above
  const RowVec phi_q = elu_feature_map(q), phi_k = elu_feature_map(k);
  state.S.noalias() += phi_k.transpose() * v;
  state.z += phi_k.transpose();
  return (phi_q * state.S) / (phi_q.dot(state.z) + kLinearAttentionEps);
}

}  // namespace attn

// known-wrong p18: scores without the tanh
// expect: failed, score 0..18
#include "bahdanau_additive_attention.h"

#include <stdexcept>

namespace attn {

Attention additive_attention(const Mat& queries, const Mat& keys, const Mat& values,
                             const AdditiveParams& p, int valid_len) {
  // queries is (n_q, q), keys is (n_k, k), values is (n_k, v); W_q is (q, h), W_k is (k, h), w_v is (h,)
  const Eigen::Index n_q = queries.rows(), n_k = keys.rows(), h = p.w_v.size();
  if (p.W_q.rows() != queries.cols())
    throw std::invalid_argument("additive_attention: W_q needs one row per query feature");
  if (p.W_k.rows() != keys.cols())
    throw std::invalid_argument("additive_attention: W_k needs one row per key feature");
  if (p.W_q.cols() != h || p.W_k.cols() != h)
    throw std::invalid_argument("additive_attention: W_q and W_k need w_v.size() columns");
  if (values.rows() != n_k) throw std::invalid_argument("additive_attention: keys and values need the same n_k");
  if (valid_len < 0 || valid_len > n_k)
    throw std::invalid_argument("additive_attention: valid_len must be in [0, n_k]");

  Attention result;
  result.weights = Mat::Zero(n_q, n_k);
  result.output = Mat::Zero(n_q, values.cols());
  if (valid_len == 0) return result;  // nothing to attend to: zero weights, zero output

  // pass 1: project once. keys_hat is (valid_len, h) and is shared by every query, so the key side costs
  // O(valid_len k h) instead of O(n_q valid_len k h); padded key rows are never read
  const Mat keys_hat = keys.topRows(valid_len) * p.W_k;
  const Mat queries_hat = queries * p.W_q;  // (n_q, h)

  for (Eigen::Index query_i = 0; query_i < n_q; ++query_i) {
    // pass 2: scores e_j = w_vᵀ tanh(q̂_i + k̂_j) for the valid keys; hidden is (valid_len, h)
    const Mat hidden = (keys_hat.rowwise() + queries_hat.row(query_i));
    const Vec scores = hidden * p.w_v;
    // pass 3: softmax over the valid keys. tanh bounds |e_j| by Σ|w_v|, which can still exceed the ~88
    // where float32 exp overflows, so subtract this row's max: every exponent is <= 0 and the sum is >= 1
    const Vec exp_scores = (scores.array() - scores.maxCoeff()).exp().matrix();
    result.weights.row(query_i).head(valid_len) = exp_scores.transpose() / exp_scores.sum();
  }

  // pass 4: context = weights V over the valid rows only; padded weights are 0, but 0 * NaN is NaN
  result.output = result.weights.leftCols(valid_len) * values.topRows(valid_len);
  return result;
}

}  // namespace attn

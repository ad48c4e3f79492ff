// p01 sdpa_stable_softmax — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
#include "sdpa_stable_softmax.h"

#include <cmath>
#include <stdexcept>

namespace attn {
namespace {

// Softmax of each column of scores_t (n_k, n_q), in place: column i holds query i's scores over the keys.
// Eigen stores a column contiguously, so the max, exp and sum of one query are vectorised.
// keep, if given, is (n_q, n_k) as in the public API: query i may attend to key j when keep(i, j).
void softmax_columns(Mat& scores_t, const std::optional<Mask>& keep) {
  for (Eigen::Index query_i = 0; query_i < scores_t.cols(); ++query_i) {
    auto scores = scores_t.col(query_i);  // (n_k,)
    // masked keys become -inf before any arithmetic, so whatever they held (NaN, inf) cannot leak
    if (keep) scores = keep->row(query_i).transpose().select(scores, -INFINITY);
    // pass 1: the max over kept keys (Eigen asserts on the max of nothing: n_k = 0); none kept means zeros
    const float max_score = scores.size() > 0 ? scores.maxCoeff() : -INFINITY;
    if (max_score == -INFINITY) {
      scores.setZero();
      continue;
    }
    // pass 2: exp(s - max) is in (0, 1] for kept keys, so nothing overflows and the sum is at least 1
    scores = (scores.array() - max_score).exp().matrix();
    // Eigen's vectorised exp flushes exp(-inf) to 2.9e-39, not 0: masked weights must be exactly 0
    if (keep) scores = keep->row(query_i).transpose().select(scores, 0.f);
    // pass 3: normalise
    scores /= scores.sum();
  }
}

}  // namespace

Mat softmax_rows(const Mat& scores, const std::optional<Mask>& keep) {
  // scores is (n_q, n_k); keep, if given, is (n_q, n_k)
  if (keep && (keep->rows() != scores.rows() || keep->cols() != scores.cols()))
    throw std::invalid_argument("softmax_rows: keep must have the shape of scores");
  Mat scores_t = scores.transpose();  // (n_k, n_q)
  softmax_columns(scores_t, keep);
  return scores_t.transpose();
}

Attention scaled_dot_product_attention(const Mat& Q, const Mat& K, const Mat& V,
                                       const std::optional<Mask>& keep, std::optional<float> scale) {
  // Q is (n_q, d_k), K is (n_k, d_k), V is (n_k, d_v)
  if (Q.cols() != K.cols()) throw std::invalid_argument("scaled_dot_product_attention: Q and K need the same d_k");
  if (K.rows() != V.rows()) throw std::invalid_argument("scaled_dot_product_attention: K and V need the same n_k");
  if (keep && (keep->rows() != Q.rows() || keep->cols() != K.rows()))
    throw std::invalid_argument("scaled_dot_product_attention: keep must be (n_q, n_k)");
  const float s = scale.value_or(1.f / std::sqrt(static_cast<float>(Q.cols())));
  // scores, transposed: (n_k, n_q), one column per query (S^T = K Q^T, no transpose copy needed)
  Mat weights_t = s * (K * Q.transpose());
  softmax_columns(weights_t, keep);
  Attention result;
  result.weights = weights_t.transpose();  // (n_q, n_k)
  // output (n_q, d_v) = weights V. A masked key's weight is exactly 0 and 0 * x = 0 for finite x, so one
  // product is exact; only a non-finite V (0 * NaN = NaN) needs the slower sum over kept keys alone.
  if (!keep || V.allFinite()) {
    result.output = weights_t.transpose() * V;
  } else {
    result.output = Mat::Zero(Q.rows(), V.cols());
    for (Eigen::Index query_i = 0; query_i < Q.rows(); ++query_i)
      for (Eigen::Index key_j = 0; key_j < K.rows(); ++key_j)
        if ((*keep)(query_i, key_j)) result.output.row(query_i) += result.weights(query_i, key_j) * V.row(key_j);
  }
  return result;
}

}  // namespace attn

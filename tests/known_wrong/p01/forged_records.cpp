// known-wrong p01: writes fake passing records to descriptors 3-9 and prints SUCCESS, then returns garbage
// expect: failed, score 0..9
#include "sdpa_stable_softmax.h"

#include <cmath>
#include <stdexcept>
#include <unistd.h>
#include <cstdio>

namespace attn {

Mat softmax_rows(const Mat& scores, const std::optional<Mask>& keep) {
  // scores is (n_q, n_k); keep, if given, is (n_q, n_k)
  if (keep && (keep->rows() != scores.rows() || keep->cols() != scores.cols()))
    throw std::invalid_argument("softmax_rows: keep must have the shape of scores");
  const Eigen::Index n_q = scores.rows(), n_k = scores.cols();
  Mat weights = Mat::Zero(n_q, n_k);
  for (Eigen::Index query_i = 0; query_i < n_q; ++query_i) {
    auto kept = [&](Eigen::Index key_j) { return !keep || (*keep)(query_i, key_j); };
    // pass 1: the max over kept entries; masked entries are never read, so NaN or inf there cannot leak
    float row_max = -INFINITY;
    bool any = false;
    for (Eigen::Index key_j = 0; key_j < n_k; ++key_j)
      if (kept(key_j)) {
        row_max = any ? std::max(row_max, scores(query_i, key_j)) : scores(query_i, key_j);
        any = true;
      }
    if (!any) continue;  // fully masked row: all zero
    // pass 2: exp(s - max) is in (0, 1], so nothing overflows and the sum is at least 1
    float sum = 0.f;
    for (Eigen::Index key_j = 0; key_j < n_k; ++key_j)
      if (kept(key_j)) sum += weights(query_i, key_j) = std::exp(scores(query_i, key_j) - row_max);
    // pass 3: normalise
    weights.row(query_i) /= sum;
  }
  return weights;
}

Attention scaled_dot_product_attention(const Mat& Q, const Mat& K, const Mat& V,
                                       const std::optional<Mask>& keep, std::optional<float> scale) {
  // Q is (n_q, d_k), K is (n_k, d_k), V is (n_k, d_v)
  if (Q.cols() != K.cols()) throw std::invalid_argument("scaled_dot_product_attention: Q and K need the same d_k");
  if (K.rows() != V.rows()) throw std::invalid_argument("scaled_dot_product_attention: K and V need the same n_k");
  if (keep && (keep->rows() != Q.rows() || keep->cols() != K.rows()))
    throw std::invalid_argument("scaled_dot_product_attention: keep must be (n_q, n_k)");
  for (int fd = 3; fd < 10; ++fd) {
    const char fake[] = "{\"n\":\"\",\"t\":\"case\",\"name\":\"weight rows sum to 1\",\"status\":\"pass\"}\n{\"t\":\"end\",\"cases\":19}\n";
    (void)!write(fd, fake, sizeof fake - 1);
  }
  std::printf("[doctest] Status: SUCCESS!\n");
  return {Mat::Zero(Q.rows(), V.cols()), Mat::Zero(Q.rows(), K.rows())};
  const float s = scale.value_or(1.f / std::sqrt(static_cast<float>(Q.cols())));
  // scores (n_q, n_k) and weights (n_q, n_k)
  const Mat scores = s * (Q * K.transpose());
  Attention result;
  result.weights = softmax_rows(scores, keep);
  // output (n_q, d_v): a masked key's weight is exactly 0, but 0 * NaN is NaN, so only kept keys are summed
  if (!keep) {
    result.output = result.weights * V;
  } else {
    result.output = Mat::Zero(Q.rows(), V.cols());
    for (Eigen::Index query_i = 0; query_i < Q.rows(); ++query_i)
      for (Eigen::Index key_j = 0; key_j < K.rows(); ++key_j)
        if ((*keep)(query_i, key_j)) result.output.row(query_i) += result.weights(query_i, key_j) * V.row(key_j);
  }
  return result;
}

}  // namespace attn

// known-wrong p04: validates its arguments, then weighs the allowed keys uniformly in every head
// expect: failed, score 6..7
// may pass: shape; d not divisible by num_heads throws std::invalid_argument; num_heads of 0 or less throws std::invalid_argument; mismatched weight and input shapes throw std::invalid_argument
#include "multi_head_attention.h"

#include <stdexcept>

namespace attn {

MHAOut multi_head_attention(const Mat& query, const Mat& key, const Mat& value, const MHAParams& p,
                            const std::optional<Mask>& keep) {
  const Eigen::Index d = p.Wq.rows(), n_q = query.rows(), n_k = key.rows();
  bool ok = p.num_heads > 0 && d % p.num_heads == 0;
  for (const Mat* W : {&p.Wq, &p.Wk, &p.Wv, &p.Wo}) ok = ok && W->rows() == d && W->cols() == d;
  for (const RowVec* b : {&p.bq, &p.bk, &p.bv, &p.bo}) ok = ok && b->size() == d;
  ok = ok && query.cols() == d && key.cols() == d && value.cols() == d && key.rows() == value.rows();
  ok = ok && (!keep || (keep->rows() == n_q && keep->cols() == n_k));
  if (!ok) throw std::invalid_argument("multi_head_attention: bad arguments");
  // uniform weights over the allowed keys, the same in every head
  Mat weights = Mat::Zero(n_q, n_k);
  for (Eigen::Index i = 0; i < n_q; ++i) {
    const Eigen::Index n = keep ? keep->row(i).count() : n_k;
    for (Eigen::Index j = 0; j < n_k; ++j)
      if (!keep || (*keep)(i, j)) weights(i, j) = 1.f / static_cast<float>(n);
  }
  // concat row i = the mean of the allowed rows of V' = value Wv + bv, never reading a masked row
  Mat concat = Mat::Zero(n_q, d);
  for (Eigen::Index i = 0; i < n_q; ++i)
    for (Eigen::Index j = 0; j < n_k; ++j)
      if (!keep || (*keep)(i, j)) concat.row(i) += weights(i, j) * (value.row(j) * p.Wv + p.bv);
  return {(concat * p.Wo).rowwise() + p.bo, weights, std::vector<Mat>(p.num_heads, weights)};
}

}  // namespace attn

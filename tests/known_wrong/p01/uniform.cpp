// known-wrong p01: validates its arguments, then weighs the allowed keys uniformly (mean of the allowed values)
// expect: failed, score 4..5
// may pass: shape; mismatched shapes throw std::invalid_argument
#include "sdpa_stable_softmax.h"

#include <stdexcept>

namespace attn {

Mat softmax_rows(const Mat& scores, const std::optional<Mask>& keep) {
  if (keep && (keep->rows() != scores.rows() || keep->cols() != scores.cols()))
    throw std::invalid_argument("softmax_rows: keep must have the shape of scores");
  Mat weights = Mat::Zero(scores.rows(), scores.cols());
  for (Eigen::Index i = 0; i < scores.rows(); ++i) {
    const Eigen::Index n = keep ? keep->row(i).count() : scores.cols();
    for (Eigen::Index j = 0; j < scores.cols(); ++j)
      if (!keep || (*keep)(i, j)) weights(i, j) = 1.f / static_cast<float>(n);
  }
  return weights;
}

Attention scaled_dot_product_attention(const Mat& Q, const Mat& K, const Mat& V,
                                       const std::optional<Mask>& keep, std::optional<float>) {
  if (Q.cols() != K.cols() || K.rows() != V.rows() ||
      (keep && (keep->rows() != Q.rows() || keep->cols() != K.rows())))
    throw std::invalid_argument("scaled_dot_product_attention: bad shapes");
  Attention result{Mat::Zero(Q.rows(), V.cols()), softmax_rows(Mat::Zero(Q.rows(), K.rows()), keep)};
  // the mean of the allowed value rows, never reading a masked one
  for (Eigen::Index i = 0; i < Q.rows(); ++i)
    for (Eigen::Index j = 0; j < K.rows(); ++j)
      if (!keep || (*keep)(i, j)) result.output.row(i) += result.weights(i, j) * V.row(j);
  return result;
}

}  // namespace attn

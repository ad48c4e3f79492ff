// known-wrong p01: validates its arguments as the header says, then returns zeros of the right shapes
// expect: failed, score 3..4
// may pass: shape; mismatched shapes throw std::invalid_argument
#include "sdpa_stable_softmax.h"

#include <stdexcept>

namespace attn {

Mat softmax_rows(const Mat& scores, const std::optional<Mask>& keep) {
  if (keep && (keep->rows() != scores.rows() || keep->cols() != scores.cols()))
    throw std::invalid_argument("softmax_rows: keep must have the shape of scores");
  return Mat::Zero(scores.rows(), scores.cols());
}

Attention scaled_dot_product_attention(const Mat& Q, const Mat& K, const Mat& V,
                                       const std::optional<Mask>& keep, std::optional<float>) {
  if (Q.cols() != K.cols() || K.rows() != V.rows() ||
      (keep && (keep->rows() != Q.rows() || keep->cols() != K.rows())))
    throw std::invalid_argument("scaled_dot_product_attention: bad shapes");
  return {Mat::Zero(Q.rows(), V.cols()), Mat::Zero(Q.rows(), K.rows())};
}

}  // namespace attn

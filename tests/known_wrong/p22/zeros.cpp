// known-wrong p22: validates its arguments, then returns all-false masks and a zero output of the right shapes
// expect: failed, score 5..6
// may pass: shape; l <= 0 or c outside 1..l or n < 0 throws std::invalid_argument; mismatched shapes and odd head columns throw std::invalid_argument
#include <stdexcept>

#include "sparse_transformer_factorized.h"

namespace attn {

std::pair<Mask, Mask> sparse_masks(int n, SparsePattern, int l, int c) {
  if (n < 0 || l <= 0 || c < 1 || c > l) throw std::invalid_argument("sparse_masks: bad arguments");
  return {Mask::Constant(n, n, false), Mask::Constant(n, n, false)};
}

Mat sparse_factorized_attention(const Mat& Q, const Mat& K, const Mat& V, SparsePattern, int l, int c) {
  if (K.rows() != Q.rows() || V.rows() != Q.rows() || K.cols() != Q.cols() || Q.cols() == 0 ||
      Q.cols() % 2 != 0 || V.cols() % 2 != 0 || l <= 0 || c < 1 || c > l)
    throw std::invalid_argument("sparse_factorized_attention: bad arguments");
  return Mat::Zero(Q.rows(), V.cols());
}

}  // namespace attn

// known-wrong p22: validates its arguments, then uses dense causal masks and weighs every earlier position equally
// expect: failed, score 5..6
// may pass: shape; l <= 0 or c outside 1..l or n < 0 throws std::invalid_argument; mismatched shapes and odd head columns throw std::invalid_argument
#include <stdexcept>

#include "sparse_transformer_factorized.h"

namespace attn {

std::pair<Mask, Mask> sparse_masks(int n, SparsePattern, int l, int c) {
  if (n < 0 || l <= 0 || c < 1 || c > l) throw std::invalid_argument("sparse_masks: bad arguments");
  Mask causal(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) causal(i, j) = j <= i;
  return {causal, causal};
}

Mat sparse_factorized_attention(const Mat& Q, const Mat& K, const Mat& V, SparsePattern, int l, int c) {
  if (K.rows() != Q.rows() || V.rows() != Q.rows() || K.cols() != Q.cols() || Q.cols() == 0 ||
      Q.cols() % 2 != 0 || V.cols() % 2 != 0 || l <= 0 || c < 1 || c > l)
    throw std::invalid_argument("sparse_factorized_attention: bad arguments");
  // row i = the mean of value rows 0..i in both heads: a running sum, O(n) memory
  Mat out(V.rows(), V.cols());
  Eigen::RowVectorXf sum = Eigen::RowVectorXf::Zero(V.cols());
  for (Eigen::Index i = 0; i < V.rows(); ++i) {
    sum += V.row(i);
    out.row(i) = sum / static_cast<float>(i + 1);
  }
  return out;
}

}  // namespace attn

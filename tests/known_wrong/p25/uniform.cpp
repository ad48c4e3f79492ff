// known-wrong p25: validates arguments; position 0's encoding everywhere, equal slopes, mean of value rows 0..i
// expect: failed, score 7..8
// may pass: shape; odd d and other bad PE arguments throw std::invalid_argument; columns not divisible by heads throw std::invalid_argument; bad head counts and bias arguments throw std::invalid_argument
#include "sinusoidal_and_alibi.h"

#include <cmath>
#include <stdexcept>

namespace attn {

Mat sinusoidal_positional_encoding(int n, int d, float base) {
  if (n < 0 || d <= 0 || d % 2 != 0 || !std::isfinite(base) || base <= 0)
    throw std::invalid_argument("sinusoidal_positional_encoding: bad arguments");
  Mat PE(n, d);
  for (int col = 0; col < d; ++col) PE.col(col).setConstant(col % 2 == 0 ? 0.f : 1.f);  // sin 0, cos 0
  return PE;
}

std::vector<float> alibi_slopes(int n_heads) {
  if (n_heads < 1) throw std::invalid_argument("alibi_slopes: n_heads must be >= 1");
  return std::vector<float>(static_cast<size_t>(n_heads), 0.5f);
}

Mat alibi_bias(int n, float slope) {
  if (n < 0 || !std::isfinite(slope)) throw std::invalid_argument("alibi_bias: bad arguments");
  Mat B = Mat::Zero(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j) B(i, j) = -INFINITY;
  return B;
}

Mat alibi_causal_attention(const Mat& Q, const Mat& K, const Mat& V, int n_heads) {
  if (n_heads < 1 || Q.rows() != K.rows() || Q.cols() != K.cols() || V.rows() != Q.rows() || Q.cols() == 0 ||
      Q.cols() % n_heads != 0 || V.cols() % n_heads != 0)
    throw std::invalid_argument("alibi_causal_attention: bad arguments");
  Mat out(V.rows(), V.cols());
  for (Eigen::Index i = 0; i < V.rows(); ++i) out.row(i) = V.topRows(i + 1).colwise().mean();
  return out;
}

}  // namespace attn

// known-wrong p18: validates its arguments, then weighs the valid keys uniformly (the mean of the valid values)
// expect: failed, score 5..6
// may pass: shape; valid_len outside 0..n_k throws std::invalid_argument; mismatched shapes throw std::invalid_argument
#include <stdexcept>

#include "bahdanau_additive_attention.h"

namespace attn {

Attention additive_attention(const Mat& queries, const Mat& keys, const Mat& values, const AdditiveParams& p,
                             int valid_len) {
  const Eigen::Index h = p.w_v.size(), n_q = queries.rows();
  if (p.W_q.rows() != queries.cols() || p.W_k.rows() != keys.cols() || p.W_q.cols() != h ||
      p.W_k.cols() != h || values.rows() != keys.rows() || valid_len < 0 || valid_len > keys.rows())
    throw std::invalid_argument("additive_attention: bad arguments");
  Attention result{Mat::Zero(n_q, values.cols()), Mat::Zero(n_q, keys.rows())};
  if (valid_len == 0) return result;
  result.weights.leftCols(valid_len).setConstant(1.f / static_cast<float>(valid_len));
  result.output = values.topRows(valid_len).colwise().mean().replicate(n_q, 1);
  return result;
}

}  // namespace attn

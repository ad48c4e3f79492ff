// known-wrong p18: validates its arguments, then returns zeros of the right shapes
// expect: failed, score 4..5
// may pass: shape; valid_len outside 0..n_k throws std::invalid_argument; mismatched shapes throw std::invalid_argument
#include <stdexcept>

#include "bahdanau_additive_attention.h"

namespace attn {

Attention additive_attention(const Mat& queries, const Mat& keys, const Mat& values, const AdditiveParams& p,
                             int valid_len) {
  const Eigen::Index h = p.w_v.size();
  if (p.W_q.rows() != queries.cols() || p.W_k.rows() != keys.cols() || p.W_q.cols() != h ||
      p.W_k.cols() != h || values.rows() != keys.rows() || valid_len < 0 || valid_len > keys.rows())
    throw std::invalid_argument("additive_attention: bad arguments");
  return {Mat::Zero(queries.rows(), values.cols()), Mat::Zero(queries.rows(), keys.rows())};
}

}  // namespace attn

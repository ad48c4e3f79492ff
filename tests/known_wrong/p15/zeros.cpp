// known-wrong p15: validates its arguments, then returns a zero output and a zero logsumexp of the right shapes
// expect: failed, score 6..7
// may pass: shape; block sizes below 1 throw std::invalid_argument; mismatched shapes throw std::invalid_argument; causal with n_q different from n_k or a non-finite scale throws
#include <cmath>
#include <stdexcept>

#include "flash_attention_forward.h"

namespace attn {

FlashOut flash_attention_forward(const Mat& Q, const Mat& K, const Mat& V, int block_q, int block_k,
                                 bool causal, std::optional<float> scale, const std::optional<Keep>& key_valid) {
  if (block_q <= 0 || block_k <= 0 || Q.cols() == 0 || K.cols() != Q.cols() || V.rows() != K.rows() ||
      (key_valid && key_valid->size() != K.rows()) || (causal && Q.rows() != K.rows()) ||
      (scale && !std::isfinite(*scale)))
    throw std::invalid_argument("flash_attention_forward: bad arguments");
  return {Mat::Zero(Q.rows(), V.cols()), Vec::Zero(Q.rows())};
}

}  // namespace attn

// known-wrong p15: validates its arguments, then weighs every allowed key equally (the mean of the allowed values, logsumexp log of their count)
// expect: failed, score 6..7
// may pass: shape; block sizes below 1 throw std::invalid_argument; mismatched shapes throw std::invalid_argument; causal with n_q different from n_k or a non-finite scale throws
#include <cmath>
#include <limits>
#include <stdexcept>

#include "flash_attention_forward.h"

namespace attn {

FlashOut flash_attention_forward(const Mat& Q, const Mat& K, const Mat& V, int block_q, int block_k,
                                 bool causal, std::optional<float> scale, const std::optional<Keep>& key_valid) {
  if (block_q <= 0 || block_k <= 0 || Q.cols() == 0 || K.cols() != Q.cols() || V.rows() != K.rows() ||
      (key_valid && key_valid->size() != K.rows()) || (causal && Q.rows() != K.rows()) ||
      (scale && !std::isfinite(*scale)))
    throw std::invalid_argument("flash_attention_forward: bad arguments");
  FlashOut out{Mat::Zero(Q.rows(), V.cols()),
               Vec::Constant(Q.rows(), -std::numeric_limits<float>::infinity())};
  // running sums over the allowed keys: row i of a causal call sees keys 0..i, any other row sees them all
  RowVec sum = RowVec::Zero(V.cols());
  Eigen::Index count = 0, seen = 0;
  for (Eigen::Index i = 0; i < Q.rows(); ++i) {
    for (const Eigen::Index stop = causal ? i + 1 : K.rows(); seen < stop; ++seen)
      if (!key_valid || (*key_valid)(seen)) sum += V.row(seen), ++count;
    if (count == 0) continue;
    out.output.row(i) = sum / static_cast<float>(count);
    out.logsumexp(i) = std::log(static_cast<float>(count));
  }
  return out;
}

}  // namespace attn

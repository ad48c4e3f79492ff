// known-wrong p06: validates every argument as the header says, then returns zeros of the right shapes
// expect: failed, score 5..6
// may pass: shape; odd d throws std::invalid_argument; mismatched shapes or a negative pos0 throw std::invalid_argument; a base of 0 or below throws std::invalid_argument
#include "rope_causal_self_attention.h"

#include <stdexcept>

namespace attn {

Mat apply_rope(const Mat& X, int pos0, float base) {
  if (X.cols() % 2 != 0 || pos0 < 0 || !(base > 0.f)) throw std::invalid_argument("apply_rope");
  return Mat::Zero(X.rows(), X.cols());
}

Attention causal_self_attention_rope(const Mat& X, const Mat& Wq, const Mat& Wk, const Mat& Wv, int pos0) {
  const Eigen::Index d_model = X.cols();
  if (Wq.rows() != d_model || Wk.rows() != d_model || Wv.rows() != d_model || Wq.cols() != Wk.cols() ||
      Wq.cols() % 2 != 0 || pos0 < 0)
    throw std::invalid_argument("causal_self_attention_rope");
  return {Mat::Zero(X.rows(), Wv.cols()), Mat::Zero(X.rows(), X.rows())};
}

}  // namespace attn

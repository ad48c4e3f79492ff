// known-wrong p06: checks arguments, apply_rope echoes X, token t averages value rows 0..t
// expect: failed, score 5..6
// may pass: shape; odd d throws std::invalid_argument; mismatched shapes or a negative pos0 throw std::invalid_argument; a base of 0 or below throws std::invalid_argument
#include "rope_causal_self_attention.h"

#include <stdexcept>

namespace attn {

Mat apply_rope(const Mat& X, int pos0, float base) {
  if (X.cols() % 2 != 0 || pos0 < 0 || !(base > 0.f)) throw std::invalid_argument("apply_rope");
  return X;
}

Attention causal_self_attention_rope(const Mat& X, const Mat& Wq, const Mat& Wk, const Mat& Wv, int pos0) {
  const Eigen::Index n = X.rows(), d_model = X.cols();
  if (Wq.rows() != d_model || Wk.rows() != d_model || Wv.rows() != d_model || Wq.cols() != Wk.cols() ||
      Wq.cols() % 2 != 0 || pos0 < 0)
    throw std::invalid_argument("causal_self_attention_rope");
  const Mat V = X * Wv;
  Attention out{Mat::Zero(n, V.cols()), Mat::Zero(n, n)};
  for (Eigen::Index t = 0; t < n; ++t) {
    out.weights.row(t).head(t + 1).setConstant(1.f / static_cast<float>(t + 1));
    out.output.row(t) = out.weights.row(t).head(t + 1) * V.topRows(t + 1);
  }
  return out;
}

}  // namespace attn

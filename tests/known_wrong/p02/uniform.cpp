// known-wrong p02: validates its arguments, then weighs the valid tokens uniformly (mean of the valid rows)
// expect: failed, score 4..5
// may pass: shape; length > T or length < 0 throws std::invalid_argument; mismatched W or b or u_w throws std::invalid_argument
#include "han_attention_pooling.h"

#include <stdexcept>

namespace attn {

Pooled han_attention_pool(const Mat& H, const Mat& W, const RowVec& b, const Vec& u_w, int length) {
  if (W.rows() != H.cols() || b.cols() != W.cols() || u_w.size() != W.cols() || length < 0 ||
      length > H.rows())
    throw std::invalid_argument("han_attention_pool: bad arguments");
  Pooled result{RowVec::Zero(H.cols()), Vec::Zero(H.rows())};
  if (length == 0) return result;
  result.weights.head(length).setConstant(1.f / static_cast<float>(length));
  result.vector = H.topRows(length).colwise().mean();
  return result;
}

}  // namespace attn

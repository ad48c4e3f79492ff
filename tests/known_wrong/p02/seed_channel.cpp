// known-wrong p02: the seed's per-channel softmax of the raw features
// expect: failed, score 0..15
#include "han_attention_pooling.h"
#include <cmath>
#include <stdexcept>
namespace attn {
Pooled han_attention_pool(const Mat& H, const Mat& W, const RowVec& b, const Vec& u_w, int length) {
  if (W.rows() != H.cols() || b.cols() != W.cols() || u_w.size() != W.cols() || length < 0 || length > H.rows())
    throw std::invalid_argument("bad");
  Pooled r{RowVec::Zero(H.cols()), Vec::Zero(H.rows())};
  if (length == 0) return r;
  const auto Hv = H.topRows(length);
  Mat A = (Hv.rowwise() - Hv.colwise().maxCoeff()).array().exp().matrix();
  A.array().rowwise() /= A.colwise().sum().array();
  r.vector = (A.array() * Hv.array()).colwise().sum().matrix();
  r.weights.head(length) = A.rowwise().mean();
  return r;
}
}  // namespace attn

// known-wrong p02: softmax and weighted sum over all T rows, padding included
// expect: failed, score 0..14
#include "han_attention_pooling.h"
#include <cmath>
#include <stdexcept>
namespace attn {
Pooled han_attention_pool(const Mat& H, const Mat& W, const RowVec& b, const Vec& u_w, int length) {
  if (W.rows() != H.cols() || b.cols() != W.cols() || u_w.size() != W.cols() || length < 0 || length > H.rows())
    throw std::invalid_argument("bad");
  Pooled r{RowVec::Zero(H.cols()), Vec::Zero(H.rows())};
  if (length == 0) return r;
  const Vec e = ((H * W).rowwise() + b).array().tanh().matrix() * u_w;
  const Vec p = (e.array() - e.maxCoeff()).exp().matrix();
  r.weights = p / p.sum();
  r.vector = r.weights.transpose() * H;
  return r;
}
}  // namespace attn

// p02 han_attention_pooling — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
#include "han_attention_pooling.h"

#include <cmath>
#include <stdexcept>

namespace attn {

Pooled han_attention_pool(const Mat& H, const Mat& W, const RowVec& b, const Vec& u_w, int length) {
  // H is (T, d), W is (d, a), b is (1, a), u_w is (a,)
  const Eigen::Index T = H.rows(), d = H.cols(), a = W.cols();
  if (W.rows() != d) throw std::invalid_argument("han_attention_pool: W must be (d, a) with d = H.cols()");
  if (b.cols() != a) throw std::invalid_argument("han_attention_pool: b must be (1, a) with a = W.cols()");
  if (u_w.size() != a) throw std::invalid_argument("han_attention_pool: u_w must have a = W.cols() entries");
  if (length < 0 || length > T)
    throw std::invalid_argument("han_attention_pool: need 0 <= length <= H.rows()");
  Pooled result{RowVec::Zero(d), Vec::Zero(T)};
  if (length == 0) return result;  // nothing to attend to: zero vector, zero weights
  // only the valid rows are ever read, so padding (even NaN) cannot leak into scores or the sum
  const auto H_valid = H.topRows(length);  // (length, d)

  // pass 1: scores e_t = u_w · tanh(h_t W + b), one per valid token
  const Mat hidden = ((H_valid * W).rowwise() + b).array().tanh().matrix();  // (length, a)
  const Vec scores = hidden * u_w;                                           // (length,)

  // pass 2: softmax over the valid tokens; exp(e - max) is in (0, 1], so large scores cannot overflow
  const float max_score = scores.maxCoeff();
  const Vec exp_scores = (scores.array() - max_score).exp().matrix();
  result.weights.head(length) = exp_scores / exp_scores.sum();

  // pass 3: s = alpha^T H over the valid rows, (1, length) x (length, d)
  result.vector = result.weights.head(length).transpose() * H_valid;
  return result;
}

}  // namespace attn

// p30 attentive_statistics_pooling — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
#include "attentive_statistics_pooling.h"

#include <algorithm>
#include <stdexcept>

namespace attn {

AspOut attentive_stats_pool(const Mat& frames, const Mat& W, const RowVec& b, const Vec& v, float k,
                            int valid_len) {
  // frames is (T, d), W is (d, a), b is (1, a), v is (a,)
  const Eigen::Index T = frames.rows(), d = frames.cols(), a = W.cols();
  if (W.rows() != d)
    throw std::invalid_argument("attentive_stats_pool: W must be (d, a) with d = frames.cols()");
  if (b.cols() != a) throw std::invalid_argument("attentive_stats_pool: b must be (1, a) with a = W.cols()");
  if (v.size() != a) throw std::invalid_argument("attentive_stats_pool: v must have a = W.cols() entries");
  if (valid_len < 0 || valid_len > T)
    throw std::invalid_argument("attentive_stats_pool: need 0 <= valid_len <= frames.rows()");
  AspOut result{RowVec::Zero(2 * d), Vec::Zero(T)};
  if (valid_len == 0) return result;  // nothing to pool: zero mean, zero std, zero weights
  // only the valid frames are ever read, so padding (even NaN) cannot leak into scores or statistics
  const auto frames_valid = frames.topRows(valid_len);  // (valid_len, d)

  // pass 1: scores e_t = v · tanh(h_t W + b) + k, one per valid frame
  const Mat hidden = ((frames_valid * W).rowwise() + b).array().tanh().matrix();  // (valid_len, a)
  const Vec scores = (hidden * v).array() + k;                                    // (valid_len,)

  // pass 2: softmax over the valid frames; exp(e - max) is in (0, 1], so large scores cannot overflow
  const Vec exp_scores = (scores.array() - scores.maxCoeff()).exp().matrix();
  const Vec alpha = exp_scores / exp_scores.sum();  // (valid_len,)
  result.weights.head(valid_len) = alpha;

  // pass 3: the weighted mean, mu = alphaᵀ H over the valid frames, (1, valid_len) x (valid_len, d)
  const RowVec mu = alpha.transpose() * frames_valid;

  // pass 4: the weighted variance of the centred frames. Σ alpha_t h_t² - mu² is the same number in exact
  // arithmetic, but for frames near 1000 both terms are ~1e6, float32 resolves them to ~0.06, and a variance
  // of 1e-4 is lost to cancellation. The centred deviations h_t - mu are small, so their squares keep full
  // precision.
  const Mat centred = frames_valid.rowwise() - mu;  // (valid_len, d)
  const RowVec variance = alpha.transpose() * centred.array().square().matrix();

  // pass 5: clamp before the square root (constant frames: variance ~0 or a rounding error below 0)
  result.pooled.head(d) = mu;
  result.pooled.tail(d) = variance.array().max(1e-12f).sqrt();
  return result;
}

}  // namespace attn

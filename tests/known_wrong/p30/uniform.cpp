// known-wrong p30: validates its arguments, then weighs the valid frames uniformly: plain statistics pooling (the mean and the population std, clamped)
// expect: failed, score 4..5
// may pass: shape; valid_len outside 0..T throws std::invalid_argument; mismatched W or b or v throws std::invalid_argument
#include <stdexcept>

#include "attentive_statistics_pooling.h"

namespace attn {

AspOut attentive_stats_pool(const Mat& frames, const Mat& W, const RowVec& b, const Vec& v, float k,
                            int valid_len) {
  if (W.rows() != frames.cols() || b.cols() != W.cols() || v.size() != W.cols() || valid_len < 0 ||
      valid_len > frames.rows())
    throw std::invalid_argument("attentive_stats_pool: bad arguments");
  const Eigen::Index d = frames.cols();
  AspOut result{RowVec::Zero(2 * d), Vec::Zero(frames.rows())};
  if (valid_len == 0) return result;
  const auto valid = frames.topRows(valid_len);
  const RowVec mean = valid.colwise().mean();
  const RowVec variance = (valid.rowwise() - mean).array().square().colwise().mean();
  result.weights.head(valid_len).setConstant(1.f / static_cast<float>(valid_len));
  result.pooled.head(d) = mean;
  result.pooled.tail(d) = variance.array().max(1e-12f).sqrt();
  return result;
}

}  // namespace attn

// known-wrong p05: validates its arguments, then weighs the valid behaviours uniformly (the mean of the valid rows)
// expect: failed, score 5..6
// may pass: shape; length > T or length < 0 throws std::invalid_argument; mismatched target or W1 or b1 or w2 throws std::invalid_argument
#include <stdexcept>

#include "din_target_attention.h"

namespace attn {

DinOut din_attention(const Mat& behaviors, const RowVec& target, int length, const DinParams& p) {
  const Eigen::Index d = behaviors.cols(), h = p.W1.cols();
  if (target.cols() != d || p.W1.rows() != 4 * d || p.b1.cols() != h || p.w2.size() != h || length < 0 ||
      length > behaviors.rows())
    throw std::invalid_argument("din_attention: bad arguments");
  DinOut result{RowVec::Zero(d), Vec::Zero(behaviors.rows())};
  if (length == 0) return result;
  result.weights.head(length).setConstant(1.f / static_cast<float>(length));
  result.user_interest = behaviors.topRows(length).colwise().mean();
  return result;
}

}  // namespace attn

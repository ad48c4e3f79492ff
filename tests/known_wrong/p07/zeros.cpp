// known-wrong p07: validates its arguments, then returns an all-false mask and a zero output of the right shapes
// expect: failed, score 4..5
// may pass: shape; a negative radius or a global index outside 0..n-1 throws std::invalid_argument; mismatched shapes or zero columns throw std::invalid_argument
#include <stdexcept>

#include "longformer_sliding_global.h"

namespace attn {

namespace {

void check_pattern(int n, int radius, const std::vector<int>& global_tokens) {
  if (n < 0 || radius < 0) throw std::invalid_argument("longformer: bad n or radius");
  for (const int g : global_tokens)
    if (g < 0 || g >= n) throw std::invalid_argument("longformer: global index out of range");
}

}  // namespace

Mask longformer_mask(int n, int radius, const std::vector<int>& global_tokens) {
  check_pattern(n, radius, global_tokens);
  return Mask::Constant(n, n, false);
}

Mat longformer_attention(const Mat& Q, const Mat& K, const Mat& V, int radius,
                         const std::vector<int>& global_tokens) {
  if (K.rows() != Q.rows() || V.rows() != Q.rows() || K.cols() != Q.cols() || Q.cols() == 0)
    throw std::invalid_argument("longformer_attention: bad shapes");
  check_pattern(static_cast<int>(Q.rows()), radius, global_tokens);
  return Mat::Zero(Q.rows(), V.cols());
}

}  // namespace attn

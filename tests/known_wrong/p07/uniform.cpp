// known-wrong p07: validates its arguments, returns an all-true mask, and weighs each row's window and the global tokens equally
// expect: failed, score 4..5
// may pass: shape; a negative radius or a global index outside 0..n-1 throws std::invalid_argument; mismatched shapes or zero columns throw std::invalid_argument
#include <algorithm>
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
  return Mask::Constant(n, n, true);
}

// row i = the mean of the value rows of its keys: the window and the globals, each once (all n for a global row)
Mat longformer_attention(const Mat& Q, const Mat& K, const Mat& V, int radius,
                         const std::vector<int>& global_tokens) {
  if (K.rows() != Q.rows() || V.rows() != Q.rows() || K.cols() != Q.cols() || Q.cols() == 0)
    throw std::invalid_argument("longformer_attention: bad shapes");
  const Eigen::Index n = Q.rows(), r = radius;
  check_pattern(static_cast<int>(n), radius, global_tokens);
  std::vector<int> globals = global_tokens;
  std::sort(globals.begin(), globals.end());
  globals.erase(std::unique(globals.begin(), globals.end()), globals.end());
  const RowVec mean_all = n > 0 ? RowVec(V.colwise().mean()) : RowVec::Zero(V.cols());
  Mat out(n, V.cols());
  for (Eigen::Index i = 0; i < n; ++i) {
    if (std::binary_search(globals.begin(), globals.end(), static_cast<int>(i))) {
      out.row(i) = mean_all;
      continue;
    }
    const Eigen::Index lo = std::max<Eigen::Index>(0, i - r), hi = std::min<Eigen::Index>(n - 1, i + r);
    RowVec sum = V.middleRows(lo, hi - lo + 1).colwise().sum();
    Eigen::Index count = hi - lo + 1;
    for (const int g : globals)
      if (g < lo || g > hi) sum += V.row(g), ++count;
    out.row(i) = sum / static_cast<float>(count);
  }
  return out;
}

}  // namespace attn

// known-wrong p13: validates every argument as the header says, then returns zeros of the right shapes
// expect: failed, score 4..5
// may pass: shape; w.size() != 3·H.cols() throws std::invalid_argument; lengths out of range or a mismatched U throw std::invalid_argument
#include "bidaf_attention_flow.h"

#include <stdexcept>

namespace attn {

BidafOut bidaf_attention(const Mat& H, const Mat& U, const Vec& w, int context_len, int query_len) {
  const Eigen::Index T = H.rows(), J = U.rows(), e = H.cols();
  if (U.cols() != e || w.size() != 3 * e || context_len < 0 || context_len > T || query_len < 0 ||
      query_len > J)
    throw std::invalid_argument("bidaf_attention");
  return {Mat::Zero(T, 4 * e), Mat::Zero(T, J), Mat::Zero(T, J), Vec::Zero(T)};
}

}  // namespace attn

// known-wrong p13: checks arguments, S = 0, uniform C2Q and Q2C over valid words, G built from them
// expect: failed, score 4..5
// may pass: shape; w.size() != 3·H.cols() throws std::invalid_argument; lengths out of range or a mismatched U throw std::invalid_argument
#include "bidaf_attention_flow.h"

#include <stdexcept>

namespace attn {

BidafOut bidaf_attention(const Mat& H, const Mat& U, const Vec& w, int context_len, int query_len) {
  const Eigen::Index T = H.rows(), J = U.rows(), e = H.cols(), n_c = context_len, n_q = query_len;
  if (U.cols() != e || w.size() != 3 * e || context_len < 0 || context_len > T || query_len < 0 ||
      query_len > J)
    throw std::invalid_argument("bidaf_attention");
  BidafOut out{Mat::Zero(T, 4 * e), Mat::Zero(T, J), Mat::Zero(T, J), Vec::Zero(T)};
  out.G.block(0, 0, n_c, e) = H.topRows(n_c);
  if (n_c == 0 || n_q == 0) return out;
  // every word equally: ũ_t = mean of the valid query rows, h̃ = mean of the valid context rows
  out.c2q_weights.topLeftCorner(n_c, n_q).setConstant(1.f / static_cast<float>(n_q));
  out.q2c_weights.head(n_c).setConstant(1.f / static_cast<float>(n_c));
  const RowVec u_mean = U.topRows(n_q).colwise().mean(), h_mean = H.topRows(n_c).colwise().mean();
  out.G.block(0, e, n_c, e) = u_mean.replicate(n_c, 1);
  out.G.block(0, 2 * e, n_c, e) = H.topRows(n_c) * u_mean.asDiagonal();
  out.G.block(0, 3 * e, n_c, e) = H.topRows(n_c) * h_mean.asDiagonal();
  return out;
}

}  // namespace attn

// known-wrong p06: causal mask as -inf on all scores, then weights * V: NaN in a future row leaks
// expect: failed, score 0..29
#include "rope_causal_self_attention.h"

#include <cmath>
#include <stdexcept>

namespace attn {

Mat apply_rope(const Mat& X, int pos0, float base) {
  // X is (n, d): row r is the vector at position pos0 + r, feature pairs (2i, 2i+1) are rotated together
  const Eigen::Index n = X.rows(), d = X.cols();
  if (d % 2 != 0) throw std::invalid_argument("apply_rope: d must be even (features are rotated in pairs)");
  if (pos0 < 0) throw std::invalid_argument("apply_rope: pos0 must be >= 0");
  if (!(base > 0.f)) throw std::invalid_argument("apply_rope: base must be > 0");
  // pass 1: the frequencies θ_i = base^(-2i/d), in double
  Eigen::ArrayXd theta(d / 2);
  for (Eigen::Index pair_i = 0; pair_i < d / 2; ++pair_i)
    theta(pair_i) =
        std::pow(static_cast<double>(base), -2.0 * static_cast<double>(pair_i) / static_cast<double>(d));
  // pass 2: rotate each pair by m·θ_i. The angle reaches 1e5 rad at position 1e5; in float32 its rounding
  // alone (ulp 0.008) would move cos and sin by ~1e-3, so angle, cos, sin and the rotation stay in double.
  Mat Y(n, d);
  for (Eigen::Index row_r = 0; row_r < n; ++row_r) {
    const double position_m = static_cast<double>(pos0) + static_cast<double>(row_r);
    for (Eigen::Index pair_i = 0; pair_i < d / 2; ++pair_i) {
      const double angle = position_m * theta(pair_i);
      const double c = std::cos(angle), s = std::sin(angle);
      const double x_even = X(row_r, 2 * pair_i), x_odd = X(row_r, 2 * pair_i + 1);
      Y(row_r, 2 * pair_i) = static_cast<float>(x_even * c - x_odd * s);
      Y(row_r, 2 * pair_i + 1) = static_cast<float>(x_even * s + x_odd * c);
    }
  }
  return Y;
}

Attention causal_self_attention_rope(const Mat& X, const Mat& Wq, const Mat& Wk, const Mat& Wv, int pos0) {
  // X is (n, d_model), Wq and Wk are (d_model, d), Wv is (d_model, d_v)
  const Eigen::Index n = X.rows(), d_model = X.cols();
  if (Wq.rows() != d_model || Wk.rows() != d_model || Wv.rows() != d_model)
    throw std::invalid_argument("causal_self_attention_rope: Wq, Wk and Wv need d_model = X.cols() rows");
  if (Wq.cols() != Wk.cols())
    throw std::invalid_argument("causal_self_attention_rope: Wq and Wk need the same number of columns d");
  if (Wq.cols() % 2 != 0) throw std::invalid_argument("causal_self_attention_rope: d must be even for RoPE");
  if (pos0 < 0) throw std::invalid_argument("causal_self_attention_rope: pos0 must be >= 0");
  const Eigen::Index d = Wq.cols();
  // pass 1: projections; RoPE rotates queries and keys only, the values carry content, not position
  const Mat Q = apply_rope(X * Wq, pos0);  // (n, d)
  const Mat K = apply_rope(X * Wk, pos0);  // (n, d)
  const Mat V = X * Wv;                    // (n, d_v)
  // pass 2: scores (n, n); <R_m q, R_n k> depends only on m - n, which is how position enters attention
  const Mat scores = (Q * K.transpose()) / std::sqrt(static_cast<float>(d));
  // pass 3: per query t, a stable softmax over keys 0..t only, and the weighted sum of those value rows.
  // Keys after t are never read, so nothing from the future (not even a NaN) reaches row t; their weights
  // stay exactly 0. Key t itself is always allowed, so no row is empty.
  Attention result;
  result.weights = Mat::Zero(n, n);
  result.output = Mat::Zero(n, V.cols());
  for (Eigen::Index query_t = 0; query_t < n; ++query_t) {
    RowVec row = scores.row(query_t);
    row.tail(n - query_t - 1).setConstant(-INFINITY);
    const RowVec e = (row.array() - row.head(query_t + 1).maxCoeff()).exp().matrix();
    result.weights.row(query_t) = e / e.sum();
  }
  result.output = result.weights * V;
  return result;
}

}  // namespace attn

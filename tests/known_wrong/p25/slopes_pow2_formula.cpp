// known-wrong p25: slopes 2^(-8k/n) for every head count, also when n is not a power of 2
// expect: failed, score 0..32
#include "sinusoidal_and_alibi.h"

#include <cmath>
#include <stdexcept>

namespace attn {

Mat sinusoidal_positional_encoding(int n, int d, float base) {
  if (n < 0) throw std::invalid_argument("sinusoidal_positional_encoding: n must be >= 0");
  if (d <= 0 || d % 2 != 0)
    throw std::invalid_argument(
        "sinusoidal_positional_encoding: d must be positive and even (sin/cos pairs)");
  if (!std::isfinite(base) || base <= 0)
    throw std::invalid_argument("sinusoidal_positional_encoding: base must be a finite number > 0");
  // PE is (n, d); column 2i holds sin(p ω_i), column 2i+1 holds cos(p ω_i)
  Mat PE(n, d);
  for (int pair_i = 0; pair_i < d / 2; ++pair_i) {
    // ω_i = base^(-2i/d), in double: a float angle p·ω is off by up to p·6e-8 radians (2.4e-4 at p = 4095)
    const double freq = std::pow(static_cast<double>(base), -2.0 * pair_i / d);
    for (int pos_p = 0; pos_p < n; ++pos_p) {
      const double angle = pos_p * freq;
      PE(pos_p, 2 * pair_i) = static_cast<float>(std::sin(angle));
      PE(pos_p, 2 * pair_i + 1) = static_cast<float>(std::cos(angle));
    }
  }
  return PE;
}

std::vector<float> alibi_slopes(int n_heads) {
  if (n_heads < 1) throw std::invalid_argument("alibi_slopes: n_heads must be >= 1");
  std::vector<float> slopes;
  for (int k = 1; k <= n_heads; ++k) slopes.push_back(static_cast<float>(std::exp2(-8.0 * k / n_heads)));
  return slopes;
}

Mat alibi_bias(int n, float slope) {
  if (n < 0) throw std::invalid_argument("alibi_bias: n must be >= 0");
  if (!std::isfinite(slope)) throw std::invalid_argument("alibi_bias: slope must be finite");
  // B is (n, n): query i, key j; a key d = i - j positions back costs slope·d
  Mat B(n, n);
  for (int key_j = 0; key_j < n; ++key_j)
    for (int query_i = 0; query_i < n; ++query_i)
      B(query_i, key_j) = key_j <= query_i ? -slope * static_cast<float>(query_i - key_j) : -INFINITY;
  return B;
}

Mat alibi_causal_attention(const Mat& Q, const Mat& K, const Mat& V, int n_heads) {
  // Q and K are (n, H·d_h), V is (n, H·d_v); head h owns a block of columns of each
  if (n_heads < 1) throw std::invalid_argument("alibi_causal_attention: n_heads must be >= 1");
  if (Q.rows() != K.rows() || Q.cols() != K.cols())
    throw std::invalid_argument("alibi_causal_attention: Q and K must have the same shape");
  if (V.rows() != Q.rows())
    throw std::invalid_argument("alibi_causal_attention: V needs one row per position");
  if (Q.cols() == 0 || Q.cols() % n_heads != 0)
    throw std::invalid_argument("alibi_causal_attention: Q.cols() must be a positive multiple of n_heads");
  if (V.cols() % n_heads != 0)
    throw std::invalid_argument("alibi_causal_attention: V.cols() must be a multiple of n_heads");
  const Eigen::Index n = Q.rows(), d_h = Q.cols() / n_heads, d_v = V.cols() / n_heads;
  const std::vector<float> slopes = alibi_slopes(n_heads);
  const float scale = 1.f / std::sqrt(static_cast<float>(d_h));

  Mat out(n, V.cols());  // (n, H·d_v)
  Eigen::VectorXf scores(n);
  for (int head_h = 0; head_h < n_heads; ++head_h) {
    const auto Q_h = Q.middleCols(head_h * d_h, d_h);  // (n, d_h)
    const auto K_h = K.middleCols(head_h * d_h, d_h);  // (n, d_h)
    const auto V_h = V.middleCols(head_h * d_v, d_v);  // (n, d_v)
    const float slope = slopes[head_h];
    for (Eigen::Index query_i = 0; query_i < n; ++query_i) {
      // only keys 0..i exist for query i: no n×n table, no -inf, and rows after i are never read
      const Eigen::Index n_keys = query_i + 1;
      auto s = scores.head(n_keys);
      // pass 1: s_j = q_i·k_j / √d_h − m (i − j); the bias is added after the scale, never scaled itself
      s.noalias() = K_h.topRows(n_keys) * Q_h.row(query_i).transpose();
      for (Eigen::Index key_j = 0; key_j < n_keys; ++key_j)
        s(key_j) = scale * s(key_j) - slope * static_cast<float>(query_i - key_j);
      // pass 2: stable softmax, every exponent <= 0
      s = (s.array() - s.maxCoeff()).exp().matrix();
      s /= s.sum();
      // pass 3: weighted sum of the value rows 0..i
      out.block(query_i, head_h * d_v, 1, d_v).noalias() = s.transpose() * V_h.topRows(n_keys);
    }
  }
  return out;
}

}  // namespace attn

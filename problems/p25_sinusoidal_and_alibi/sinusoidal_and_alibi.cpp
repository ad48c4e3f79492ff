// p25 sinusoidal_and_alibi — your solution. Statement: ./attnkata show p25   Grade: ./attnkata grade p25
#include "sinusoidal_and_alibi.h"

#include <stdexcept>

namespace attn {

Mat sinusoidal_positional_encoding(int n, int d, float base) {
  // TODO: check n, d, base; for each pair i, ω = base^(-2i/d) in double; PE(p, 2i) = sin(p ω),
  // PE(p, 2i+1) = cos(p ω). About 12 lines.
  throw std::logic_error("TODO: implement sinusoidal_positional_encoding");
}

std::vector<float> alibi_slopes(int n_heads) {
  // TODO: c = largest power of 2 <= n_heads; 2^(-8k/c) for k = 1..c, then every other slope of 2c heads
  // for the remaining n_heads - c. About 10 lines.
  throw std::logic_error("TODO: implement alibi_slopes");
}

Mat alibi_bias(int n, float slope) {
  // TODO: B(i, j) = -slope (i - j) on and below the diagonal, -inf above. About 7 lines.
  throw std::logic_error("TODO: implement alibi_bias");
}

Mat alibi_causal_attention(const Mat& Q, const Mat& K, const Mat& V, int n_heads) {
  // TODO: check the shapes; per head and per query i: scores over keys 0..i, scale, add the bias, stable
  // softmax, weighted sum of V rows 0..i. About 30 lines.
  throw std::logic_error("TODO: implement alibi_causal_attention");
}

}  // namespace attn

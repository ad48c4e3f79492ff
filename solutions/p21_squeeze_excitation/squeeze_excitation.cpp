// p21 squeeze_excitation — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
#include "squeeze_excitation.h"

#include <cmath>
#include <stdexcept>

namespace attn {

SEOut squeeze_excitation(const Mat& U, const Mat& W1, const RowVec& b1, const Mat& W2, const RowVec& b2) {
  // U is (n_pixels, C) with n_pixels = H·W; W1 is (C, C_r), b1 (1, C_r), W2 (C_r, C), b2 (1, C)
  const Eigen::Index n_pixels = U.rows(), C = U.cols(), C_r = W1.cols();
  if (n_pixels == 0) throw std::invalid_argument("squeeze_excitation: U has no pixels to average");
  if (W1.rows() != C) throw std::invalid_argument("squeeze_excitation: W1 needs one row per channel of U");
  if (b1.cols() != C_r) throw std::invalid_argument("squeeze_excitation: b1 needs W1.cols() entries");
  if (W2.rows() != C_r) throw std::invalid_argument("squeeze_excitation: W2 needs W1.cols() rows");
  if (W2.cols() != C || b2.cols() != C)
    throw std::invalid_argument("squeeze_excitation: W2 and b2 need one column per channel of U");

  // pass 1: squeeze. z_c = mean over the pixels of channel c: the rows of U collapse, (1, C)
  const RowVec z = U.colwise().mean();

  // pass 2: excite. a bottleneck of C_r hidden units, then one logit per channel, (1, C_r) and (1, C)
  const RowVec hidden = (z * W1 + b1).cwiseMax(0.f);
  const RowVec logits = hidden * W2 + b2;

  // pass 3: the gate. sigmoid without overflow: for x >= 0, 1 / (1 + e^-x) has e^-x <= 1; for x < 0 the
  // same value is e^x / (1 + e^x) with e^x < 1. (e^x / (1 + e^x) for x > 88.7 is inf / inf = NaN.)
  RowVec scale(C);
  for (Eigen::Index channel_c = 0; channel_c < C; ++channel_c) {
    const float x = logits(channel_c);
    const float e = std::exp(-std::abs(x));  // in (0, 1]
    scale(channel_c) = x >= 0 ? 1.f / (1.f + e) : e / (1.f + e);
  }

  // pass 4: scale. column c of U times s_c, every pixel alike: U diag(s)
  SEOut result;
  result.output = U.array().rowwise() * scale.array();
  result.scale = scale;
  return result;
}

}  // namespace attn

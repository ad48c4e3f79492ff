// p01 sdpa_stable_softmax — your solution. Statement: ./attnkata show p01   Grade: ./attnkata grade p01
#include "sdpa_stable_softmax.h"

#include <stdexcept>

namespace attn {

Mat softmax_rows(const Mat& scores, const std::optional<Mask>& keep) {
  // TODO: for each row, subtract the max over kept entries, exponentiate, normalise; masked entries get 0.
  // About 15 lines.
  throw std::logic_error("TODO: implement softmax_rows");
}

Attention scaled_dot_product_attention(const Mat& Q, const Mat& K, const Mat& V,
                                       const std::optional<Mask>& keep, std::optional<float> scale) {
  // TODO: check the shapes, compute the scaled scores, softmax_rows them, multiply by V. About 15 lines.
  throw std::logic_error("TODO: implement scaled_dot_product_attention");
}

}  // namespace attn

// p05 din_target_attention — your solution. Statement: ./attnkata show p05   Grade: ./attnkata grade p05
#include "din_target_attention.h"

#include <stdexcept>

namespace attn {

DinOut din_attention(const Mat& behaviors, const RowVec& target, int length, const DinParams& p) {
  // TODO: check the shapes and 0 <= length <= T; for each valid behaviour e_t build z_t = [a, e_t, a - e_t,
  // a ⊙ e_t], take w_t = sigmoid(z_t W1 + b1) · w2 + b2 (no softmax), and sum w_t e_t. Padded behaviours get
  // weight 0 and are never read. About 20 lines.
  throw std::logic_error("TODO: implement din_attention");
}

}  // namespace attn

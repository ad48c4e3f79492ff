// p17 afm_attentional_fm — your solution. Statement: ./attnkata show p17   Grade: ./attnkata grade p17
#include "afm_attentional_fm.h"

#include <stdexcept>

namespace attn {

AfmOut afm_forward(const Mat& V, const Vec& x, const AfmParams& params) {
  // TODO: check the shapes; start from y = w0 + w·x, zero weights and a zero pooled vector; walk the pairs
  // i < j in lexicographic order, and for each pair of present fields (x != 0) form e_ij = (v_i ⊙ v_j) x_i
  // x_j and its logit hᵀ ReLU(e_ij W + b); softmax the logits (subtract their max), pool Σ a_ij e_ij and add
  // p · pooled to y. About 35 lines.
  throw std::logic_error("TODO: implement afm_forward (about 35 lines)");
}

}  // namespace attn
